"""``clc-admin report needs`` (issue 17) through Typer's CliRunner, on ``needs_seed``: the xlsx
read back in kk and ru (sheets, headers, the hand-counted figures, native charts), csv with its
BOM, json of every centre, --since; bad input as one line; a facilitator limited to their
centre; the audit log."""

from __future__ import annotations

import asyncio
import csv
import json
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from admin_cli import app
from bot.admin import report_needs
from bot.clock import FakeClock
from bot.i18n import Translator
from bot.results.needs_file import NeedsDocument
from storage import surveys
from storage.db import Database
from storage.models.audit import AuditEntry
from tests.flows.survey_forms import needs
from tests.storage.courses_helpers import T0
from tests.storage.reports.needs_seed import FACILITATOR_PHONE, NeedsSeed, add_villager, answers, seed

KK_SHEETS = ["Жиынтық", "Елді мекендер", "Жынысы", "Жасы", "Қызмет түрі", "Ыңғайлы уақыт", "Кедергілер",
             "Басқа қалаулар"]
RU_SHEETS = ["Сводка", "Населённые пункты", "Пол", "Возраст", "Род занятий", "Удобное время", "Препятствия",
             "Другие пожелания"]
# Counted by hand from needs_seed, aksu only (see tests/storage/reports/test_needs.py).
AKSU_TOP = [
    [1, "Компьютер сауаттылығы", 4, 2, 0, 2, 2, "тағы бір топ ашыңыз", "computer-1"],
    [2, "Тігін", 2, 8, 8, 0, 2, "орын жеткілікті: оқығысы келетіндерді шақырыңыз", "sewing-1"],
    [3, "Ауыл шаруашылығы және агробизнес", 1, 0, 0, 0, 1, "топ құруға әзірге адам аз", None],
    [4, "Дәнекерлеу", 1, 0, 0, 0, 1, "топ құруға әзірге адам аз", None],
    [5, "Басқа", 1, 0, 0, 0, 1, "топ құруға әзірге адам аз", None],
]


