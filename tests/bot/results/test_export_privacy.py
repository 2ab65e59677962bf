"""``--pseudonymize`` leaves no name or phone number of the database in the file; pseudonyms are
stable across exports; every export is in the audit log."""

from __future__ import annotations

import asyncio
import getpass
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models import ChannelIdentity, Contact
from storage.models.audit import AuditEntry
from storage.models.surveys import SurveyAnswer
from tests.bot.results.export_cli import NOW, csv_rows, run, seeded_database, sheet_rows
from tests.bot.results.export_seed import T0, Seeded


@pytest.fixture
def seeded(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Seeded:
    return seeded_database(sqlite_url, monkeypatch)


# An SMS answering the gender question with the person's name and number in it, and an answer to
# a question the run's version does not ask (a question a later version added, stored by a bug or
# an import): both must come out as pseudonyms.
TYPED_CHOICE = "Айгүл Сериккызы +77015550001 әйел"
STRAY = ("wish", "Бауыржан, 87015550002", "Бауыржан, 87015550002 жазыңыз")


@pytest.fixture
def typed(seeded: Seeded, sqlite_url: str) -> Seeded:
    async def work(session: object) -> None:
        answer = await session.scalar(select(SurveyAnswer).where(  # type: ignore[attr-defined]
            SurveyAnswer.run_id == seeded.runs[0], SurveyAnswer.question_id == "gender"))
        answer.raw_text = TYPED_CHOICE
        session.add(SurveyAnswer(run_id=seeded.runs[0], question_id=STRAY[0], value=STRAY[1],  # type: ignore[attr-defined]
                                 raw_text=STRAY[2], answered_at=T0))

    _query(sqlite_url, work)
    return seeded


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
            if question in ("other_phone", "wish"):  # free text and phone answers, and the stray one
                found |= {str(value), str(value).lstrip("+")}
            if raw:  # whatever the question: a person may type anything
                found.add(raw)
        return found

    texts = _query(url, work)
    assert isinstance(texts, set)
    return texts


def test_pseudonymized_files_hold_no_name_or_phone(typed: Seeded, sqlite_url: str, tmp_path: Path) -> None:
    private = private_texts(sqlite_url)
    assert {"+77015550001", "700100201", "8 701 777 00 11", TYPED_CHOICE, STRAY[1], STRAY[2]} <= private
    # Typed texts short enough to be in any file by chance ("1", an id) are checked in their column.
    private = {text for text in private if len(text) >= 6}
    files: list[Path] = []
    for command, fmt, extra in (("contacts", "csv", []), ("contacts", "xlsx", []), ("enrolments", "json", []),
                                ("responses", "csv", ["--include-incomplete"]),
                                ("responses", "xlsx", ["--include-incomplete"]),
                                ("responses", "json", ["--include-incomplete"]),
                                ("responses", "csv", ["--long", "--include-incomplete"]),
                                ("responses", "xlsx", ["--long", "--include-incomplete"]),
                                ("responses", "json", ["--long", "--include-incomplete"]),
                                ("responses", "jsonl", ["--long", "--include-incomplete"])):
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
    for out in files[-4:]:  # the long layout: every typed text, a pressed button's "1" too
        typed_texts = [row[8] for row in _rows(out)]
        assert len(typed_texts) == 18 and None in typed_texts, out.name
        assert all(text is None or text.startswith("p_") for text in typed_texts), (out.name, typed_texts)

    contacts = json.loads(_export(tmp_path, "contacts", "c.json"))
    enrolled = json.loads(_export(tmp_path, "enrolments", "e.json"))
    by_contact = {item["contact_id"]: item for item in contacts}
    for item in enrolled:  # the same person has the same pseudonyms in every export
        assert item["learner"] == by_contact[item["contact_id"]]["name"]
        assert item["phones"] == by_contact[item["contact_id"]]["phones"]


def _rows(out: Path) -> list[list[Any]]:
    """A long layout's rows without the header, empty cells as None."""
    if out.suffix == ".xlsx":
        return [list(row) for row in sheet_rows(out)[1:]]
    if out.suffix == ".csv":
        return [[cell or None for cell in row] for row in csv_rows(out)[1:]]
    text = out.read_text(encoding="utf-8")
    items = json.loads(text) if out.suffix == ".json" else [json.loads(line) for line in text.splitlines()]
    return [list(item.values()) for item in items]


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
