"""Contacts and enrolments as table rows, in one language, times in each centre's zone.

With a pseudonymizer, names, phone numbers and Telegram addresses become stable keyed
pseudonyms (``storage.pseudonyms``); ids, centres, villages and statuses stay.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from zoneinfo import ZoneInfo

from bot.i18n import Translator
from bot.results.tables import Cell, Column
from flows.events import N_, Msg
from storage.reports.exports import Addresses, ContactRow, EnrolmentRow

Pseudonym = Callable[[str | None], str | None]


def _local(when: dt.datetime, zone: str) -> dt.datetime:
    return when.astimezone(ZoneInfo(zone))


class _People:
    def __init__(self, translator: Translator, pseudonym: Pseudonym | None) -> None:
        self.tr = translator
        self.pseudonym = pseudonym

    def header(self, key: str) -> str:
        return self.tr.text(Msg(key))

    def yes_no(self, value: bool | None) -> str | None:
        return None if value is None else self.tr.text(Msg(N_("Yes") if value else N_("No")))

    def name(self, name: str | None) -> str | None:
        return self.pseudonym(name) if self.pseudonym is not None else name

    def phones(self, held: Addresses) -> list[Cell]:
        return [self.pseudonym(phone) if self.pseudonym else phone for phone in held.phones]

    def telegram(self, held: Addresses) -> list[Cell]:
        return [self.pseudonym(address) if self.pseudonym else address.removeprefix("telegram:")
                for address in held.telegram]


class ContactTable(_People):
    def __init__(self, translator: Translator, pseudonym: Pseudonym | None = None) -> None:
        super().__init__(translator, pseudonym)
        self.columns = [
            Column("contact_id", self.header(N_("Contact ID")), "number"),
            Column("name", self.header(N_("Contact name")), width=24),  # "Name" is the bot's menu item
            Column("language", self.header(N_("Language")), width=8),
            Column("centre", self.header(N_("Centre"))),
            Column("settlement", self.header(N_("Settlement"))),
            Column("phones", self.header(N_("Phone")), width=16),
            Column("telegram", self.header(N_("Telegram")), width=16),
            Column("created", self.header(N_("Added")), "datetime"),
            Column("survey_consent", self.header(N_("Consent to the survey")), width=12),
            Column("contact_consent", self.header(N_("Consent to announcements")), width=12),
        ]

    def rows(self, row: ContactRow) -> Iterator[list[Cell]]:
        yield [row.id, self.name(row.name), row.language, row.where.centre, row.settlement,
               self.phones(row.addresses), self.telegram(row.addresses),
               _local(row.created_at, row.where.timezone), self.yes_no(row.consent),
               self.yes_no(row.contact_consent)]


class EnrolmentTable(_People):
    def __init__(self, translator: Translator, pseudonym: Pseudonym | None = None) -> None:
        super().__init__(translator, pseudonym)
        self.columns = [
            Column("course", self.header(N_("Course code")), width=14),
            Column("course_title", self.header(N_("Course")), width=30),
            Column("centre", self.header(N_("Centre"))),
            Column("contact_id", self.header(N_("Contact ID")), "number"),
            Column("learner", self.header(N_("Learner")), width=24),
            Column("phones", self.header(N_("Phone")), width=16),
            Column("status", self.header(N_("Enrolment status")), width=12),
            Column("seat", self.header(N_("Seat")), "number", width=8),
            Column("position", self.header(N_("Waiting list position")), "number", width=12),
            Column("joined", self.header(N_("Joined")), "datetime"),
            Column("attended", self.header(N_("Sessions attended")), "number", width=12),
            Column("sessions", self.header(N_("Sessions")), "number", width=10),
        ]

    def rows(self, row: EnrolmentRow) -> Iterator[list[Cell]]:
        title = row.course_title_kk if self.tr.language == "kk" else row.course_title_ru
        yield [row.course_code, title, row.where.centre, row.contact_id, self.name(row.name),
               self.phones(row.addresses), row.status, row.seat_no, row.position,
               _local(row.joined_at, row.where.timezone), row.attended, row.sessions]
