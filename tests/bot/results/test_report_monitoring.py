"""``clc-admin report monitoring`` (issue 17) through Typer's CliRunner: the xlsx read back in
kk and ru (cover, figures equal to the hand-computed ones, native charts, courses), csv with its
BOM, json, both centres with --all; bad input as one line; a facilitator limited to their centre;
the audit log."""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from admin_cli import app
from bot.clock import FakeClock
from storage.db import Database
from storage.models import ChannelIdentity, FacilitatorRole
from storage.models.audit import AuditEntry
from tests.storage.courses_helpers import T0
from tests.storage.reports.monitoring_seed import EXPECTED, Seeded, day, seed

MARCH = ["--from", "2026-03-01", "--to", "2026-03-31"]
OTHER_FACILITATOR = "+77011119999"


@pytest.fixture
def seeded(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Seeded, str]:
    from bot.admin import report_monitoring, runner, scope

    monkeypatch.setenv("CLC_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("CLC_ADMIN_AS", raising=False)
    for module in (report_monitoring, runner, scope):
        monkeypatch.setattr(module.console, "width", 200)
    monkeypatch.setattr(report_monitoring, "clock", FakeClock(day(4, 2)))

    async def run() -> Seeded:
        db = Database.from_url(sqlite_url)
        try:
            found = await seed(db)
            async with db.transaction() as session:  # the other centre's facilitator
                contact_id = found.people["hasen"]
                session.add_all([ChannelIdentity(contact_id=contact_id, channel="sms",
                                                 address=f"tel:{OTHER_FACILITATOR}", created_at=T0),
                                 FacilitatorRole(contact_id=contact_id, centre_id=found.other, created_at=T0)])
            return found
        finally:
            await db.dispose()

    return asyncio.run(run()), sqlite_url


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, ["report", "monitoring", *args])
    assert result.exit_code == code, (args, result.output)
    assert "Traceback" not in result.output
    return result.output


def figures_of(path: Path, sheet: str) -> dict[str, object]:
    """The figures sheet as {label: value or (value, unknown)}."""
    rows = list(load_workbook(path)[sheet].iter_rows(min_row=2, values_only=True))
    return {str(label): value if unknown is None else (value, unknown) for _, label, value, unknown in rows}


@pytest.mark.parametrize(("language", "labels"), [
    ("kk", {"trained": "Оқытылғандар (кемінде бір сабаққа қатысқандар)",
            "trained.women": "Оқытылғандардың ішінде: әйелдер", "median_wait_days": "Орын күтудің медианалық ұзақтығы, күн",
            "started.sms": "Басталған сауалнамалар, SMS", "cover": "Титул парағы", "period": "Кезең"}),
    ("ru", {"trained": "Обучено (были хотя бы на одном занятии)",
            "trained.women": "Из обученных: женщины", "median_wait_days": "Медианное ожидание места, дней",
            "started.sms": "Начато опросов, SMS", "cover": "Титульный лист", "period": "Период"}),
])
def test_xlsx_in_each_language_has_the_hand_computed_figures(
    seeded: tuple[Seeded, str], tmp_path: Path, language: str, labels: dict[str, str]
) -> None:
    out = tmp_path / "report.xlsx"
    shown = run("--centre", "aksu", *MARCH, "--out", str(out), "--lang", language)
    assert "written" in shown and "aksu" in shown
    book = load_workbook(out)
    assert book.sheetnames[0] == labels["cover"] and "aksu" in book.sheetnames
    cover = {row[0]: row[1] for row in book[labels["cover"]].iter_rows(values_only=True) if row[0]}
    assert cover[labels["period"]] == "01.03.2026 – 31.03.2026"
    figures = figures_of(out, "aksu")
    assert figures[labels["trained"]] == EXPECTED["trained"]
    assert figures[labels["trained.women"]] == EXPECTED["trained.women"]
    assert figures[labels["median_wait_days"]] == EXPECTED["median_wait_days"]
    assert figures[labels["started.sms"]] == EXPECTED["started.sms"]
    assert len(book["aksu"]._charts) == 2  # learners by group, satisfaction
    courses = list(book.worksheets[-1].iter_rows(min_row=2, values_only=True))
    assert [row[:6] for row in courses] == [("aksu", "computer-1", f"computer-1 {language}", 4, 4, 3),
                                            ("aksu", "sewing-1", f"sewing-1 {language}", 1, 1, None)]
    assert len(book.worksheets[-1]._charts) == 1


