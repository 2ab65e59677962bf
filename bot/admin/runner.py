"""How every ``clc-admin`` command reaches the database: settings checked, schema migrated,
known errors printed as one line (exit status 2), never a traceback."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.ext.asyncio import AsyncSession

from bot.settings import Settings, load_settings
from flows.errors import ClcError, DataError
from storage.centres import resolve_centre
from storage.db import Database
from storage.migrate import upgrade_database
from storage.models import Centre

T = TypeVar("T")
console = Console()


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except ClcError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def run_with_db(work: Callable[[Database], Awaitable[T]], *, migrate: bool = True) -> T:
    """Open the configured database (migrated), run ``work``, close it."""
    settings = settings_or_exit()

    async def wrapper() -> T:
        db = Database.from_url(settings.database_url)
        try:
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
    (``storage.centres.resolve_centre``); otherwise a clear error and exit 1."""
    try:
        return await resolve_centre(session, slug)
    except DataError as exc:
        console.print(f"[red]{escape(str(exc))}[/red]", highlight=False)
        raise typer.Exit(1) from None
