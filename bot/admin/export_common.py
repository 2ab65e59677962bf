"""What every ``clc-admin export`` command shares: options, scope, the progress bar, the audit.

Bad input is one red line and exit status 1, before anything is read where it can be; with ``--as`` a
facilitator exports only their centres' people, and another centre's ``--centre`` is refused.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from bot.admin import scope
from bot.admin.runner import centre_of, fail, run_with_db, settings_or_exit
from bot.clock import Clock, system_clock
from bot.i18n import Catalogs, Translator
from bot.results.export_run import Target
from bot.results.files import OutputError, check_target, format_of
from flows.errors import DataError, Refused
from flows.timezones import DEFAULT_TIMEZONE
from storage import audit
from storage.centres import centre_zone
from storage.db import Database
from storage.models import Centre
from storage.pseudonyms import Pseudonymizer, pseudonymizer

console = Console()
clock: Clock = system_clock  # tests put a FakeClock here
LANGUAGES = ("kk", "ru")

Out = Annotated[Path, typer.Option("--out", "-o", metavar="FILE", help="The file to write.")]
Format = Annotated[str | None, typer.Option(
    "--format", metavar="xlsx|csv|json", help="The file's format (default: from --out's extension).")]
Lang = Annotated[str | None, typer.Option(
    "--lang", metavar="kk|ru", help="Headers and answer labels in this language (default: the bot's).")]
CentreOption = Annotated[str | None, typer.Option(
    "--centre", metavar="SLUG", help="Only this centre (default: every centre, with --as yours).")]
Jsonl = Annotated[bool, typer.Option("--jsonl", help="JSON Lines: one object a line, not one array.")]
Force = Annotated[bool, typer.Option("--force", help="Replace --out if it exists.")]
Pseudonymize = Annotated[bool, typer.Option(
    "--pseudonymize", help="Names, phone numbers, Telegram ids (and free-text answers) as stable keyed "
    "pseudonyms, for sharing outside the centre.")]


@dataclass(frozen=True)
class Common:
    """The options every export takes, checked."""

    target: Target
    language: str
    centre: str | None
    pseudonymize: bool

    def translator(self) -> Translator:
        return Catalogs.load().translator(self.language)

    def detail(self, **more: Any) -> dict[str, Any]:
        shape = "jsonl" if self.target.lines else self.target.format
        given = {"file": self.target.path.name, "format": shape,
                 "lang": self.language, "centre": self.centre, "pseudonymized": self.pseudonymize}
        return {key: value for key, value in {**given, **more}.items() if value not in (None, False)}


def common(out: Path, fmt: str | None, lang: str | None, centre: str | None, *, jsonl: bool, force: bool,
           pseudonymize: bool) -> Common:
    try:
        chosen = format_of(out, fmt)
        # Before any work: nothing counted, no pseudonym key made, for a file that cannot be written.
        check_target(out, force=force)
    except OutputError as exc:
        raise fail(str(exc)) from None
    lines = jsonl or (fmt is None and out.suffix.lower() == ".jsonl")
    if lines and chosen != "json":
        raise fail(f"--jsonl writes JSON Lines: give --format json, not {chosen}")
    language = lang if lang is not None else settings_or_exit().default_language
    if language not in LANGUAGES:
        raise fail(f"--lang {lang!r}: give kk or ru")
    return Common(Target(out, chosen, lines, force), language, centre, pseudonymize)


def start_of(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC)


@dataclass(frozen=True)
class Scope:
    centre_ids: frozenset[int] | None  # None: every centre
    centre: Centre | None  # the one --centre named
    zone: ZoneInfo  # for --since/--until: the centre's, else the default

    @property
    def audit_centre(self) -> int | None:
        """The centre the audit entry is filed under: the one exported, when there is one."""
        if self.centre is not None:
            return self.centre.id
        if self.centre_ids is not None and len(self.centre_ids) == 1:
            return next(iter(self.centre_ids))
        return None


async def export_scope(db: Database, slug: str | None) -> Scope:
    if slug is None:
        return Scope(scope.limited_centres(), None, ZoneInfo(DEFAULT_TIMEZONE))
    async with db.transaction() as session:
        place = await centre_of(session, slug)
    return Scope(frozenset({place.id}), place, centre_zone(place))


async def pseudonym_of(db: Database, wanted: bool) -> Pseudonymizer | None:
    if not wanted:
        return None
    async with db.transaction() as session:
        return await pseudonymizer(session, clock())


async def record(db: Database, action: str, subject: str, where: Scope, detail: dict[str, Any]) -> None:
    async with db.transaction() as session:
        await audit.record(session, at=clock(), actor=scope.cli_actor(), action=action, subject=subject,
                           centre_id=where.audit_centre, detail=detail)


@contextlib.contextmanager
def progress(total: int, what: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal; nothing when the output goes to a file or a pipe."""
    if not console.is_terminal:
        yield lambda _: None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task(what, total=total)
        yield lambda count: bar.advance(task, count)


def run_export(work: Callable[[Database], Awaitable[int]], what: str, target: Target) -> None:
    """Run the export's work on the database; say how many rows went where.

    What the export was asked for and cannot do (no such questionnaire, a file made meanwhile
    under ``--out``) is the same red line and exit 1 as the options checked before; the database
    being unreachable stays ``run_with_db``'s one line and exit 2.
    """
    async def checked(db: Database) -> int:
        try:
            return await work(db)
        except (DataError, Refused) as exc:
            raise fail(str(exc)) from None

    rows = run_with_db(checked)
    console.print(f"{rows} {what} written to {target.path}", highlight=False, soft_wrap=True)
