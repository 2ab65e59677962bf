"""The contacts import keeps each person's settlement: stored, unchanged by the same list again,
kept when a later list leaves it blank, changed when a list gives another."""

from __future__ import annotations

from sqlalchemy import select

from storage.contact_import import ImportReport, check_rows, import_rows
from storage.db import Database
from storage.models import Centre, Contact
from tests.storage.courses_helpers import T0, make_centre


async def _import(database: Database, *rows: dict[str, str]) -> ImportReport:
    good, rejected = check_rows(enumerate(rows, start=2))
    assert rejected == []
    async with database.transaction() as session:
        centre = await session.scalar(select(Centre))  # the only one
        assert centre is not None
        return await import_rows(session, centre, good, T0)


async def _settlements(database: Database) -> dict[str | None, str | None]:
    async with database.transaction() as session:
        return dict((await session.execute(select(Contact.name, Contact.settlement))).tuples().all())


async def test_settlement_is_stored_and_a_reimport_changes_nothing(database: Database) -> None:
    async with database.transaction() as session:
        await make_centre(session)
    first = {"name": "Дана", "phone": "87471234567", "language": "kk", "settlement": "  Көк  төбе "}
    other = {"name": "Ерлан", "phone": "87011234567", "language": "ru", "settlement": ""}
    report = await _import(database, first, other)
    assert (report.added, report.updated, report.present) == (2, 0, 0)
    assert await _settlements(database) == {"Дана": "Көк төбе", "Ерлан": None}
    again = await _import(database, first, other)
    assert (again.added, again.updated, again.present) == (0, 0, 2)
    blank = await _import(database, {**first, "settlement": ""})
    assert (blank.updated, blank.present) == (0, 1)  # a blank cell keeps what is known
    moved = await _import(database, {**first, "settlement": "Ақсу"})
    assert moved.updated == 1
    assert await _settlements(database) == {"Дана": "Ақсу", "Ерлан": None}
