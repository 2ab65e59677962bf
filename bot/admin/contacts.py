"""``clc-admin contacts``: import a centre's contact list, list and look up contacts.

The import file is CSV (UTF-8, with or without BOM) or XLSX (first sheet), with a header row:
name, phone, language (kk/ru) and optionally telegram_id, settlement, contact_consent. See
``storage.contact_import`` for what is checked and how rows match existing contacts. With
``clc-admin --as``, a facilitator imports, lists and sees only their centres' contacts.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.admin import scope
from bot.admin.runner import run_with_db
from bot.clock import system_clock
from flows.errors import DataError
from storage.contact_import import ImportReport, check_header, check_rows, import_rows
from storage.contacts import contact_details, search_contacts
from storage.db import Database
from storage.models import Centre, Contact

app = typer.Typer(no_args_is_help=True, help="Contacts: import a centre's list, list, show.")
console = Console()
Row = tuple[int, dict[str, str]]
Found = list[tuple[Contact, list[str], str | None]]
LIMIT = 500  # as storage.contacts.search_contacts


def _cell(value: object) -> str:
    # A spreadsheet may hold a Telegram id or a phone as a number: 77011234567.0 is not wanted.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _csv_rows(path: Path) -> Iterator[Row]:
    with path.open(encoding="utf-8-sig", newline="") as handle:  # -sig drops a BOM if present
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise DataError(f"{path.name}: empty file, a header row is required")
        names = check_header(header)
        for number, cells in enumerate(reader, start=2):
            yield number, dict(zip(names, (c for c in cells), strict=False))


def _xlsx_rows(path: Path) -> Iterator[Row]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        values = sheet.iter_rows(values_only=True)
        header = next(values, None)
        if header is None:
            raise DataError(f"{path.name}: empty sheet, a header row is required")
        names = check_header(_cell(v) for v in header)
        for number, cells in enumerate(values, start=2):
            yield number, {n: _cell(v) for n, v in zip(names, cells, strict=False)}
    finally:
        book.close()


def read_rows(path: Path) -> list[Row]:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise DataError(f"{path.name}: only .csv and .xlsx files can be imported")
    try:
        return list(_csv_rows(path) if suffix == ".csv" else _xlsx_rows(path))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"{path.name}: cannot read it ({exc})") from None
    except DataError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise DataError(f"{path.name}: not a readable .xlsx file ({type(exc).__name__})") from None


async def _centre(session: AsyncSession, slug: str) -> Centre:
    centre = await session.scalar(select(Centre).where(Centre.slug == slug))
    if centre is None:
        raise DataError(f"no centre {slug!r}")
    return scope.check_centre(centre)


def _print_report(report: ImportReport) -> None:
    if report.rejected:
        table = Table("row", "rejected because", title="Rejected rows")
        for rejected in report.rejected:
            table.add_row(str(rejected.row), rejected.reason)
        console.print(table)
    console.print(f"added {report.added}, already present {report.present}, updated {report.updated}, "
                  f"rejected {len(report.rejected)}", highlight=False)


@app.command("import")
def import_contacts(
    file: Annotated[Path, typer.Argument(help="A .csv or .xlsx file with a header row.")],
    centre: Annotated[str, typer.Option("--centre", help="Centre slug the contacts belong to.")],
) -> None:
    """Add a centre's contacts from a file; importing the same file again changes nothing."""
    try:
        rows = read_rows(file)
    except DataError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    good, rejected = check_rows(rows)

    async def work(db: Database) -> ImportReport:
        async with db.transaction() as session:
            place = await _centre(session, centre)
            scoped = scope.limited_centres() is not None
            return await import_rows(session, place, good, system_clock(), scoped=scoped)

    report = run_with_db(work)
    report.rejected = sorted(rejected + report.rejected, key=lambda r: r.row)
    _print_report(report)


@app.command("list")
def list_contacts(
    centre: Annotated[str | None, typer.Option("--centre", help="Only this centre's contacts.")] = None,
    search: Annotated[str | None, typer.Option("--search", help="Part of a name or phone.")] = None,
) -> None:
    """Contacts with their addresses (at most 500)."""
    async def work(db: Database) -> Table:
        async with db.transaction() as session:
            found = await _search(session, centre, search)
        table = Table("id", "name", "language", "addresses", "centre", "settlement")
        for contact, addresses, slug in found:
            table.add_row(str(contact.id), contact.name or "", contact.language or "",
                          ", ".join(addresses), slug or "", contact.settlement or "")
        return table

    console.print(run_with_db(work))


async def _search(session: AsyncSession, centre: str | None, search: str | None) -> Found:
    """The centre asked for; without one, every centre, or with --as only the facilitator's."""
    if centre:
        return await search_contacts(session, (await _centre(session, centre)).id, search)
    mine = scope.limited_centres()
    if mine is None:
        return await search_contacts(session, None, search)
    found = [row for centre_id in mine for row in await search_contacts(session, centre_id, search)]
    return sorted(found, key=lambda row: row[0].id)[:LIMIT]


def _yes_no(value: bool | None) -> str:
    return "not asked" if value is None else "yes" if value else "no"


@app.command()
def show(contact_id: Annotated[int, typer.Argument(help="The contact's id (contacts list).")]) -> None:
    """One contact: identities, language, consents, enrolments, survey runs, last message time."""
    async def work(db: Database) -> list[str]:
        async with db.transaction() as session:
            await scope.check_contact(session, contact_id, f"contact {contact_id}")
            details = await contact_details(session, contact_id)
        if details is None:
            raise DataError(f"no contact {contact_id}")
        contact = details["contact"]
        lines = [f"contact {contact.id}: {contact.name or '(no name)'}",
                 f"centre: {details['centre'] or '-'}", f"settlement: {contact.settlement or '-'}",
                 f"language: {contact.language or '-'}",
                 f"survey consent: {_yes_no(contact.consent)}",
                 f"contact consent (announcements): {_yes_no(contact.contact_consent)}"]
        if contact.merged_into_id is not None:
            lines.append(f"merged into contact {contact.merged_into_id}")
        for identity in details["identities"]:
            flags = [f"opted out {identity.opted_out_at:%Y-%m-%d %H:%M}" if identity.opted_out_at else "",
                     "unreachable" if identity.unreachable_at else ""]
            lines.append(f"identity: {identity.address} {' '.join(f for f in flags if f)}".rstrip())
        lines += [f"enrolment: {code} {status} since {joined:%Y-%m-%d}"
                  for code, status, joined in details["enrolments"]]
        lines += [f"survey run: {slug} {status} started {started:%Y-%m-%d}"
                  for slug, status, started in details["survey_runs"]]
        last = details["last_message_at"]
        lines.append(f"last message: {last:%Y-%m-%d %H:%M} UTC" if last else "last message: none")
        return lines

    for line in run_with_db(work):
        console.print(line, highlight=False, markup=False, soft_wrap=True)
