"""A facilitator's contact list (``clc-admin contacts import``): rows checked, then applied.

Rows are checked first (phone in E.164 and in Kazakhstan, language, duplicates within the
file), then matched to existing contacts by their channel identities (``tel:+7…``,
``telegram:<id>``), so importing the same list twice changes nothing and a number that texts
the bot later is the same contact. Imported people have not consented to surveys
(``Contact.consent`` stays None); ``contact_consent`` records whether the centre has their
consent to be contacted with announcements. A blank ``settlement`` or ``contact_consent``
keeps what the contact already has (a later list need not repeat them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import phonenumbers
from sqlalchemy.ext.asyncio import AsyncSession

from flows.errors import DataError
from flows.phones import DEFAULT_REGION, normalize_phone
from storage.contacts import find_identity, live_contact
from storage.models import Centre, ChannelIdentity, Contact

# The channel names and address formats of bot/channels/addresses.py (storage may not import
# bot/); the dispatcher (storage.steps.person) must find what the import creates, a test checks it.
SMS = "sms"
TELEGRAM = "telegram"
REQUIRED = ("name", "phone", "language")
OPTIONAL = ("telegram_id", "settlement", "contact_consent")
LANGUAGES = {
    "kk": "kk", "kz": "kk", "kaz": "kk", "kazakh": "kk", "қаз": "kk", "қазақ": "kk",
    "қазақша": "kk", "қазақ тілі": "kk", "казахский": "kk", "казахский язык": "kk", "каз": "kk",
    "ru": "ru", "rus": "ru", "russian": "ru", "рус": "ru", "русский": "ru",
    "русский язык": "ru", "орысша": "ru", "орыс тілі": "ru",
}
YES = frozenset({"yes", "y", "true", "1", "да", "иә", "ия", "иа"})
NO = frozenset({"no", "n", "false", "0", "нет", "жоқ"})


@dataclass(frozen=True)
class ImportRow:
    row: int
    name: str
    e164: str
    language: str
    telegram_id: int | None
    contact_consent: bool | None
    settlement: str | None = None


@dataclass(frozen=True)
class Rejected:
    row: int
    reason: str


@dataclass
class ImportReport:
    rejected: list[Rejected] = field(default_factory=list)
    added: int = 0
    present: int = 0
    updated: int = 0


def check_header(header: Iterable[str]) -> list[str]:
    """The header's column names (lower case); unknown or missing columns are an error."""
    names = [str(name or "").strip().lower() for name in header]
    unknown = [name for name in names if name not in REQUIRED + OPTIONAL]
    if unknown:
        raise DataError(f"unknown column(s): {', '.join(repr(n) for n in unknown)}; "
                        f"known: {', '.join(REQUIRED + OPTIONAL)}")
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise DataError(f"missing column(s): {', '.join(missing)}")
    return names


def _phone(raw: str) -> str:
    """E.164, or a ValueError saying why not (+7 9xx… is Russia, not Kazakhstan)."""
    e164 = normalize_phone(raw, DEFAULT_REGION)
    if e164 is None:
        raise ValueError(f"invalid phone number {raw!r}")
    region = phonenumbers.region_code_for_number(phonenumbers.parse(e164))
    if region != DEFAULT_REGION:
        raise ValueError(f"phone number {raw!r} is not a Kazakhstan number (region {region})")
    return e164


def _row(number: int, cells: Mapping[str, str]) -> ImportRow:
    name = cells.get("name", "").strip()
    if not name:
        raise ValueError("missing name")
    raw_phone = cells.get("phone", "").strip()
    if not raw_phone:
        raise ValueError("missing phone")
    e164 = _phone(raw_phone)
    raw_language = " ".join(cells.get("language", "").split()).lower()
    language = LANGUAGES.get(raw_language)
    if language is None:
        raise ValueError(f"unknown language {cells.get('language', '')!r} (kk or ru)")
    raw_telegram = cells.get("telegram_id", "").strip()
    telegram_id = None
    if raw_telegram:
        if not raw_telegram.isdigit() or int(raw_telegram) <= 0:
            raise ValueError(f"invalid telegram_id {raw_telegram!r}")
        telegram_id = int(raw_telegram)
    raw_consent = cells.get("contact_consent", "").strip().lower()
    consent = True if raw_consent in YES else False if raw_consent in NO else None
    if raw_consent and consent is None:
        raise ValueError(f"contact_consent {raw_consent!r} is neither yes nor no")
    settlement = " ".join(cells.get("settlement", "").split())[:100] or None
    return ImportRow(number, name[:200], e164, language, telegram_id, consent, settlement)


