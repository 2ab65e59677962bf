"""How every ``clc-admin`` command reaches the database: settings checked, schema migrated,
known errors printed as one line (exit status 2), never a traceback."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer

from bot.settings import Settings, load_settings
from flows.errors import ClcError
from storage.db import Database
from storage.migrate import upgrade_database

T = TypeVar("T")


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
