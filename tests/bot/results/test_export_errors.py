"""Bad input to ``clc-admin export``: one clear line, a non-zero exit, and no file written."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.results.export_people import ContactTable
from bot.results.tables import Cell
from storage.db import Database
from storage.models.audit import AuditEntry
from storage.models.pseudonyms import PseudonymKey
from storage.reports.exports import ContactRow
from tests.bot.results.export_cli import run, seeded_database
from tests.bot.results.export_seed import Seeded


@pytest.fixture
def seeded(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Seeded:
    return seeded_database(sqlite_url, monkeypatch)


@pytest.mark.parametrize(("args", "code", "said"), [
    (["responses", "--questionnaire", "skills"], 1, "no questionnaire 'skills' (known: needs)"),
    (["responses", "--centre", "nowhere"], 1, "no centre 'nowhere'"),
    (["contacts", "--centre", "nowhere"], 1, "no centre 'nowhere'"),
    (["responses", "--version", "7"], 1, "questionnaire 'needs' has no version 7 (versions: 1, 2)"),
    (["responses", "--since", "2026-3-1"], 1, "--since '2026-3-1': give a date as YYYY-MM-DD"),
    (["responses", "--until", "2026-02-30"], 1, "--until '2026-02-30': give a date as YYYY-MM-DD"),
    (["responses", "--until", "9999-12-31"], 1, "--until '9999-12-31': give a date between 2000 and 2100"),
    (["responses", "--since", "0001-01-01"], 1, "--since '0001-01-01': give a date between 2000 and 2100"),
    (["responses", "--since", "2026-03-05", "--until", "2026-03-01"], 1, "is after --until"),
    (["enrolments", "--format", "pdf"], 1, "give --format xlsx, csv or json"),
    (["contacts", "--lang", "en"], 1, "--lang 'en': give kk or ru"),
    (["contacts", "--format", "csv", "--jsonl"], 1, "--jsonl writes JSON Lines"),
])
def test_bad_input(seeded: Seeded, tmp_path: Path, args: list[str], code: int, said: str) -> None:
    out = tmp_path / "out" / "file.csv"
    out.parent.mkdir()
    shown = run("export", *args, "--out", str(out), code=code)
    assert said in shown
    assert len(shown.strip().splitlines()) == 1
    assert list(out.parent.iterdir()) == []


def _stored(url: str) -> tuple[int, int]:
    """How many pseudonym keys and audit entries the database holds."""
    async def go() -> tuple[int, int]:
        db = Database.from_url(url)
        try:
            async with db.transaction() as session:
                keys = await session.scalar(select(func.count()).select_from(PseudonymKey))
                entries = await session.scalar(select(func.count()).select_from(AuditEntry))
                return int(keys or 0), int(entries or 0)
        finally:
            await db.dispose()

    return asyncio.run(go())


@pytest.mark.parametrize("command", ["responses", "contacts", "enrolments"])
def test_an_existing_file_is_refused_before_any_work(seeded: Seeded, sqlite_url: str, tmp_path: Path,
                                                     command: str) -> None:
    out = tmp_path / "file.csv"
    out.write_text("keep me", encoding="utf-8")
    shown = run("export", command, "--out", str(out), "--pseudonymize", code=1)
    assert shown.strip() == f"{out} exists; give --force to replace it"
    assert out.read_text(encoding="utf-8") == "keep me"
    assert _stored(sqlite_url) == (0, 0)  # no pseudonym key made, nothing exported to audit


def test_an_existing_file_needs_force_and_a_missing_folder_is_said(seeded: Seeded, tmp_path: Path) -> None:
    out = tmp_path / "contacts.csv"
    out.write_text("keep me", encoding="utf-8")
    assert "exists; give --force" in run("export", "contacts", "--out", str(out), code=1)
    assert out.read_text(encoding="utf-8") == "keep me"
    run("export", "contacts", "--out", str(out), "--force")
    assert "Айгүл" in out.read_text(encoding="utf-8-sig")
    missing = tmp_path / "nowhere" / "contacts.csv"
    assert run("export", "contacts", "--out", str(missing), code=1).strip() == f"no directory {missing.parent}"


def test_a_file_made_while_exporting_is_kept(seeded: Seeded, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out" / "contacts.xlsx"
    out.parent.mkdir()
    real = ContactTable.rows

    def meanwhile(self: ContactTable, row: ContactRow) -> Iterator[list[Cell]]:
        if not out.exists():
            out.write_text("someone else's", encoding="utf-8")
        return real(self, row)

    monkeypatch.setattr(ContactTable, "rows", meanwhile)
    shown = run("export", "contacts", "--out", str(out), code=1)
    assert shown.strip() == f"{out} exists; give --force to replace it"
    assert out.read_text(encoding="utf-8") == "someone else's"
    assert [p.name for p in out.parent.iterdir()] == ["contacts.xlsx"]  # and no partial file