def check_rows(rows: Iterable[tuple[int, Mapping[str, str]]]) -> tuple[list[ImportRow], list[Rejected]]:
    """Rows (numbered as in the file) checked one by one; a repeat of an earlier row is rejected."""
    good: list[ImportRow] = []
    rejected: list[Rejected] = []
    seen: dict[str | int, int] = {}
    for number, cells in rows:
        if not any(value.strip() for value in cells.values()):
            continue  # a blank line in a spreadsheet is no row
        try:
            row = _row(number, cells)
        except ValueError as exc:
            rejected.append(Rejected(number, str(exc)))
            continue
        earlier = seen.get(row.e164) or (seen.get(row.telegram_id) if row.telegram_id else None)
        if earlier is not None:
            rejected.append(Rejected(number, f"duplicate of row {earlier} within the file"))
            continue
        seen[row.e164] = number
        if row.telegram_id is not None:
            seen[row.telegram_id] = number
        good.append(row)
    return good, rejected


def _imported_fields(contact: Contact) -> tuple[object, ...]:
    """What an import may change: a contact whose fields stay the same counts as present."""
    return (contact.name, contact.language, contact.centre_id, contact.contact_consent, contact.settlement)


async def import_rows(
    session: AsyncSession, centre: Centre, rows: Iterable[ImportRow], now: dt.datetime, *,
    scoped: bool = False,
) -> ImportReport:
    """Add or update each checked row's contact; the report counts added/present/updated.

    ``scoped``: a facilitator imports (``clc-admin --as``): a person the bot already knows
    outside this centre (at another, or at none yet: an administrator's) is left alone, and
    the reason does not say where they are known.
    """
    report = ImportReport()
    for row in rows:
        addresses = [(SMS, f"tel:{row.e164}")]
        if row.telegram_id is not None:
            addresses.append((TELEGRAM, f"telegram:{row.telegram_id}"))
        found = [await find_identity(session, channel, address) for channel, address in addresses]
        contacts = {(await live_contact(session, i.contact_id)).id for i in found if i is not None}
        if len(contacts) > 1:
            reason = "phone and telegram_id belong to two different contacts"
            report.rejected.append(Rejected(row.row, reason))
            continue
        if not contacts:
            contact = Contact(name=row.name, language=row.language, centre_id=centre.id,
                              contact_consent=row.contact_consent, settlement=row.settlement, created_at=now)
            session.add(contact)
            await session.flush()
            report.added += 1
        else:
            contact = await live_contact(session, contacts.pop())
            if scoped and contact.centre_id != centre.id:
                report.rejected.append(Rejected(row.row, "already known to the bot: ask an administrator"))
                continue
            if contact.centre_id not in (None, centre.id):
                report.rejected.append(Rejected(row.row, "already a contact of another centre"))
                continue
            before = _imported_fields(contact)
            contact.name, contact.language, contact.centre_id = row.name, row.language, centre.id
            if row.contact_consent is not None:
                contact.contact_consent = row.contact_consent
            if row.settlement is not None:
                contact.settlement = row.settlement
            changed = before != _imported_fields(contact)
            changed = changed or any(identity is None for identity in found)
            if changed:
                report.updated += 1
            else:
                report.present += 1
        for (channel, address), identity in zip(addresses, found, strict=True):
            if identity is None:
                session.add(ChannelIdentity(contact_id=contact.id, channel=channel, address=address,
                                            created_at=now))
        await session.flush()
    report.rejected.sort(key=lambda r: r.row)
    return report
