"""Streaming table writers: xlsx, csv, json and JSON Lines, one row at a time.

A result is a list of :class:`Column` (a key for JSON, a header in the reader's language, a
kind and a width) and rows of cell values, written as they come: nothing is kept after a row
is written, so a file of 100,000 rows takes the memory of one (openpyxl's write-only mode
streams the sheet to a temporary file; csv and json go straight to the file).

Cells: ``str``, ``int``, ``float``, ``bool``, ``dt.date``, ``dt.datetime`` (aware, already in
the zone the reader lives in: xlsx shows it as a real Excel date in that local time, csv as
``YYYY-MM-DD HH:MM:SS`` local time, json as ISO 8601 with its offset), a list (json only; csv
and xlsx join it with "; ") or None (an empty cell, json null).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal, Protocol

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.results.sheets import safe_text

CellKind = Literal["text", "number", "datetime", "date"]
Cell = str | int | float | bool | dt.date | dt.datetime | list[Any] | None
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
WIDTHS: dict[CellKind, float] = {"text": 18, "number": 10, "datetime": 17, "date": 11}
MAX_WIDTH = 50
# Excel runs a csv cell starting with one of these as a formula ("=HYPERLINK(…)"), unless it
# is a plain number ("+7 701 …", "-5"). Stricter than sheets.csv_text, which the reports use:
# a typed phone number with spaces stays as typed, and a leading tab or CR is guarded too.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d[\d .,]*$")


@dataclass(frozen=True)
class Column:
    key: str  # the JSON key, stable across languages
    header: str  # the header row's text, in the chosen language
    kind: CellKind = "text"
    width: float | None = None  # in characters; by default from the kind and the header

    @property
    def chars(self) -> float:
        if self.width is not None:
            return self.width
        return min(max(WIDTHS[self.kind], len(self.header) * 0.9 + 2), MAX_WIDTH)


class RowWriter(Protocol):
    def write(self, cells: Sequence[Cell]) -> None: ...

    def close(self) -> None:
        """Finish the file."""

    def discard(self) -> None:
        """Let go of the file after an error (the caller deletes it); safe to call twice."""


def _joined(value: list[Any]) -> str:
    return "; ".join("" if item is None else str(item) for item in value)


class XlsxWriter:
    """One sheet: a bold header row, frozen under it and right of the first column, widths set."""

    def __init__(self, path: Path, columns: Sequence[Column], title: str) -> None:
        self.path = path
        self.book = Workbook(write_only=True)
        sheet = self.book.create_sheet(title[:31])
        assert isinstance(sheet, WriteOnlyWorksheet)
        self.sheet = sheet
        for number, column in enumerate(columns, 1):
            # write-only sheets take Worksheet's dimensions (openpyxl copies its _setup); the stubs miss it
            sheet.column_dimensions[get_column_letter(number)].width = column.chars  # type: ignore[attr-defined]
        sheet.freeze_panes = "B2"
        bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=safe_text(column.header))
            cell.font, cell.alignment = bold, wrap
            header.append(cell)
        sheet.append(header)

    def _cell(self, value: Cell) -> object:
        if isinstance(value, list):
            value = _joined(value)
        if isinstance(value, dt.datetime):
            cell = WriteOnlyCell(self.sheet, value=value.replace(tzinfo=None))
            cell.number_format = DATETIME_FORMAT
            return cell
        if isinstance(value, dt.date):
            cell = WriteOnlyCell(self.sheet, value=dt.datetime.combine(value, dt.time()))
            cell.number_format = DATE_FORMAT
            return cell
        if isinstance(value, str):
            text = safe_text(value)
            if text.startswith("="):  # openpyxl would store it as a formula
                cell = WriteOnlyCell(self.sheet, value=text)
                cell.data_type = "s"
                return cell
            return text
        return value

    def write(self, cells: Sequence[Cell]) -> None:
        self.sheet.append([self._cell(value) for value in cells])

    def close(self) -> None:
        self.book.save(self.path)

    def discard(self) -> None:
        """openpyxl removes the sheet's temporary file when the process ends."""


class CsvWriter:
    """UTF-8 with a BOM, so that Excel opens Cyrillic correctly; a header row."""

    def __init__(self, path: Path, columns: Sequence[Column]) -> None:
        self.handle: IO[str] = path.open("w", encoding="utf-8-sig", newline="")
        self.rows = csv.writer(self.handle)
        self.rows.writerow([column.header for column in columns])

    @staticmethod
    def _text(value: Cell) -> str | int | float:
        if value is None:
            return ""
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, dt.datetime):
            return value.strftime("%Y-%m-%d %H:%M:%S")
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, list):
            value = _joined(value)
        if isinstance(value, str):
            if value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(value):
                return "'" + value
            return value
        return value

    def write(self, cells: Sequence[Cell]) -> None:
        self.rows.writerow([self._text(value) for value in cells])

    def close(self) -> None:
        self.handle.close()

    def discard(self) -> None:
        self.handle.close()


def _json_value(value: object) -> object:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


class JsonWriter:
    """One object per row (keys: the columns' keys): a JSON array, or JSON Lines."""

    def __init__(self, path: Path, columns: Sequence[Column], *, lines: bool) -> None:
        self.keys = [column.key for column in columns]
        self.lines = lines
        self.handle: IO[str] = path.open("w", encoding="utf-8", newline="\n")
        self.first = True
        if not lines:
            self.handle.write("[")

    def write(self, cells: Sequence[Cell]) -> None:
        text = json.dumps(dict(zip(self.keys, cells, strict=True)), ensure_ascii=False, default=_json_value)
        if self.lines:
            self.handle.write(text + "\n")
            return
        self.handle.write(("\n" if self.first else ",\n") + text)
        self.first = False

    def close(self) -> None:
        if not self.lines:
            self.handle.write("\n]\n")
        self.handle.close()

    def discard(self) -> None:
        self.handle.close()


def open_writer(
    path: Path, fmt: str, columns: Sequence[Column], *, title: str, lines: bool = False
) -> RowWriter:
    """A writer of ``fmt`` (xlsx, csv or json; ``lines``: JSON Lines) onto ``path``."""
    if fmt == "xlsx":
        return XlsxWriter(path, columns, title)
    if fmt == "csv":
        return CsvWriter(path, columns)
    if fmt == "json":
        return JsonWriter(path, columns, lines=lines)
    raise ValueError(f"unknown format {fmt!r}")
