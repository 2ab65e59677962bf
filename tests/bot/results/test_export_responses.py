"""``clc-admin export responses``: the file read back equals the database, cell by cell, in kk
and ru, wide and long, across two versions of the questionnaire; csv with a BOM says the same;
json and JSON Lines; the filters; an interrupted export leaves no file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from admin_cli import app
from bot.results import export_responses
from tests.bot.results.export_cli import as_csv, csv_rows, run, seeded_database, sheet_rows
from tests.bot.results.export_seed import RUNS, V1, V2, Seeded

HEADERS = {
    "ru": ["ID анкеты", "ID контакта", "Центр", "Канал", "Начата", "Завершена", "Версия опроса", "Статус анкеты"],
    "kk": ["Сауалнама парағы ID", "Контакт ID", "Орталық", "Арна", "Басталған уақыты", "Аяқталған уақыты",
           "Сауалнама нұсқасы", "Сауалнама парағының күйі"],
}
YES = {"ru": "Да", "kk": "Иә"}
QUESTIONS = ["consent", "situation", "gender", "wish", "born", "age", "other_phone"]  # v2's order, then v1's
OPTIONS = ["unemployed", "employed", "pensioner", "student"]


@pytest.fixture
def seeded(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Seeded:
    return seeded_database(sqlite_url, monkeypatch)


def _question(qid: str) -> dict[str, Any]:
    for form in (V2, V1):
        for question in form["questions"]:
            if question["id"] == qid:
                return dict(question)
    raise KeyError(qid)


def _label(qid: str, choice: str, lang: str) -> str:
    return next(c["label"][lang] for c in _question(qid)["choices"] if c["id"] == choice)


def wide_header(lang: str, questions: list[str] = QUESTIONS, options: list[str] = OPTIONS) -> list[str]:
    header = list(HEADERS[lang])
    for qid in questions:
        label = _question(qid)["label"][lang]
        header += [f"{label}: {_label(qid, o, lang)}" for o in options] if qid == "situation" else [label]
    return header


def local(minutes: int) -> dt.datetime:
    return dt.datetime(2026, 3, 2, 14, 0) + dt.timedelta(minutes=minutes)  # Almaty and Oral: UTC+5


def wide_row(seeded: Seeded, index: int, lang: str, questions: list[str] = QUESTIONS) -> list[Any]:
    """What the database holds for run ``index`` (export_seed.RUNS), as the wide sheet shows it."""
    person, version, status, after, answers = RUNS[index]
    finished = local(after + 5) if status == "completed" else None
    row: list[Any] = [seeded.runs[index], seeded.contacts[person], "oral" if person == 3 else "aksu",
                      "sms" if person % 2 else "telegram", local(after), finished, version, status]
    asked = {q["id"] for q in (V1 if version == 1 else V2)["questions"]}
    values = {qid: value for qid, (value, _) in answers.items()}
    for qid in questions:
        if qid == "situation":
            row += [None if o == "student" and version == 1 else int(o in values["situation"]) for o in OPTIONS]
        elif qid not in asked or qid not in values:
            row.append(None)
        elif qid == "consent":
            row.append(YES[lang])
        elif qid == "gender":
            row.append(_label("gender", values[qid], lang))
        elif qid == "born":
            row.append(dt.datetime.fromisoformat(values[qid]))  # a real Excel date reads back as a datetime
        else:
            row.append(values[qid])
    return row


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_wide_xlsx_equals_the_database_across_versions(seeded: Seeded, tmp_path: Path, lang: str) -> None:
    out = tmp_path / "needs.xlsx"
    assert "3 runs written" in run("export", "responses", "--out", str(out), "--lang", lang)
    rows = sheet_rows(out)
    assert list(rows[0]) == wide_header(lang)
    # completed runs only, oldest first: run 3 is still in progress
    assert [list(row) for row in rows[1:]] == [wide_row(seeded, i, lang) for i in (0, 1, 3)]


def test_xlsx_has_a_frozen_header_widths_and_date_formats(seeded: Seeded, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "needs.xlsx"
    run("export", "responses", "--out", str(out), "--lang", "ru")
    sheet = load_workbook(out).worksheets[0]
    assert sheet.freeze_panes == "B2"
    assert sheet["A1"].font.bold
    assert sheet.column_dimensions["I"].width == 24  # a question's column
    assert sheet["E2"].number_format == "yyyy-mm-dd hh:mm" and sheet["P3"].number_format == "yyyy-mm-dd"


def test_csv_has_a_bom_and_the_same_values(seeded: Seeded, tmp_path: Path) -> None:
    run("export", "responses", "--out", str(tmp_path / "needs.xlsx"), "--lang", "kk", "--include-incomplete")
    run("export", "responses", "--out", str(tmp_path / "needs.csv"), "--lang", "kk", "--include-incomplete")
    expected = [[as_csv(cell) for cell in row] for row in sheet_rows(tmp_path / "needs.xlsx")]
    assert csv_rows(tmp_path / "needs.csv") == expected
    assert len(expected) == 5


def long_rows(seeded: Seeded, lang: str) -> list[list[Any]]:
    rows = []
    for index in (0, 1, 2, 3):
        person, version, _, after, answers = RUNS[index]
        for step, (qid, (value, raw)) in enumerate(answers.items()):
            question = _question(qid)
            if qid == "situation":
                code, label = " ".join(value), "; ".join(_label(qid, v, lang) for v in value)
            elif qid == "consent":
                code, label = value, YES[lang]
            elif qid == "gender":
                code, label = value, _label(qid, value, lang)
            elif qid == "born":
                code, label = dt.datetime.fromisoformat(value), None
            else:
                code, label = value, None
            rows.append([seeded.runs[index], seeded.contacts[person], "oral" if person == 3 else "aksu", version,
                         qid, question["label"][lang], code, label, raw, local(after + step)])
    return rows


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_long_xlsx_has_one_row_per_answer(seeded: Seeded, tmp_path: Path, lang: str) -> None:
    out = tmp_path / "long.xlsx"
    assert "17 answer rows written" in run("export", "responses", "--out", str(out), "--long", "--lang", lang,
                                           "--include-incomplete")
    rows = sheet_rows(out)
    assert rows[0][:4] == (*HEADERS[lang][:3], HEADERS[lang][6])
    assert [list(row) for row in rows[1:]] == long_rows(seeded, lang)


def test_one_version_has_only_its_questions(seeded: Seeded, tmp_path: Path) -> None:
    out = tmp_path / "v1.xlsx"
    run("export", "responses", "--out", str(out), "--version", "1", "--lang", "ru")
    rows = sheet_rows(out)
    v1 = ["consent", "situation", "gender", "age", "other_phone"]
    assert list(rows[0]) == wide_header("ru", v1, OPTIONS[:3])
    assert [list(row) for row in rows[1:]] == [
        [*wide_row(seeded, i, "ru", v1)[:12], *wide_row(seeded, i, "ru", v1)[13:]] for i in (0, 3)]


@pytest.mark.parametrize(("options", "runs"), [
    (["--centre", "oral"], [3]),
    (["--since", "2026-03-03"], [1]),
    (["--until", "2026-03-02"], [0, 3]),
    (["--since", "2026-03-03", "--include-incomplete"], [1, 2]),
    (["--since", "2026-03-05"], []),
])
def test_filters(seeded: Seeded, tmp_path: Path, options: list[str], runs: list[int]) -> None:
    out = tmp_path / "some.csv"
    run("export", "responses", "--out", str(out), *options)
    assert [int(row[0]) for row in csv_rows(out)[1:]] == [seeded.runs[i] for i in runs]


def test_json_one_object_per_run_and_json_lines(seeded: Seeded, tmp_path: Path) -> None:
    run("export", "responses", "--out", str(tmp_path / "r.json"), "--lang", "ru")
    found = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert [item["run_id"] for item in found] == [seeded.runs[i] for i in (0, 1, 3)]
    first = found[0]
    assert first["situation"] == ["Ищу работу", "На пенсии"] and first["gender"] == "Женский"
    assert first["started"] == "2026-03-02T14:00:00+05:00" and first["wish"] is None
    assert found[1]["born"] == "1990-03-25" and found[1]["age"] == 36

    run("export", "responses", "--out", str(tmp_path / "r.jsonl"), "--lang", "ru", "--long")
    lines = (tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()
    answers = [json.loads(line) for line in lines]
    assert len(answers) == 15
    assert answers[1]["value"] == ["unemployed", "pensioner"]
    assert answers[1]["label"] == ["Ищу работу", "На пенсии"] and answers[1]["raw_text"] == "1 3"


@pytest.mark.parametrize("error", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_an_interrupted_export_leaves_no_file(
    seeded: Seeded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    real = export_responses.ResponseTable.rows
    seen: list[int] = []

    def failing(self: export_responses.ResponseTable, item: Any) -> Any:
        seen.append(item.id)
        if len(seen) == 2:
            raise error
        return real(self, item)

    monkeypatch.setattr(export_responses.ResponseTable, "rows", failing)
    folder = tmp_path / "out"
    folder.mkdir()
    for fmt in ("xlsx", "csv", "json"):
        seen.clear()
        result = CliRunner().invoke(app, ["export", "responses", "--out", str(folder / f"half.{fmt}")])
        if isinstance(error, KeyboardInterrupt):
            assert result.exit_code == 130, result.output  # Click's "Aborted!" after Ctrl-C
        else:
            assert isinstance(result.exception, RuntimeError), result.output
        assert len(seen) == 2, "the export did not get mid-way"
        assert list(folder.iterdir()) == [], fmt
