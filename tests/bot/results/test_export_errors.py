"""Bad input to ``clc-admin export``: one clear line, a non-zero exit, and no file written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot.results.export_cli import run, seeded_database
from tests.bot.results.export_seed import Seeded


@pytest.fixture
def seeded(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Seeded:
    return seeded_database(sqlite_url, monkeypatch)


@pytest.mark.parametrize(("args", "code", "said"), [
    (["responses", "--questionnaire", "skills"], 2, "no questionnaire 'skills' (known: needs)"),
    (["responses", "--centre", "nowhere"], 1, "no centre 'nowhere'"),
    (["contacts", "--centre", "nowhere"], 1, "no centre 'nowhere'"),
    (["responses", "--version", "7"], 1, "questionnaire 'needs' has no version 7 (versions: 1, 2)"),
    (["responses", "--since", "2026-3-1"], 1, "--since '2026-3-1': give a date as YYYY-MM-DD"),
    (["responses", "--until", "2026-02-30"], 1, "--until '2026-02-30': give a date as YYYY-MM-DD"),
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


def test_an_existing_file_needs_force_and_a_missing_folder_is_said(seeded: Seeded, tmp_path: Path) -> None:
    out = tmp_path / "contacts.csv"
    out.write_text("keep me", encoding="utf-8")
    assert "exists; give --force" in run("export", "contacts", "--out", str(out), code=None)
    assert out.read_text(encoding="utf-8") == "keep me"
    run("export", "contacts", "--out", str(out), "--force")
    assert "Айгүл" in out.read_text(encoding="utf-8-sig")
    missing = tmp_path / "nowhere" / "contacts.csv"
    assert f"no directory {missing.parent}" in run("export", "contacts", "--out", str(missing), code=None)
