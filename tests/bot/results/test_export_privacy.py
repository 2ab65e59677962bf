"""``--pseudonymize`` leaves no name or phone number of the database in the file; pseudonyms are
stable across exports; every export is in the audit log."""

from __future__ import annotations

import asyncio
import getpass
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models import ChannelIdentity, Contact
from storage.models.audit import AuditEntry
from storage.models.surveys import SurveyAnswer
from tests.bot.results.export_cli import NOW, run, seeded_database
from tests.bot.results.export_seed import Seeded


@pytest.fixture
def seeded(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Seeded:
    return seeded_database(sqlite_url, monkeypatch)


def _query(url: str, work: object) -> object:
    async def go() -> object:
        db = Database.from_url(url)
        try:
            async with db.transaction() as session:
                return await work(session)  # type: ignore[operator]
        finally:
            await db.dispose()

    return asyncio.run(go())


def private_texts(url: str) -> set[str]:
    """Every name, phone number and Telegram id in the database, in the forms a file could show."""
    async def work(session: object) -> set[str]:
        found: set[str] = set()
        names = (await session.scalars(select(Contact.name))).all()  # type: ignore[attr-defined]
        found |= {name for name in names if name}
        for address in (await session.scalars(select(ChannelIdentity.address))).all():  # type: ignore[attr-defined]
            value = address.split(":", 1)[1]
            found |= {value, value.lstrip("+")}
        for (question, value, raw) in await session.execute(  # type: ignore[attr-defined]
                select(SurveyAnswer.question_id, SurveyAnswer.value, SurveyAnswer.raw_text)):
            if question in ("other_phone", "wish"):
                found |= {str(value), str(value).lstrip("+"), raw or str(value)}
        return found

    texts = _query(url, work)
    assert isinstance(texts, set)
    return texts


def test_pseudonymized_files_hold_no_name_or_phone(seeded: Seeded, sqlite_url: str, tmp_path: Path) -> None:
    private = private_texts(sqlite_url)
    assert "+77015550001" in private and "700100201" in private and "8 701 777 00 11" in private
    files = []
    for command, fmt, extra in (("contacts", "csv", []), ("contacts", "xlsx", []), ("enrolments", "json", []),
                                ("responses", "csv", ["--include-incomplete"]),
                                ("responses", "json", ["--long", "--include-incomplete"])):
        out = tmp_path / f"{command}-{len(files)}.{fmt}"
        run("export", command, "--out", str(out), "--pseudonymize", *extra)
        files.append(out)
    for out in files:
        if out.suffix == ".xlsx":
            from openpyxl import load_workbook

            sheet = load_workbook(out).worksheets[0]
            text = "\n".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row)
        else:
            text = out.read_text(encoding="utf-8-sig")
        assert "p_" in text, out.name
        leaked = [value for value in private if value in text]
        assert leaked == [], (out.name, leaked)

    contacts = json.loads(_export(tmp_path, "contacts", "c.json"))
    enrolled = json.loads(_export(tmp_path, "enrolments", "e.json"))
    by_contact = {item["contact_id"]: item for item in contacts}
    for item in enrolled:  # the same person has the same pseudonyms in every export
        assert item["learner"] == by_contact[item["contact_id"]]["name"]
        assert item["phones"] == by_contact[item["contact_id"]]["phones"]


def _export(folder: Path, command: str, name: str) -> str:
    run("export", command, "--out", str(folder / name), "--pseudonymize")
    return (folder / name).read_text(encoding="utf-8")


def test_every_export_is_in_the_audit_log(seeded: Seeded, sqlite_url: str, tmp_path: Path) -> None:
    run("export", "responses", "--out", str(tmp_path / "r.xlsx"), "--centre", "aksu", "--long", "--lang", "ru")
    run("export", "contacts", "--out", str(tmp_path / "c.csv"), "--pseudonymize")

    async def work(session: object) -> list[AuditEntry]:
        return list((await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all())  # type: ignore[attr-defined]

    entries = _query(sqlite_url, work)
    assert isinstance(entries, list)
    assert [(e.action, e.subject, e.actor, e.at) for e in entries] == [
        ("export.responses", "questionnaire:needs", f"cli:{getpass.getuser()}", NOW),
        ("export.contacts", "contacts", f"cli:{getpass.getuser()}", NOW)]
    assert entries[0].detail == {"file": "r.xlsx", "format": "xlsx", "lang": "ru", "centre": "aksu",
                                 "layout": "long", "runs": 2, "rows": 11}
    assert entries[0].centre_id is not None
    assert entries[1].detail == {"file": "c.csv", "format": "csv", "lang": "kk", "pseudonymized": True, "rows": 5}
