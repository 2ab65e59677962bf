"""How every ``clc-admin`` command reaches the database: settings checked, schema migrated,
the acting person (``--as``) looked up, known errors printed as one line (exit status 2),
never a traceback."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.ext.asyncio import AsyncSession

from bot.admin import scope
from bot.results.sheets import parse_day
from bot.settings import Settings, database_of, load_settings
from flows.errors import ClcError, DataError
from storage.centres import resolve_centre
from storage.db import Database
from storage.migrate import upgrade_database
from storage.models import Centre

T = TypeVar("T")
console = Console()


def fail(message: str) -> typer.Exit:
    """What a command says of bad input: one red line, exit status 1 (``raise fail(...)``)."""
    console.print(f"[red]{escape(message)}[/red]", highlight=False, soft_wrap=True)
    return typer.Exit(1)


def day(value: str | None, option: str) -> dt.date | None:
    """A ``YYYY-MM-DD`` option (``bot.results.sheets.parse_day``), or ``fail``; None when not given."""
    if value is None:
        return None
    try:
        return parse_day(value, option)
    except DataError as exc:
        raise fail(str(exc)) from None


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except ClcError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def run_with_db(
    work: Callable[[Database], Awaitable[T]], *, migrate: bool = True, administrator: str | None = None
) -> T:
    """Open the configured database (migrated), run ``work`` as the acting person, close it.

    ``administrator``: the command changes what every centre shares (said as "add a centre"),
    so someone acting with ``--as`` must be an administrator; refused before any change.
    """
    settings = settings_or_exit()

    async def wrapper() -> T:
        db = database_of(settings)
        try:
            who = scope.acting_as.get()
            if who is not None:
                # Before the migration: nothing at all changes for someone refused.
                async with db.transaction() as session:
                    scope.current.set(await scope.resolve(session, who))
                if administrator is not None:
                    scope.require_administrator(administrator)
            if migrate:
                await upgrade_database(db.engine)
            return await work(db)
        finally:
            await db.dispose()

    try:
        return asyncio.run(wrapper())
    except ClcError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


async def centre_of(session: AsyncSession, slug: str | None) -> Centre:
    """The centre a ``--centre`` option means: the one named, or the only one there is
    (``storage.centres.resolve_centre``), or with ``--as`` a facilitator's only centre; a
    centre not theirs or none at all is a clear error and exit 1."""
    try:
        centre = await resolve_centre(session, slug if slug is not None else scope.own_centre_slug())
    except DataError as exc:
        console.print(f"[red]{escape(str(exc))}[/red]", highlight=False)
        raise typer.Exit(1) from None
    return scope.check_centre(centre)