@pytest.fixture
def seeded(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> tuple[NeedsSeed, str]:
    from bot.admin import report_needs, runner, scope

    monkeypatch.setenv("CLC_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("CLC_ADMIN_AS", raising=False)
    monkeypatch.delenv("CLC_DEFAULT_LANGUAGE", raising=False)
    for module in (report_needs, runner, scope):
        monkeypatch.setattr(module.console, "width", 200)
    monkeypatch.setattr(report_needs, "clock", FakeClock(T0))

    async def run() -> NeedsSeed:
        db = Database.from_url(sqlite_url)
        try:
            return await seed(db)
        finally:
            await db.dispose()

    return asyncio.run(run()), sqlite_url


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, ["report", "needs", *args])
    assert result.exit_code == code, (args, result.output)
    assert "Traceback" not in result.output
    return result.output


def values(sheet: Any) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_xlsx_in_kazakh_has_the_hand_counted_figures_and_charts(
    seeded: tuple[NeedsSeed, str], tmp_path: Path
) -> None:
    out = tmp_path / "needs.xlsx"
    shown = run("--centre", "aksu", "--out", str(out))
    assert "Компьютер сауаттылығы" in shown and "тағы бір топ ашыңыз" in shown
    assert "9 people: 6 completed the survey, 3 did not" in shown and f"written {out}" in shown
    book = load_workbook(out)
    assert book.sheetnames == KK_SHEETS
    summary = book["Жиынтық"]
    rows = values(summary)
    assert rows[0] == ["№", "Оқу бағыты", "Оқығысы келетіндер", "Орын саны", "Бос орын", "Күту тізімінде",
                       "Әлі орын алмағандар", "Ұсыныс", "Курстар"]
    assert rows[1:6] == AKSU_TOP
    assert len(rows[1:]) >= 13 and summary.freeze_panes == "C2"
    notes = {row[1]: row[2] for row in rows[15:] if row[1]}
    assert notes["Адам саны"] == 9 and notes["Сауалнаманы толтырғандар"] == 6
    assert notes["Сауалнаманы толтырмағандар"] == 3 and notes["Орталық"] == "aksu"
    charts = summary._charts
    assert len(charts) == 2 and [len(c.series) for c in charts] == [1, 3]
    assert [c.grouping for c in charts] == ["clustered", "clustered"]
    assert all(c.x_axis.delete is False and c.y_axis.delete is False for c in charts)  # Excel shows axes
    gender = values(book["Жынысы"])
    assert gender[0] == ["Оқу бағыты", "Оқығысы келетіндер", "Әйел", "Ер", "белгісіз"]
    assert gender[1] == ["Компьютер сауаттылығы", 4, 2, 2, 0]
    # A row per settlement, a column per interest (in the summary's order).
    settlements = values(book["Елді мекендер"])
    assert settlements[0][:4] == ["Елді мекен", "Компьютер сауаттылығы", "Тігін", "Ауыл шаруашылығы және агробизнес"]
    assert [row[:3] for row in settlements[1:]] == [["Ақсу", 3, 1], ["Қарасу", 1, 1], ["Жаңа Жол", 0, 0],
                                                    ["белгісіз", 0, 0]]
    situation = dict(zip(values(book["Қызмет түрі"])[0], values(book["Қызмет түрі"])[1], strict=True))
    assert (situation["Жұмыс іздеп жүрмін"], situation["Жалдамалы жұмыс істеймін"]) == (2, 2)
    assert situation["Шаруа қожалығым бар"] == 1 and situation["Зейнеткермін"] == 0
    assert values(book["Басқа қалаулар"]) == [["Тағы нені үйренгісі келеді"], ["Кілем тоқу"]]


async def _audit(url: str) -> list[AuditEntry]:
    db = Database.from_url(url)
    try:
        async with db.transaction() as session:
            return list((await session.scalars(select(AuditEntry).where(AuditEntry.action == "report.needs"))).all())
    finally:
        await db.dispose()


def test_russian_headers_and_the_audit_log(seeded: tuple[NeedsSeed, str], tmp_path: Path) -> None:
    s, url = seeded
    out = tmp_path / "needs.xlsx"
    run("--centre", "aksu", "--lang", "ru", "--out", str(out))
    book = load_workbook(out)
    assert book.sheetnames == RU_SHEETS
    rows = values(book["Сводка"])
    assert rows[0][:8] == ["№", "Направление обучения", "Запросили", "Мест", "Свободных мест",
                           "В листе ожидания", "Ещё без места", "Рекомендация"]
    assert rows[1][1:8] == ["Компьютерная грамотность", 4, 2, 0, 2, 2, "откройте ещё одну группу"]
    assert values(book["Пол"])[0][2:] == ["Женский", "Мужской", "неизвестно"]
    [entry] = asyncio.run(_audit(url))
    assert (entry.subject, entry.centre_id, entry.actor.startswith("cli:")) == ("centres:aksu", s.aksu, True)
    assert entry.detail == {"since": None, "format": "xlsx", "file": "needs.xlsx", "people": 9}


def test_csv_has_a_bom_and_since_leaves_older_surveys_out(seeded: tuple[NeedsSeed, str], tmp_path: Path) -> None:
    out = tmp_path / "needs.csv"
    shown = run("--centre", "aksu", "--since", "2026-02-20", "--lang", "ru", "--out", str(out))
    assert "9 people: 5 completed the survey since 2026-02-20, 4 did not" in shown
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    assert rows[0][:3] == ["№", "Направление обучения", "Запросили"]
    assert rows[1] == ["1", "Компьютерная грамотность", "4", "2", "0", "2", "2", "откройте ещё одну группу",
                       "computer-1"]
    # marat's January survey is left out: nobody asks for welding any more.
    welding = next(row for row in rows if row[1] == "Сварка")
    assert welding[2:8] == ["0", "0", "0", "0", "0", "спроса нет"]


def test_json_of_every_centre(seeded: tuple[NeedsSeed, str], tmp_path: Path) -> None:
    out = tmp_path / "needs.json"
    run("--out", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["centres"] == ["aksu", "kyzyl"]
    # kyzyl's facilitator is staff, not one of its people.
    assert (data["people"], data["answered"], data["not_answered"]) == (11, 7, 4)
    computer = data["interests"][0]
    # kyzyl's 4 free seats do not seat aksu's two waiting people: aksu needs another group.
    assert {k: computer[k] for k in ("id", "asked", "seats", "free_seats", "waiting", "served", "unmet",
                                     "group_size", "advice", "advice_centres")} == {
        "id": "computer", "asked": 5, "seats": 7, "free_seats": 4, "waiting": 2, "served": 3, "unmet": 2,
        "group_size": 2, "advice": "open_group", "advice_centres": ["aksu"]}
    assert [{k: n[k] for k in ("centre", "asked", "free_seats", "unmet", "advice")} for n in computer["by_centre"]] == [
        {"centre": "aksu", "asked": 4, "free_seats": 0, "unmet": 2, "advice": "open_group"},
        {"centre": "kyzyl", "asked": 1, "free_seats": 4, "unmet": 0, "advice": "enough"}]
    assert computer["courses"] == ["aksu/computer-1", "kyzyl/computer-1"]
    assert computer["by_centre"][1]["advice_text"]["ru"] == "мест достаточно"
    assert computer["label"] == {"kk": "Компьютер сауаттылығы", "ru": "Компьютерная грамотность"}
    gender = {g["id"]: g["people"] for g in computer["breakdowns"]["gender"]}
    assert gender == {"female": 3, "male": 2, "unknown": 0}
    other = next(i for i in data["interests"] if i["id"] == "other")
    assert other["other_texts"] == ["Кілем тоқу"]


def test_a_facilitator_sees_only_their_centre(seeded: tuple[NeedsSeed, str], tmp_path: Path) -> None:
    out = tmp_path / "needs.json"
    result = CliRunner().invoke(app, ["--as", FACILITATOR_PHONE, "report", "needs", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["centres"] == ["kyzyl"] and (data["people"], data["answered"]) == (2, 1)
    assert data["interests"][0]["advice"] == "enough"
    refused = CliRunner().invoke(app, ["--as", FACILITATOR_PHONE, "report", "needs", "--centre", "aksu",
                                       "--out", str(tmp_path / "theirs.json")])
    assert refused.exit_code == 1 and "not a facilitator at centre 'aksu'" in refused.output
    assert not (tmp_path / "theirs.json").exists()


@pytest.mark.parametrize(("args", "line"), [
    (["--since", "March"], "--since 'March': give a date as YYYY-MM-DD"),
    (["--since", "0001-01-01"], "--since '0001-01-01': give a date between 2000 and 2100"),
    (["--since", "2026-02-30"], "--since '2026-02-30': give a date as YYYY-MM-DD"),
    (["--lang", "en"], "--lang 'en': give kk or ru"),
    (["--centre", "aksu", "--all"], "give --centre SLUG or --all, not both"),
    (["--centre", "mars"], "no centre 'mars'"),
])
def test_bad_input_is_one_line(seeded: tuple[NeedsSeed, str], tmp_path: Path, args: list[str], line: str) -> None:
    output = run(*args, "--out", str(tmp_path / "needs.xlsx"), code=1)
    assert line in output and len(output.strip().splitlines()) == 1, output
    assert not (tmp_path / "needs.xlsx").exists()


def test_an_existing_file_is_kept_unless_forced(seeded: tuple[NeedsSeed, str], tmp_path: Path) -> None:
    out = tmp_path / "needs.csv"
    out.write_text("keep me", encoding="utf-8")
    assert "exists; give --force to replace it" in run("--out", str(out), code=1)
    assert out.read_text(encoding="utf-8") == "keep me"
    assert "give --format xlsx, csv or json" in run("--out", str(tmp_path / "needs.txt"), code=1)
    run("--out", str(out), "--force")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


def _in_db(url: str, work: Callable[[AsyncSession], Awaitable[None]]) -> None:
    async def run() -> None:
        db = Database.from_url(url)
        try:
            async with db.transaction() as session:
                await work(session)
        finally:
            await db.dispose()

    asyncio.run(run())


def test_villagers_text_stays_text_in_the_xlsx(seeded: tuple[NeedsSeed, str], tmp_path: Path) -> None:
    s, url = seeded

    async def typed(session: AsyncSession) -> None:
        await add_villager(session, s.aksu, s.version, "prankster", answers(
            "male", "age_18_29", ["employed"], "=1+2", ["other"], ["evenings"], ["cost"],
            interest_other='=HYPERLINK("http://x.example","click")\x07 тоқу'))

    _in_db(url, typed)
    out = tmp_path / "needs.xlsx"
    run("--centre", "aksu", "--out", str(out))
    book = load_workbook(out)
    place = next(row[0] for row in book["Елді мекендер"].iter_rows(min_row=2) if row[0].value == "=1+2")
    assert place.data_type == "s"  # a text, never a formula Excel would run
    texts = [row[0] for row in book["Басқа қалаулар"].iter_rows(min_row=2)]
    assert [(c.value, c.data_type) for c in texts] == [
        ("Кілем тоқу", "s"), ('=HYPERLINK("http://x.example","click") тоқу', "s")]


def test_several_centres_advice_per_centre(seeded: tuple[NeedsSeed, str], tmp_path: Path) -> None:
    out = tmp_path / "needs.xlsx"
    shown = run("--out", str(out), "--lang", "ru")
    # kyzyl's free seats do not answer aksu's demand; the terminal says whose advice it is.
    assert "откройте ещё одну группу (aksu)" in shown
    book = load_workbook(out)
    assert book.sheetnames[:2] == ["Сводка", "По центрам"]
    assert values(book["Сводка"])[1][7] == "откройте ещё одну группу (aksu)"
    by_centre = values(book["По центрам"])
    assert by_centre[0] == ["Центр", "Направление обучения", "Запросили", "Мест", "Свободных мест",
                            "В листе ожидания", "Ещё без места", "Рекомендация"]
    computer = [row for row in by_centre if row[1] == "Компьютерная грамотность"]
    assert computer == [["aksu", "Компьютерная грамотность", 4, 2, 0, 2, 2, "откройте ещё одну группу"],
                        ["kyzyl", "Компьютерная грамотность", 1, 5, 4, 0, 0, "мест достаточно"]]


def test_nothing_for_now_is_counted_apart(seeded: tuple[NeedsSeed, str], tmp_path: Path) -> None:
    s, url = seeded
    definition = needs().model_dump(mode="json")
    definition["choice_lists"]["interests"].append(
        {"id": "nothing_now", "label": {"kk": "Әзірге ештеңе", "ru": "Пока ничего"}, "exclusive": True})

    async def twelve(session: AsyncSession) -> None:
        version, _ = await surveys.publish(session, "needs", definition, source="needs.yaml", now=T0)
        for n in range(12):
            await add_villager(session, s.aksu, version.id, f"later{n}", {"interests": ["nothing_now"]})

    _in_db(url, twelve)
    out = tmp_path / "needs.json"
    shown = run("--centre", "aksu", "--out", str(out))
    assert "12 chose 'Әзірге ештеңе': no interest, counted apart" in shown
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["nothing_now"] == [{"id": "nothing_now", "label": {"kk": "Әзірге ештеңе", "ru": "Пока ничего"},
                                    "people": 12}]
    assert "nothing_now" not in {i["id"] for i in data["interests"]}
    assert data["interests"][0]["id"] == "computer" and data["answered"] == 18
    xlsx = tmp_path / "needs.xlsx"
    run("--centre", "aksu", "--out", str(xlsx))
    notes = {row[1]: row[2] for row in values(load_workbook(xlsx)["Жиынтық"])[15:] if row[1]}
    assert notes["Әзірге ештеңе"] == 12


def test_the_report_command_imports_on_its_own() -> None:
    # bot.features loads the results feature, which loads this command: no cycle back.
    done = subprocess.run([sys.executable, "-c", "import bot.admin.report"], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[3], check=False)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_an_interrupted_report_leaves_no_file_and_no_audit_row(
    seeded: tuple[NeedsSeed, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    _s, url = seeded
    out = tmp_path / "needs.xlsx"

    def half(partial: Path, form: str, document: NeedsDocument, tr: Translator) -> None:
        partial.write_bytes(b"PK half a workbook")
        raise failure

    monkeypatch.setattr(report_needs, "write_needs", half)
    if isinstance(failure, KeyboardInterrupt):
        # Typer turns Ctrl-C into "Aborted." and exit status 130.
        assert CliRunner().invoke(app, ["report", "needs", "--centre", "aksu", "--out", str(out)]).exit_code == 130
    else:
        shown = run("--centre", "aksu", "--out", str(out), code=1)
        assert "No space left on device" in shown and len(shown.strip().splitlines()) == 1
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    assert asyncio.run(_audit(url)) == []