def test_csv_with_bom_and_json_carry_the_same_figures(seeded: tuple[Seeded, str], tmp_path: Path) -> None:
    run("--centre", "aksu", *MARCH, "--out", str(tmp_path / "r.csv"), "--lang", "ru")
    raw = (tmp_path / "r.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the Cyrillic as UTF-8
    rows = {row[3]: row for row in csv.reader(raw.decode("utf-8-sig").splitlines()[1:])}
    assert rows["trained"][4:6] == ["Обучено (были хотя бы на одном занятии)", "4"]
    assert rows["trained.disability"][5:] == ["1", "2"] and rows["response_rate"][5] == "66.7"
    assert rows["course.sewing-1.completed"][5] == ""  # not over in March
    run("--centre", "aksu", *MARCH, "--out", str(tmp_path / "r.json"))
    figures = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["centres"][0]["figures"]
    assert figures["completed"] == 3 and figures["offers_made"] == 4
    assert figures["completed.disability"] == {"value": 1, "unknown": 1}


def test_all_centres_and_a_facilitator_limited_to_theirs(seeded: tuple[Seeded, str], tmp_path: Path) -> None:
    run("--all", *MARCH, "--out", str(tmp_path / "all.json"))
    everyone = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))["centres"]
    assert [(c["centre"], c["figures"]["trained"]) for c in everyone] == [("aksu", 4), ("other", 1)]
    refused = CliRunner().invoke(app, ["--as", OTHER_FACILITATOR, "report", "monitoring", "--centre", "aksu",
                                       *MARCH, "--out", str(tmp_path / "a.json")])
    assert refused.exit_code != 0 and "not a facilitator at centre 'aksu'" in refused.output
    assert not (tmp_path / "a.json").exists()
    mine = CliRunner().invoke(app, ["--as", OTHER_FACILITATOR, "report", "monitoring", "--all", *MARCH,
                                    "--out", str(tmp_path / "mine.json")])
    assert mine.exit_code == 0, mine.output
    centres = json.loads((tmp_path / "mine.json").read_text(encoding="utf-8"))["centres"]
    assert [c["centre"] for c in centres] == ["other"]

    async def audited(url: str) -> list[tuple[str, str]]:
        db = Database.from_url(url)
        try:
            async with db.transaction() as session:
                rows = (await session.execute(select(AuditEntry.action, AuditEntry.actor))).all()
                return [(action, actor) for action, actor in rows]
        finally:
            await db.dispose()

    entries = asyncio.run(audited(seeded[1]))
    assert [action for action, _ in entries] == ["report.monitoring", "report.monitoring"]
    assert entries[1][1].startswith(f"contact:{seeded[0].people['hasen']} (cli:")  # the facilitator acted


@pytest.mark.parametrize(("args", "line"), [
    (MARCH, "give --centre SLUG or --all"),
    (["--centre", "aksu", "--all", *MARCH], "give --centre SLUG or --all"),
    (["--centre", "aksu", "--from", "1 March", "--to", "2026-03-31"], "--from '1 March': give a date as YYYY-MM-DD"),
    (["--centre", "aksu", "--from", "2026-03-31", "--to", "2026-03-01"], "--to 2026-03-01 is before --from"),
    (["--centre", "aksu", *MARCH, "--lang", "en"], "--lang 'en': give kk or ru"),
    (["--centre", "aksu", *MARCH, "--completed-share", "0"], "give a percentage from 1 to 100"),
    (["--centre", "mars", *MARCH], "mars"),
])
def test_bad_input_is_one_line_and_a_non_zero_exit(
    seeded: tuple[Seeded, str], tmp_path: Path, args: list[str], line: str
) -> None:
    result = CliRunner().invoke(app, ["report", "monitoring", *args, "--out", str(tmp_path / "r.xlsx")])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert line in result.output and len(result.output.strip().splitlines()) == 1, result.output
    assert not (tmp_path / "r.xlsx").exists()


def test_an_existing_file_is_kept_without_force(seeded: tuple[Seeded, str], tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    out.write_text("mine", encoding="utf-8")
    assert "exists; give --force" in run("--centre", "aksu", *MARCH, "--out", str(out), code=1)
    assert out.read_text(encoding="utf-8") == "mine"
    run("--centre", "aksu", *MARCH, "--out", str(out), "--force")
    assert json.loads(out.read_text(encoding="utf-8"))["first_day"] == "2026-03-01"
