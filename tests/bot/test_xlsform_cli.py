"""``clc-admin questionnaire import|export|validate`` with XLSForm files, as a facilitator runs them."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert  # type: ignore[import-untyped]
from sqlalchemy import select
from typer.testing import CliRunner

from admin_cli import app
from bot.features.surveys import shipped_default
from bot.xlsform.files import read_xlsform, write_xlsform
from storage.db import Database
from storage.models.surveys import Questionnaire, QuestionnaireVersion
from tests.bot.xlsform_forms import KK, RU, school_form, write_form

ROOT = Path(__file__).resolve().parents[2]
NEEDS = ROOT / "flows" / "questionnaires" / "needs.yaml"


@pytest.fixture
def db_url(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CLC_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("CLC_ADMIN_AS", raising=False)
    return sqlite_url


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == code, (args, result.output)
    assert "Traceback" not in result.output
    return result.output


def stored(url: str) -> list[tuple[str, bool, int, str]]:
    async def read() -> list[tuple[str, bool, int, str]]:
        db = Database.from_url(url)
        try:
            async with db.transaction() as session:
                rows = await session.execute(
                    select(Questionnaire.slug, Questionnaire.active, QuestionnaireVersion.version,
                           QuestionnaireVersion.source)
                    .join(QuestionnaireVersion, QuestionnaireVersion.questionnaire_id == Questionnaire.id)
                    .order_by(Questionnaire.slug, QuestionnaireVersion.version))
                return [tuple(row) for row in rows.all()]  # type: ignore[misc]
        finally:
            await db.dispose()

    return asyncio.run(read())


def test_import_checks_then_publishes_and_activates(tmp_path: Path, db_url: str) -> None:
    form = school_form(tmp_path / "school.xlsx")
    checked = run("questionnaire", "import", str(form))
    assert f"{form}: questionnaire 'school' is valid (11 questions); --publish stores it" in checked
    assert "  children_count: SMS kk " in checked and "budget 2: ok" in checked
    assert "calculate 'twice' is not used" in checked
    assert stored(db_url) == []  # nothing stored without --publish
    assert "questionnaire 'school': stored as version 1" in run("questionnaire", "import", str(form), "--activate")
    assert "unchanged, still version 1" in run("questionnaire", "import", str(form), "--publish")
    assert stored(db_url) == [("school", True, 1, "school.xlsx")]
    assert "stored as version 1" in run("questionnaire", "import", str(form), "--publish", "--id", "school_2026")
    assert ("school_2026", False, 1, "school.xlsx") in stored(db_url)


def test_import_prints_every_problem_and_stores_nothing(tmp_path: Path, db_url: str) -> None:
    survey = [{"type": "text", "name": "village", RU: "Село?"},
              {"type": "geopoint", "name": "where", KK: "Қай жер?", RU: "Где?"}]
    form = write_form(tmp_path / "bad.xlsx", survey, settings={"form_id": "bad"})
    output = run("questionnaire", "import", str(form), "--publish", code=1)
    assert f"{form}: survey sheet, column '{KK}': the Kazakh text is missing in rows 2" in output
    assert f"{form}: survey sheet, row 3, column 'type': question 'where': 'geopoint' questions cannot be " \
           "asked in a chat" in output
    assert f"{form}: 2 problems found" in output
    assert stored(db_url) == []
    assert "cannot read the file" in run("questionnaire", "import", str(tmp_path / "none.xlsx"), code=2)


def test_validate_reports_an_imported_question_over_the_sms_budget(tmp_path: Path) -> None:
    long = "Ауылыңызда балаларға арналған үйірмелер, спорт секциялары және кітапхана бар ма, " * 3
    survey = [{"type": "text", "name": "clubs", KK: long, RU: "Есть ли в селе кружки?"},
              {"type": "text", "name": "short", KK: "Ауыл?", RU: "Село?", "bot_sms_budget": "1"}]
    form = write_form(tmp_path / "long.xlsx", survey, settings={"form_id": "long"})
    output = run("questionnaire", "validate", str(form), code=1)
    assert "  clubs: SMS kk 5 (" in output and "OVER BUDGET" in output
    assert "  short: SMS kk 1 (" in output and "budget 1: ok" in output
    assert f"{form}: 1 question over the SMS budget" in output
    said = run("questionnaire", "import", str(form), code=1)
    assert f"{form}: questionnaire 'long' is valid, but 1 question over the SMS budget" in said
    assert "is valid (" not in said


def test_export_gives_a_form_pyxform_converts_and_import_gives_it_back(tmp_path: Path, db_url: str) -> None:
    run("questionnaire", "load", str(NEEDS))
    out = tmp_path / "needs.xlsx"
    assert f"questionnaire 'needs' version 1 written to {out}" in run(
        "questionnaire", "export", "needs", "--format", "xlsform", "--out", str(out))
    warnings: list[str] = []
    xform = convert(xlsform=str(out), warnings=warnings).xform  # pyxform's own converter
    assert "<h:title>Оқу қажеттіліктері туралы сауалнама</h:title>" in xform and warnings == []
    assert read_xlsform(out).form == shipped_default()  # ids, texts, choices, conditions: all kept
    assert "exists; give --force" in run("questionnaire", "export", "needs", "--out", str(out), code=2)
    assert "written to" in run("questionnaire", "export", "needs", "--out", str(out), "--force")
    assert "no questionnaire 'school' (stored: needs)" in run(
        "questionnaire", "export", "school", "--out", str(tmp_path / "s.xlsx"), code=2)
    assert "no questionnaire 'needs' version 7" in run(
        "questionnaire", "export", "needs", "--version", "7", "--out", str(tmp_path / "s.xlsx"), code=2)
    assert "must end in .xlsx" in run("questionnaire", "export", "needs", "--out", str(tmp_path / "s.xls"), code=2)


def test_export_refuses_a_folder_or_a_missing_folder_in_one_line(tmp_path: Path, db_url: str) -> None:
    run("questionnaire", "load", str(NEEDS))
    folder = tmp_path / "forms.xlsx"
    folder.mkdir()
    said = run("questionnaire", "export", "needs", "--out", str(folder), "--force", code=2)
    assert f"{folder} is a directory; give a file name" in said
    said = run("questionnaire", "export", "needs", "--out", str(tmp_path / "no" / "f.xlsx"), code=2)
    assert f"no directory {tmp_path / 'no'}" in said
    out = tmp_path / "out" / "needs.xlsx"
    out.parent.mkdir()
    run("questionnaire", "export", "needs", "--out", str(out))
    mask = os.umask(0o022)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask  # readable as any saved file, not 0600
    assert [p.name for p in out.parent.iterdir()] == ["needs.xlsx"]  # no temporary file left


def test_an_imported_form_exported_and_imported_again_is_the_same(tmp_path: Path, db_url: str) -> None:
    form = school_form(tmp_path / "school.xlsx")
    run("questionnaire", "import", str(form), "--publish")
    out = tmp_path / "again.xlsx"
    run("questionnaire", "export", "school", "--format", "xlsform", "--out", str(out))
    assert read_xlsform(out).form == read_xlsform(form).form
    assert "unchanged, still version 1" in run("questionnaire", "import", str(out), "--publish")


def test_bot_only_expressions_come_back_equal_unless_their_xpath_was_edited(tmp_path: Path) -> None:
    data = shipped_default().model_dump(mode="json", exclude_none=True)
    changed = {"gender": {"relevant": "consent"},  # a bare yes/no answer
               "age_group": {"relevant": "gender in ('female', 'male')"},
               "settlement": {"relevant": "age_group not in ('under_18')", "constraint": "not (. in ('x', 'y'))",
                              "constraint_message": {"kk": "Басқа жазыңыз.", "ru": "Напишите иначе."}},
               "consent": {"end_if": "not consent"}}
    for question in data["questions"]:
        question.update(changed.get(question["id"], {}))
    form = shipped_default().model_validate(data)
    out = tmp_path / "needs.xlsx"
    write_xlsform(form, out)
    assert read_xlsform(out).form == form
    book = load_workbook(out)
    survey = book["survey"]
    headers = [cell.value for cell in survey[1]]
    row = next(r for r in survey.iter_rows(min_row=2) if r[headers.index("name")].value == "gender")
    row[headers.index("relevant")].value = "${consent} = 'yes'"  # edited in Excel
    book.save(out)
    again = read_xlsform(out)
    assert again.form.question("gender").relevant == "consent = 'yes'"
    assert again.form.question("age_group").relevant == "gender in ('female', 'male')"
    assert any("relevant was edited; bot_relevant is not used" in w for w in again.warnings)
