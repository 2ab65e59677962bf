"""What every result file shares: villagers' text stays text, dates from the command line are
checked, sheet names follow Excel's rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from bot.results.sheets import append_row, csv_text, parse_day, sheet_title
from flows.errors import DataError


def test_typed_text_never_becomes_a_formula_nor_breaks_the_file(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    append_row(sheet, ['=HYPERLINK("http://evil","x")', "Ақсу\x01", 3])
    book.save(tmp_path / "a.xlsx")
    cells = [c.value for c in load_workbook(tmp_path / "a.xlsx").active[1]]  # type: ignore[index]
    assert cells == ['=HYPERLINK("http://evil","x")', "Ақсу", 3]
    assert load_workbook(tmp_path / "a.xlsx").active["A1"].data_type == "s"  # type: ignore[index]
    assert csv_text("=1+2") == "'=1+2" and csv_text("-5") == "-5" and csv_text("+7701") == "+7701"


@pytest.mark.parametrize(("text", "line"), [
    ("1 March", "give a date as YYYY-MM-DD"), ("2026-02-30", "give a date as YYYY-MM-DD"),
    ("9999-12-31", "between 2000 and 2100"), ("0001-01-01", "between 2000 and 2100")])
def test_a_date_outside_what_a_centre_can_have_is_one_clear_line(text: str, line: str) -> None:
    with pytest.raises(DataError, match=line):
        parse_day(text, "--to")
    assert parse_day(" 2026-03-01 ", "--from") == dt.date(2026, 3, 1)


def test_sheet_names_follow_excels_rules() -> None:
    assert sheet_title("Жастар/ауыл: [2026]" * 3) == "Жастар ауыл   2026 Жастар ауыл "
    assert sheet_title("") == "-"
