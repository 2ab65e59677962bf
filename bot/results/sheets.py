"""What every result file's sheets and tables share: text made safe for a cell, sheet names,
header rows, charts with their axes, dates from the command line, and BOM-first CSV."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from flows.errors import DataError

BOLD = Font(bold=True)
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# Dates a centre's records can have; beyond them a date is a typo (and Python's datetime or the
# database would fail on the arithmetic around it).
FIRST_YEAR, LAST_YEAR = 2000, 2100
FORMULA_STARTS = ("=", "+", "-", "@")  # what Excel or LibreOffice would run as a formula


def safe_text(text: str) -> str:
    """Without the control characters an xlsx cannot hold (a stray one in a typed SMS)."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def append_row(sheet: Worksheet, values: Sequence[Any]) -> None:
    """``sheet.append``, with text that stays text: never a formula (a villager typed ``=1+2``)
    and without the characters an xlsx cannot hold."""
    sheet.append([safe_text(value) if isinstance(value, str) else value for value in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"


def csv_text(value: Any) -> Any:
    """A CSV cell a spreadsheet opens as text: a leading ``'`` before what it would run."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _number(value):
        return "'" + value
    return value


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def sheet_title(text: str) -> str:
    """Excel's rules for a sheet's name: at most 31 characters, none of []:*?/\\."""
    return "".join(" " if c in "[]:*?/\\" else c for c in safe_text(text))[:31] or "-"


def header_row(sheet: Worksheet, labels: Sequence[str], widths: Sequence[int], freeze: str = "A2") -> None:
    """A bold header row, frozen, and the columns' widths."""
    append_row(sheet, labels)
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = freeze


def show_axes(chart: BarChart) -> BarChart:
    # openpyxl 3.1 leaves the axes' "delete" flag out, and Excel then hides both axes.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    return chart


def parse_day(value: str, option: str) -> dt.date:
    """A ``YYYY-MM-DD`` date given on the command line, within years a centre's records can have."""
    text = value.strip()
    try:
        day = dt.date.fromisoformat(text) if DAY.fullmatch(text) else None
    except ValueError:
        day = None
    if day is None:
        raise DataError(f"{option} {value!r}: give a date as YYYY-MM-DD")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise DataError(f"{option} {value!r}: give a date between {FIRST_YEAR} and {LAST_YEAR}")
    return day


@contextmanager
def bom_csv(path: Path) -> Iterator[Any]:
    """A CSV writer in UTF-8 with a BOM, so that Excel opens Cyrillic correctly."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        yield csv.writer(handle)
