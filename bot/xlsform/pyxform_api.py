"""The few pyxform calls this project makes, typed: pyxform ships no type information."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pyxform.errors import PyXFormError  # type: ignore[import-untyped]
from pyxform.xls2json_backends import get_xlsform  # type: ignore[import-untyped]
from pyxform.xls2xform import convert  # type: ignore[import-untyped]

from flows.errors import DataError

# pyxform's own refusal, and what its parser raises on a file it does not expect (a damaged
# workbook, a cell where a sheet was expected): a person's file, never a traceback.
_REFUSED = (PyXFormError, ValueError, KeyError, TypeError, AttributeError, IndexError)


@dataclass(frozen=True)
class Workbook:
    survey: Sequence[Mapping[str, str]]
    choices: Sequence[Mapping[str, str]]
    settings: Sequence[Mapping[str, str]]


def _rows(rows: object) -> list[dict[str, str]]:
    if not isinstance(rows, list):
        return []
    return [{str(key): str(value) for key, value in row.items() if value is not None}
            for row in rows if isinstance(row, dict)]


def read_workbook(path: Path) -> Workbook:
    """The sheets as pyxform reads them: row i is the sheet's row i + 2, empty rows kept."""
    try:
        data = get_xlsform(xlsform=str(path))
    except _REFUSED as exc:
        raise DataError(str(exc) or type(exc).__name__) from None
    return Workbook(_rows(data.survey), _rows(data.choices), _rows(data.settings))


def check_with_pyxform(path: Path) -> list[str]:
    """pyxform's own conversion to an XForm, as KoBoToolbox and ODK Central run it: its warnings,
    or :class:`DataError` with pyxform's own message (it names rows as ``[row : 5]``)."""
    warnings: list[str] = []
    try:
        convert(xlsform=str(path), warnings=warnings)
    except _REFUSED as exc:
        raise DataError(str(exc) or type(exc).__name__) from None
    return [str(warning) for warning in warnings]
