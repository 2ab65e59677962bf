"""``clc-admin report needs``: what people asked to learn, who they are, against the seats of
open and planned courses (issue 17), as xlsx, csv or json, with a short table on the terminal.
The figures and the advice rule are defined in ``flows.reports.needs`` and the README; a
facilitator (``--as``) reports on their centres only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select

from bot.admin import scope
from bot.admin.runner import centre_of, fail, run_with_db, settings_or_exit
from bot.clock import Clock, system_clock
from bot.i18n import Catalogs, Translator
from bot.results.files import OutputError, check_target, format_of, safe_output
from bot.results.needs_file import NeedsDocument, advice_text, write_needs
from bot.results.sheets import parse_day
from flows.errors import DataError
from flows.questionnaire.schema import Questionnaire
from flows.reports.needs import NeedsSummary, form_choices, summarise
from flows.timezones import DEFAULT_TIMEZONE
from storage import audit
from storage.db import Database
from storage.models import Centre
from storage.reports.needs import NeedsData, load_needs

console = Console()
clock: Clock = system_clock  # tests put a FakeClock here
ACTION = "report.needs"


def _shipped() -> Questionnaire:
    # Imported here: bot.features loads the results feature, which loads this command.
    from bot.features.surveys import shipped_default

    return shipped_default()


def needs(
    out: Annotated[Path, typer.Option("--out", help="The file: .xlsx, .csv or .json.")],
    centre: Annotated[str | None, typer.Option(
        "--centre", metavar="SLUG", help="One centre (else every centre: yours, with --as).")] = None,
    every: Annotated[bool, typer.Option(
        "--all", help="Every centre (yours, with --as); the default.")] = False,
    since: Annotated[str | None, typer.Option(
        "--since", metavar="YYYY-MM-DD", help="Only surveys completed on this day or later.")] = None,
    form: Annotated[str | None, typer.Option("--format", help="xlsx, csv or json (else --out's).")] = None,
    language: Annotated[str | None, typer.Option(
        "--lang", help="kk or ru: the file's language (default: CLC_DEFAULT_LANGUAGE).")] = None,
    group_size: Annotated[int | None, typer.Option(
        "--group-size", min=1, help="A group's seats, for the advice (default: the largest open or planned "
        "course's of the interest at the centre, else 10).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
) -> None:
    """The needs summary: per learning interest, how many asked (by settlement, gender, age,
    occupation, times and barriers), against the seats and waiting lists of open and planned
    courses of each centre, with advice."""
    if every and centre is not None:
        raise fail("give --centre SLUG or --all, not both")
    chosen_language = language or settings_or_exit().default_language
    if chosen_language not in ("kk", "ru"):
        raise fail(f"--lang {chosen_language!r}: give kk or ru")
    try:
        first_day = None if since is None else parse_day(since, "--since")
        chosen = format_of(out, form)
        check_target(out, force=force)  # before any work: an existing file, a missing directory
    except (DataError, OutputError) as exc:
        raise fail(str(exc)) from None

    async def read(db: Database) -> tuple[NeedsData, ZoneInfo, list[Centre]]:
        async with db.transaction() as session:
            if centre is not None:
                centres = [await centre_of(session, centre)]
            else:
                limited = scope.limited_centres()
                query = select(Centre).order_by(Centre.slug)
                centres = list((await session.scalars(
                    query if limited is None else query.where(Centre.id.in_(limited)))).all())
            if not centres:
                raise fail("no centres to report on")
            zone = ZoneInfo(centres[0].timezone if len(centres) == 1 else DEFAULT_TIMEZONE)
            start = None if first_day is None else dt.datetime.combine(first_day, dt.time(), zone)
            return await load_needs(session, [c.id for c in centres], start), zone, centres

    data, zone, centres = run_with_db(read)
    summary = summarise(data.people, data.courses, *form_choices(data.form or _shipped()),
                        group_size=group_size)
    document = NeedsDocument(summary, data.centres, first_day, clock().astimezone(zone).date())
    tr = Catalogs.load().translator(chosen_language, zone)
    try:
        with safe_output(out, force=force) as partial:
            write_needs(partial, chosen, document, tr)
    except OutputError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:  # a full disk, a directory gone meanwhile
        raise fail(f"{out}: {exc.strerror or exc}") from None

    async def record(db: Database) -> None:
        # Only once the file is there: a report that failed to be written was not made.
        async with db.transaction() as session:
            await audit.record(session, at=clock(), actor=scope.cli_actor(), action=ACTION,
                               subject="centres:" + ",".join(c.slug for c in centres),
                               centre_id=centres[0].id if len(centres) == 1 else None, detail={
                                   "since": None if first_day is None else first_day.isoformat(),
                                   "format": chosen, "file": out.name, "people": len(data.people)})

    run_with_db(record, migrate=False)
    _show(document, summary, tr)
    console.print(f"written {out}", highlight=False)


def _show(document: NeedsDocument, summary: NeedsSummary, tr: Translator) -> None:
    """The interests someone asked for or a course offers; the file has every one. With several
    centres the advice is the most urgent of theirs, with the centres it is for."""
    since = f" since {document.since}" if document.since else ""
    table = Table("#", "interest", "asked", "seats", "free", "waiting", "wanting", "advice",
                  title=f"Needs: {', '.join(document.centres)}{since}")
    for row in summary.interests:
        if row.asked or row.seats or row.waiting:
            table.add_row(str(row.rank), escape(tr.text(row.label)), str(row.asked), str(row.seats),
                          str(row.free), str(row.waiting), str(row.unmet), escape(advice_text(row, tr)))
    console.print(table)
    console.print(f"{summary.people} people: {summary.answered} completed the survey{since}, "
                  f"{summary.not_answered} did not", highlight=False)
    for choice, people in summary.nothing:
        console.print(f"{people} chose {escape(repr(tr.text(choice.label)))}: no interest, counted apart",
                      highlight=False)
