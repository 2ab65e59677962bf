"""The few pyxform calls this project makes, typed: pyxform ships no type information."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pyxform.errors import PyXFormError  # type: ignore[import-untyped]
from pyxform.xls2json_backends import get_xlsform  # type: ignore[import-untyped]
from pyxform.xls2xform import convert  # type: ignore[import-untyped]


class FormError(Exception):
    """pyxform refused the file; the message is pyxform's own (it names rows as ``[row : 5]``)."""


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
    except PyXFormError as exc:
        raise FormError(str(exc)) from None
    return Workbook(_rows(data.survey), _rows(data.choices), _rows(data.settings))


def check_with_pyxform(path: Path) -> list[str]:
    """pyxform's own conversion to an XForm, as KoBoToolbox and ODK Central run it: its warnings,
    or :class:`FormError` with its error."""
    warnings: list[str] = []
    try:
        convert(xlsform=str(path), warnings=warnings)
    except PyXFormError as exc:
        raise FormError(str(exc)) from None
    return [str(warning) for warning in warnings]
