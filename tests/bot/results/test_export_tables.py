"""The export's writers keep a villager's typed text as text: never a formula in csv or xlsx,
without the characters an xlsx cannot hold, while a phone number stays as typed."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import load_workbook

from bot.results.tables import Column, open_writer

COLUMNS = [Column("id", "ID", "number"), Column("text", "Text")]
TYPED = ['=HYPERLINK("http://evil","x")', "+1+cmd|' /C calc'!A0", "@SUM(A1)", "-2+3", "\t=1+2", "Ақсу\x01",
         "+7 701 555 00 01", "-5", "8 701 777 00 11"]


def _write(path: Path, fmt: str) -> None:
    writer = open_writer(path, fmt, COLUMNS, title="t")
    for number, text in enumerate(TYPED, 1):
        writer.write([number, text])
    writer.close()


def test_csv_cells_that_would_run_get_a_quote(tmp_path: Path) -> None:
    _write(tmp_path / "t.csv", "csv")
    with (tmp_path / "t.csv").open(encoding="utf-8-sig", newline="") as handle:
        texts = [row[1] for row in list(csv.reader(handle))[1:]]
    assert texts == ['\'=HYPERLINK("http://evil","x")', "'+1+cmd|' /C calc'!A0", "'@SUM(A1)", "'-2+3", "'\t=1+2",
                     "Ақсу\x01", "+7 701 555 00 01", "-5", "8 701 777 00 11"]


def test_xlsx_cells_are_text_never_formulas(tmp_path: Path) -> None:
    _write(tmp_path / "t.xlsx", "xlsx")
    sheet = load_workbook(tmp_path / "t.xlsx").worksheets[0]
    cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert [cell.value for cell in cells] == [*TYPED[:5], "Ақсу", *TYPED[6:]]
    assert {cell.data_type for cell in cells} == {"s"}
