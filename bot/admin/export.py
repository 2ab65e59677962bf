"""``clc-admin export``: survey responses, contacts and enrolments as xlsx, csv or json (issue 17).

Every export streams: rows are read in batches and written as they come, so 100,000 runs take
the memory of a few hundred (BENCHMARKS.md). The file appears under its name only when whole,
an existing one is kept without ``--force``, and each export is in the audit log (who, what,
the options and how many rows). The layouts are in ``bot.results``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from bot.admin.export_common import (
    CentreOption,
    Common,
    Force,
    Format,
    Jsonl,
    Lang,
    Out,
    Pseudonymize,
    common,
    export_scope,
    progress,
    pseudonym_of,
    record,
    run_export,
    start_of,
)
from bot.admin.runner import day, fail
from bot.results.export_people import ContactTable, EnrolmentTable
from bot.results.export_responses import ResponseTable
from bot.results.export_run import Source, write_export
from flows.questionnaire.schema import Questionnaire
from flows.questionnaire.statuses import RUN_STATUSES
from storage.db import Database
from storage.reports import exports

app = typer.Typer(no_args_is_help=True, help="Export survey responses, contacts and enrolments.")


@app.command()
def responses(
    out: Out,
    questionnaire: Annotated[str | None, typer.Option(
        metavar="SLUG", help="The questionnaire (default: the active one, the needs survey).")] = None,
    centre: CentreOption = None,
    since: Annotated[str | None, typer.Option(
        metavar="YYYY-MM-DD", help="Runs started on or after this day (the centre's time).")] = None,
    until: Annotated[str | None, typer.Option(
        metavar="YYYY-MM-DD", help="Runs started on or before this day (the centre's time).")] = None,
    version: Annotated[int | None, typer.Option(metavar="N", help="Only runs of this version.")] = None,
    fmt: Format = None,
    lang: Lang = None,
    long: Annotated[bool, typer.Option("--long", help="One row per answer instead of one per run.")] = False,
    include_incomplete: Annotated[bool, typer.Option(
        "--include-incomplete", help="Also runs in progress or abandoned (default: completed).")] = False,
    jsonl: Jsonl = False,
    force: Force = False,
    pseudonymize: Pseudonymize = False,
) -> None:
    """Survey runs: one row per run and a column per question (0/1 columns per option of a
    multiple choice), or with --long one row per answer."""
    options = common(out, fmt, lang, centre, jsonl=jsonl, force=force, pseudonymize=pseudonymize)
    first, last = day(since, "--since"), day(until, "--until")
    if first and last and first > last:
        raise fail(f"--since {since} is after --until {until}")

    async def work(db: Database) -> int:
        where = await export_scope(db, centre)
        async with db.transaction() as session:
            found = await exports.versions(session, questionnaire)
        if version is not None and version not in found.definitions:
            known = ", ".join(str(n) for n in found.definitions) or "none"
            raise fail(f"questionnaire {found.slug!r} has no version {version} (versions: {known})")
        numbers = [version] if version is not None else list(found.definitions)
        try:
            forms = {n: Questionnaire.model_validate(found.definitions[n]) for n in numbers}
        except ValidationError as exc:  # a version stored under an older schema this code cannot read
            raise fail(f"questionnaire {found.slug!r}: a stored version cannot be read "
                       f"({exc.error_count()} problem(s)); export one --version at a time") from None
        flt = exports.RunFilter(
            found.questionnaire_id, where.centre_ids,
            since=start_of(first, where.zone) if first else None,
            until=start_of(last + dt.timedelta(days=1), where.zone) if last else None,
            version=version, statuses=RUN_STATUSES if include_incomplete else ("completed",))
        table = ResponseTable(forms, options.translator(), long=long, lists=options.target.format == "json",
                              pseudonym=await pseudonym_of(db, pseudonymize))
        total = await exports.count_runs(db, flt)
        with progress(total, "runs") as advance:
            rows = await write_export(options.target, Source(table.columns, exports.runs(db, flt), table.rows,
                                                             found.slug), advance)
        await record(db, "export.responses", f"questionnaire:{found.slug}", where, options.detail(
            layout="long" if long else "wide", since=since, until=until, version=version,
            include_incomplete=include_incomplete, runs=total, rows=rows))
        return rows

    run_export(work, "answer rows" if long else "runs", options.target)


@app.command()
def contacts(
    out: Out,
    centre: CentreOption = None,
    fmt: Format = None,
    lang: Lang = None,
    jsonl: Jsonl = False,
    force: Force = False,
    pseudonymize: Pseudonymize = False,
) -> None:
    """Contacts: name, language, centre, village, phone, Telegram, consents."""
    _people("contacts", ContactTable, exports.count_contacts, exports.contacts,
            common(out, fmt, lang, centre, jsonl=jsonl, force=force, pseudonymize=pseudonymize))


@app.command()
def enrolments(
    out: Out,
    centre: CentreOption = None,
    fmt: Format = None,
    lang: Lang = None,
    jsonl: Jsonl = False,
    force: Force = False,
    pseudonymize: Pseudonymize = False,
) -> None:
    """Enrolments of every course: learner, status, seat, waiting-list position, sessions attended."""
    _people("enrolments", EnrolmentTable, exports.count_enrolments, exports.enrolments,
            common(out, fmt, lang, centre, jsonl=jsonl, force=force, pseudonymize=pseudonymize))


def _people(
    kind: str, table_of: type[ContactTable] | type[EnrolmentTable], count: Callable[..., Awaitable[int]],
    read: Callable[..., Any], options: Common,
) -> None:
    """``export contacts`` and ``export enrolments``: the same steps over another table."""

    async def work(db: Database) -> int:
        where = await export_scope(db, options.centre)
        table = table_of(options.translator(), await pseudonym_of(db, options.pseudonymize))
        with progress(await count(db, where.centre_ids), kind) as advance:
            rows = await write_export(options.target, Source(
                table.columns, read(db, where.centre_ids), table.rows, kind), advance)
        await record(db, f"export.{kind}", kind, where, options.detail(rows=rows))
        return rows

    run_export(work, kind, options.target)

