"""A centre's villagers with survey answers, consents and addresses, for the broadcast tests.

Each person's name says what makes them in or out of an audience; the tests compare selections
with sets written by hand from this table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import ChannelIdentity, Contact, Conversation
from storage.models.courses import Enrolment
from storage.models.surveys import Questionnaire, QuestionnaireVersion, SurveyAnswer, SurveyRun
from tests.storage.courses_helpers import T0, make_centre, make_course

# name: (language, channel, talked to the bot, contact_consent, answers, address state)
PEOPLE: dict[str, tuple[str, str, bool, bool | None, dict[str, Any] | None, str]] = {
    "aigul": ("kk", "telegram", True, None, {"interests": ["computer"], "gender": "female", "age": 25}, "ok"),
    "olga": ("ru", "sms", True, None, {"interests": ["sewing"], "gender": "female", "age": 20}, "ok"),
    "quiet": ("kk", "sms", True, True, {"interests": ["computer", "sewing"], "gender": "female", "age": 22,
                                        "contact_channel": "no_contact"}, "ok"),
    "stopped": ("ru", "sms", True, None, {"interests": ["computer"], "age": 40}, "opted_out"),
    "imported": ("kk", "sms", False, None, None, "ok"),
    "agreed": ("kk", "sms", False, True, None, "ok"),
    "refused": ("kk", "telegram", True, False, {"interests": ["computer"]}, "ok"),
    "blocked": ("ru", "telegram", True, None, None, "unreachable"),
    "learner": ("kk", "sms", True, None, {"interests": ["computer"], "age": 30}, "ok"),
}


@dataclass
class Seeded:
    centre_id: int
    other_centre_id: int
    course_id: int
    ids: dict[str, int]
    stranger: int  # at the other centre, interested in computers

    def of(self, *names: str) -> set[int]:
        return {self.ids[name] for name in names}


async def _person(session: AsyncSession, version_id: int, centre_id: int, n: int,
                  spec: tuple[str, str, bool, bool | None, dict[str, Any] | None, str]) -> int:
    language, channel, talked, consent, answers, state = spec
    contact = Contact(created_at=T0, language=language, centre_id=centre_id, contact_consent=consent)
    session.add(contact)
    await session.flush()
    address = f"telegram:{9000 + n}" if channel == "telegram" else f"tel:+7701555{n:04d}"
    session.add(ChannelIdentity(
        contact_id=contact.id, channel=channel, address=address, created_at=T0,
        opted_out_at=T0 if state == "opted_out" else None, unreachable_at=T0 if state == "unreachable" else None))
    if talked:
        session.add(Conversation(contact_id=contact.id, state={"v": 1}, updated_at=T0))
    if answers is not None:
        run = SurveyRun(run_key=f"run-{contact.id}", contact_id=contact.id, version_id=version_id,
                        status="completed", channel=channel, started_at=T0, updated_at=T0, finished_at=T0)
        session.add(run)
        await session.flush()
        session.add_all(SurveyAnswer(run_id=run.id, question_id=key, value=value, answered_at=T0)
                        for key, value in answers.items())
    return contact.id


async def seed(database: Database) -> Seeded:
    async with database.transaction() as session:
        centre = await make_centre(session, "aksu")
        other = await make_centre(session, "other")
        course = await make_course(session, centre, capacity=5)
        questionnaire = Questionnaire(slug="needs", active=True, created_at=T0)
        session.add(questionnaire)
        await session.flush()
        version = QuestionnaireVersion(questionnaire_id=questionnaire.id, version=1, definition={},
                                       content_hash="x", source="t", created_at=T0)
        session.add(version)
        await session.flush()
        ids = {name: await _person(session, version.id, centre.id, n, spec)
               for n, (name, spec) in enumerate(PEOPLE.items())}
        stranger = await _person(session, version.id, other.id, 99, PEOPLE["aigul"])
        erased = Contact(created_at=T0, language="kk", centre_id=centre.id, deleted_at=T0)
        session.add(erased)
        session.add(Enrolment(course_id=course.id, contact_id=ids["learner"], status="enrolled", seat_no=1,
                              joined_at=T0, updated_at=T0))
        return Seeded(centre.id, other.id, course.id, ids, stranger)


def at(hour: int, minute: int = 0, day: int = 2) -> dt.datetime:
    """A UTC time on 2 March 2026 (Almaty is UTC+5)."""
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=dt.UTC)
