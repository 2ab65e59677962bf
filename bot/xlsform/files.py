"""Read an XLSForm into a questionnaire, and write a questionnaire as an XLSForm file."""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from openpyxl import Workbook as XlsxBook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.results.files import safe_output
from bot.xlsform.pyxform_api import check_with_pyxform, read_workbook
from flows.errors import DataError, Problem, QuestionnaireError
from flows.questionnaire.schema import Questionnaire
from flows.questionnaire.xlsform import Imported, import_xlsform, size_problem
from flows.questionnaire.xlsform_out import export_xlsform
from flows.questionnaire.xlsform_work import Sheets

XLSFORM_SUFFIXES = (".xlsx", ".xlsm", ".xls")
MAX_BYTES = 5_000_000  # a form of 300 questions in two languages is well under 1 MB
_OLD_EXCEL = bytes.fromhex("d0cf11e0a1b11ae1")  # .xls: an OLE2 compound file


def is_xlsform(path: Path) -> bool:
    return path.suffix.lower() in XLSFORM_SUFFIXES


def read_xlsform(path: Path, *, questionnaire_id: str | None = None,
                 skip_unsupported: bool = False) -> Imported:
    """The questionnaire of an XLSForm file, checked; :class:`QuestionnaireError` lists every
    problem (pyxform's own first: a file pyxform refuses is not read further)."""
    if not path.is_file():
        raise FileNotFoundError(2, "no such file", str(path))
    refused = _not_a_workbook(path)
    if refused is not None:
        raise QuestionnaireError([Problem(str(path), None, None, refused)])
    try:
        book = read_workbook(path)
    except DataError as exc:
        raise QuestionnaireError([Problem(str(path), None, None, f"pyxform: {exc}")]) from None
    sheets = Sheets(str(path), book.survey, book.choices, book.settings)
    too_long = size_problem(sheets)  # before pyxform's conversion, which takes seconds on thousands of rows
    if too_long is not None:
        raise QuestionnaireError([too_long])
    try:
        pyxform_warnings = check_with_pyxform(path)
    except DataError as exc:
        raise QuestionnaireError([Problem(str(path), None, None, f"pyxform: {exc}")]) from None
    imported = import_xlsform(sheets, questionnaire_id=questionnaire_id, skip_unsupported=skip_unsupported)
    notes = tuple(f"{path}: pyxform: {' '.join(w.split())}" for w in pyxform_warnings)
    return Imported(imported.form, imported.warnings + notes)


def _not_a_workbook(path: Path) -> str | None:
    """Why the file is not an Excel workbook pyxform can read, said before pyxform's own words
    (about a missing survey sheet in a CSV, or a zip error) would puzzle a facilitator."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        return f"the file is {size / 1e6:.1f} MB; an XLSForm may be at most {MAX_BYTES // 1_000_000} MB"
    with path.open("rb") as file:
        head = file.read(len(_OLD_EXCEL))
    if head == _OLD_EXCEL or (zipfile.is_zipfile(path) and path.suffix.lower() != ".xls"):
        return None
    return "not an Excel workbook: save the form from Excel as .xlsx"


def write_xlsform(form: Questionnaire, path: Path, *, force: bool = False) -> None:
    """The questionnaire as an XLSForm file, written under a temporary name and renamed, so an
    error leaves no half-written file; pyxform must accept it (or :class:`DataError`). A file
    that cannot be written raises :class:`bot.results.files.OutputError` or :class:`OSError`."""
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
    # pyxform reads a file by its extension: check a copy named .xlsx, then write the result.
    with tempfile.TemporaryDirectory(prefix="clc-xlsform-") as folder:
        checked = Path(folder) / "form.xlsx"
        book.save(checked)
        check_with_pyxform(checked)
        with safe_output(path, force=force) as partial:
            shutil.copyfile(checked, partial)
            partial.chmod(0o666 & ~_umask())  # as Excel would save it, not the temporary file's 0600


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
