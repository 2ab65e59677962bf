"""Read an XLSForm into a questionnaire, and write a questionnaire as an XLSForm file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from openpyxl import Workbook as XlsxBook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.xlsform.pyxform_api import check_with_pyxform, read_workbook
from flows.errors import DataError, Problem, QuestionnaireError
from flows.questionnaire.schema import Questionnaire
from flows.questionnaire.xlsform import Imported, import_xlsform
from flows.questionnaire.xlsform_out import export_xlsform
from flows.questionnaire.xlsform_work import Sheets

XLSFORM_SUFFIXES = (".xlsx", ".xlsm", ".xls")


def is_xlsform(path: Path) -> bool:
    return path.suffix.lower() in XLSFORM_SUFFIXES


def read_xlsform(path: Path, *, questionnaire_id: str | None = None,
                 skip_unsupported: bool = False) -> Imported:
    """The questionnaire of an XLSForm file, checked; :class:`QuestionnaireError` lists every
    problem (pyxform's own first: a file pyxform refuses is not read further)."""
    if not path.is_file():
        raise FileNotFoundError(2, "no such file", str(path))
    try:
        pyxform_warnings = check_with_pyxform(path)
        book = read_workbook(path)
    except DataError as exc:
        raise QuestionnaireError([Problem(str(path), None, None, f"pyxform: {exc}")]) from None
    sheets = Sheets(str(path), book.survey, book.choices, book.settings)
    imported = import_xlsform(sheets, questionnaire_id=questionnaire_id, skip_unsupported=skip_unsupported)
    notes = tuple(f"{path}: pyxform: {' '.join(w.split())}" for w in pyxform_warnings)
    return Imported(imported.form, imported.warnings + notes)


def write_xlsform(form: Questionnaire, path: Path) -> None:
    """The questionnaire as an XLSForm file, written under a temporary name and renamed, so an
    error leaves no half-written file; pyxform must accept it (or :class:`DataError`)."""
    book = XlsxBook()
    first = True
    for sheet in export_xlsform(form):
        page = book.active if first and book.active is not None else book.create_sheet()
        first = False
        page.title = sheet.name
        page.append(list(sheet.headers))
        for cell in page[1]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            page.append([row.get(header) for header in sheet.headers])
        for column, header in enumerate(sheet.headers, start=1):
            width = max([len(header), *(len(row.get(header, "")) for row in sheet.rows)])
            page.column_dimensions[get_column_letter(column)].width = min(60, max(10, width + 2))
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".xlsx", dir=path.parent)
    os.close(handle)
    try:
        book.save(temporary)
        check_with_pyxform(Path(temporary))
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
