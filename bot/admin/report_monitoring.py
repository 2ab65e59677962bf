"""``clc-admin report monitoring``: the figures CLC monitoring asks for, per centre and period
(issue 17), as xlsx, csv or json, with a short table on the terminal. The figures are defined in
``flows.reports.monitoring`` and the README; a facilitator (``--as``) reports on their centres."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from bot.admin import scope
from bot.admin.runner import centre_of, day, fail, run_with_db, settings_or_exit
from bot.clock import Clock, system_clock
from bot.i18n import Catalogs
from bot.results.files import OutputError, check_target, format_of, safe_output
from bot.results.monitoring_file import MonitoringDocument, write_monitoring
from flows.reports.monitoring import DEFAULT_PERCENT, CentreReport, Period
from flows.reports.monitoring import monitoring as compute
from storage import audit
from storage.db import Database
from storage.models import Centre
from storage.reports.monitoring import centre_facts

console = Console()
clock: Clock = system_clock  # tests put a FakeClock here
ACTION = "report.monitoring"


def period_of(centre: Centre, first: dt.date, last: dt.date) -> Period:
    """The centre's local days ``first`` to ``last``, both whole, in UTC."""
    zone = ZoneInfo(centre.timezone)
    start = dt.datetime.combine(first, dt.time(), zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), zone)
    return Period(start.astimezone(dt.UTC), end.astimezone(dt.UTC))


def monitoring(
    out: Annotated[Path, typer.Option("--out", help="The file: .xlsx, .csv or .json.")],
    first: Annotated[str, typer.Option("--from", metavar="YYYY-MM-DD", help="The period's first day.")],
    last: Annotated[str, typer.Option("--to", metavar="YYYY-MM-DD", help="Its last day (included).")],
    centre: Annotated[str | None, typer.Option("--centre", metavar="SLUG", help="One centre.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every centre (yours, with --as).")] = False,
    form: Annotated[str | None, typer.Option("--format", help="xlsx, csv or json (else --out's).")] = None,
    language: Annotated[str | None, typer.Option(
        "--lang", help="kk or ru: the file's language (default: CLC_DEFAULT_LANGUAGE).")] = None,
    share: Annotated[int, typer.Option("--completed-share", metavar="PERCENT",
                                       help="Present at this share of sessions or more: completed.")]
    = DEFAULT_PERCENT,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
) -> None:
    """The monitoring report for a period: learners trained and completed (women, unemployed,
    pensioners, people with disabilities, young people), satisfaction, waiting lists, needs
    surveys, announcements."""
    if every == (centre is not None):
        raise fail("give --centre SLUG or --all")
    language = language or settings_or_exit().default_language
    if language not in ("kk", "ru"):
        raise fail(f"--lang {language!r}: give kk or ru")
    if not 1 <= share <= 100:
        raise fail(f"--completed-share {share}: give a percentage from 1 to 100")
    first_day, last_day = day(first, "--from"), day(last, "--to")
    assert first_day is not None and last_day is not None  # both options are required
    if last_day < first_day:
        raise fail(f"--to {last_day} is before --from {first_day}")
    try:
        chosen = format_of(out, form)
        check_target(out, force=force)  # before any work: an existing file, a missing directory
    except OutputError as exc:
        raise fail(str(exc)) from None

    async def work(db: Database) -> tuple[tuple[CentreReport, ...], dt.datetime]:
        async with db.transaction() as session:
            if every:
                limited = scope.limited_centres()
                query = select(Centre).order_by(Centre.slug)
                centres = list((await session.scalars(
                    query if limited is None else query.where(Centre.id.in_(limited)))).all())
            else:
                centres = [await centre_of(session, centre)]
            now, reports = clock(), []
            for place in centres:
                period = period_of(place, first_day, last_day)
                reports.append(compute(await centre_facts(session, place, period), period, now, share))
            return tuple(reports), now

    async def audited(db: Database) -> None:
        """Once the file is there: a report that failed to be written is not one."""
        async with db.transaction() as session:
            slugs = [report.facts.slug for report in reports]
            await audit.record(session, at=clock(), actor=scope.cli_actor(), action=ACTION,
                               subject="centres:" + ",".join(slugs),
                               centre_id=reports[0].facts.centre_id if len(reports) == 1 else None,
                               detail={"from": first_day.isoformat(), "to": last_day.isoformat(),
                                       "format": chosen, "file": out.name, "centres": len(reports)})

    reports, made = run_with_db(work)
    if not reports:
        raise fail("no centres to report on")
    zone = ZoneInfo(reports[0].facts.zone)
    document = MonitoringDocument(reports, first_day, last_day, made.astimezone(zone).date(), share)
    try:
        with safe_output(out, force=force) as partial:
            write_monitoring(partial, chosen, document, Catalogs.load().translator(language, zone))
    except OutputError as exc:
        raise fail(str(exc)) from None
    run_with_db(audited, migrate=False)
    _summary(reports)
    console.print(f"written {out}", highlight=False)


def _summary(reports: tuple[CentreReport, ...]) -> None:
    table = Table("centre", "trained", "completed", "women", "unemployed", "feedback answered", "waiting",
                  "surveys completed", title="Monitoring")
    for report in reports:
        satisfaction = report.satisfaction
        table.add_row(report.facts.slug, str(report.trained.people), str(report.completed.people),
                      str(report.trained.yes["women"]), str(report.trained.yes["unemployed"]),
                      f"{satisfaction.responded}/{satisfaction.invited}", str(report.waiting.waiting_now),
                      str(sum(report.surveys_completed.values())))
    console.print(table)
