"""``clc-admin questionnaire validate|load`` as a facilitator runs them."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from admin_cli import app
from storage.db import Database
from storage.models.surveys import Questionnaire, QuestionnaireVersion

ROOT = Path(__file__).resolve().parents[2]
NEEDS = ROOT / "flows" / "questionnaires" / "needs.yaml"
runner = CliRunner()

BROKEN = """id: broken
title: {kk: Сынақ, ru: Тест}
thanks: {kk: Рақмет, ru: Спасибо}
questions:
  - id: first
    type: single
    choices:
      - {id: a, label: {kk: А, ru: А}}
      - {id: a, label: {kk: Ә, ru: Я}}
    label: {kk: Бір}
  - id: second
    type: rating
    label: {kk: Екі, ru: Два}
"""


def test_validate_accepts_the_shipped_needs_survey() -> None:
    result = runner.invoke(app, ["questionnaire", "validate", str(NEEDS)])
    assert result.exit_code == 0, result.output
    assert "questionnaire 'needs' is valid (15 questions)" in result.output


def test_validate_prints_every_problem_and_exits_non_zero(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    result = runner.invoke(app, ["questionnaire", "validate", str(path)])
    assert result.exit_code == 1
    assert f"{path}:10: question 'first': label.ru: the Russian text is missing" in result.output
    assert f"{path}:12: question 'second': unknown question type 'rating'" in result.output
    assert f"{path}:9: question 'first': choices has duplicate id 'a'" in result.output  # the same run
    fixed = BROKEN.replace("{kk: Бір}", "{kk: Бір, ru: Один}").replace("rating", "text")
    path.write_text(fixed, encoding="utf-8")
    result = runner.invoke(app, ["questionnaire", "validate", str(path)])
    assert result.exit_code == 1
    assert f"{path}:9: question 'first': choices has duplicate id 'a'" in result.output


EVERY_KIND = """id: many
title: {kk: Сынақ, ru: Тест}
thanks: {kk: Рақмет, ru: Спасибо}
choice_lists:
  colours:
    - {id: red, label: {kk: Қызыл, ru: Красный}}
    - {id: red, label: {kk: Көк, ru: Синий}}
questions:
  - id: first
    type: single
    choices: colours
    label: {kk: Бір}
    label: {kk: Бір, ru: Один}
  - id: second
    type: rating
    label: {kk: Екі, ru: Два}
    relevant: first = 'green'
  - id: third
    type: text
    relevant: ghost = 'yes'
    label: {kk: Үш}
  - id: first
    type: single
    choices: shapes
    label: {kk: Төрт, ru: Четыре}
  - id: fifth
    type: integer
    constraint: . >> 3
    constraint_message: {kk: Қате, ru: Ошибка}
    label: {kk: Бес, ru: Пять}
    colour: red
"""


def test_validate_reports_problems_of_every_kind_in_one_run(tmp_path: Path) -> None:
    """A facilitator fixing a file should not have to run validate once per kind of mistake."""
    path = tmp_path / "many.yaml"
    path.write_text(EVERY_KIND, encoding="utf-8")
    result = runner.invoke(app, ["questionnaire", "validate", str(path)])
    assert result.exit_code == 1
    expected = [
        f"{path}:13: question 'first': label is given twice; only the last one counts",  # YAML structure
        f"{path}:7: choice list 'colours' has duplicate id 'red'",  # duplicates
        f"{path}:15: question 'second': unknown question type 'rating'",  # schema
        f"{path}:17: question 'second': relevant: 'green' is not a choice of 'first' (red)",
        f"{path}:20: question 'third': relevant refers to unknown question 'ghost'",  # references
        f"{path}:21: question 'third': label.ru: the Russian text is missing",
        f"{path}:22: question 'first': duplicate question id 'first'",
        f"{path}:24: question 'first': unknown choice list 'shapes'",
        f"{path}:28: question 'fifth': constraint: unexpected '>' at position 4 in '. >> 3'",  # expressions
        f"{path}:31: question 'fifth': unknown field 'colour'",
    ]
    for line in expected:
        assert line in result.output
    reported = [line for line in result.output.splitlines() if re.match(rf"{re.escape(str(path))}:\d+:", line)]
    assert len(reported) == len(expected), reported
    assert [int(line.split(":")[1]) for line in reported] == sorted(int(line.split(":")[1]) for line in reported)


def test_validate_a_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["questionnaire", "validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2 and "cannot read the file" in result.output


def test_load_stores_versions_and_an_unchanged_file_adds_none(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLC_DATABASE_URL", sqlite_url)
    first = runner.invoke(app, ["questionnaire", "load", str(NEEDS)])
    assert first.exit_code == 0, first.output
    assert "questionnaire 'needs': stored as version 1" in first.output
    again = runner.invoke(app, ["questionnaire", "load", str(NEEDS)])
    assert "questionnaire 'needs': unchanged, still version 1" in again.output
    edited = tmp_path / "needs.yaml"
    edited.write_text(NEEDS.read_text(encoding="utf-8").replace("Укажите ваш пол", "Ваш пол"), encoding="utf-8")
    second = runner.invoke(app, ["questionnaire", "load", str(edited), "--activate"])
    assert "questionnaire 'needs': stored as version 2" in second.output

    async def stored() -> list[tuple[str, int, bool]]:
        db = Database.from_url(sqlite_url)
        try:
            async with db.transaction() as session:
                rows = await session.execute(
                    select(Questionnaire.slug, QuestionnaireVersion.version, Questionnaire.active)
                    .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
                    .order_by(QuestionnaireVersion.version)
                )
                return [tuple(row) for row in rows]  # type: ignore[misc]
        finally:
            await db.dispose()

    assert asyncio.run(stored()) == [("needs", 1, True), ("needs", 2, True)]


def test_load_refuses_an_invalid_file(tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLC_DATABASE_URL", sqlite_url)
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    result = runner.invoke(app, ["questionnaire", "load", str(path)])
    assert result.exit_code == 1 and "the Russian text is missing" in result.output


def test_the_course_feedback_never_becomes_the_menus_survey(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLC_DATABASE_URL", sqlite_url)
    feedback = ROOT / "flows" / "questionnaires" / "course_feedback.yaml"
    refused = runner.invoke(app, ["questionnaire", "load", str(feedback), "--activate"])
    assert refused.exit_code == 2 and "cannot be the menu's survey" in refused.output
    loaded = runner.invoke(app, ["questionnaire", "load", str(feedback)])  # the first one stored
    assert loaded.exit_code == 0 and "'course_feedback': stored as version 1" in loaded.output

    async def active() -> list[str]:
        db = Database.from_url(sqlite_url)
        try:
            async with db.transaction() as session:
                return list((await session.scalars(select(Questionnaire.slug).where(Questionnaire.active))).all())
        finally:
            await db.dispose()

    assert asyncio.run(active()) == []  # the needs survey becomes active when it is first used
