"""``clc-admin``: the facilitators' command line (database, demo data, questionnaires, courses)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import typer
from rich.console import Console
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.admin.course import app as course_app
from bot.admin.facilitator import app as facilitator_app
from bot.admin.questionnaire import app as questionnaire_app
from bot.clock import system_clock
from bot.features.courses_demo import seed_demo_courses
from bot.settings import Settings, load_settings
from flows.errors import ClcError
from storage.db import Database
from storage.migrate import upgrade_database
from storage.models import Centre

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Facilitators' tools for clc-bot.")
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
app.add_typer(db_app, name="db")
app.add_typer(questionnaire_app, name="questionnaire")
app.add_typer(course_app, name="course")
app.add_typer(facilitator_app, name="facilitator")
console = Console()
T = TypeVar("T")

DEMO_CENTRE = {
    "slug": "demo",
    "name_kk": "Ақсу ауылының қоғамдастық оқу орталығы",
    "name_ru": "Центр обучения местного сообщества села Аксу",
    "oblast": "Алматы облысы",
    "district": "Еңбекшіқазақ ауданы",
    "settlement": "Ақсу",
    "timezone": "Asia/Almaty",
}
# Features add ``async def seed(session, centre, now)`` here to extend the demo data.
DEMO_SEEDERS: list[Callable[[AsyncSession, Centre, Any], Awaitable[None]]] = [seed_demo_courses]


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


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration (the service also does this at start)."""

    async def noop(_db: Database) -> None:
        return None

    run_with_db(noop)
    console.print("[green]database is up to date[/green]")


async def seed_demo(db: Database) -> bool:
    """Idempotent: the demo centre and what features add to it; True if the centre was new."""
    now = system_clock()
    async with db.transaction() as session:
        centre = await session.scalar(select(Centre).where(Centre.slug == DEMO_CENTRE["slug"]))
        created = centre is None
        if centre is None:
            centre = Centre(**DEMO_CENTRE, created_at=now)
            session.add(centre)
            await session.flush()
        for seeder in DEMO_SEEDERS:
            await seeder(session, centre, now)
    return created


@app.command()
def demo() -> None:
    """Add the demo centre (and its demo data); running it again changes nothing."""
    created = run_with_db(seed_demo)
    state = "created" if created else "already there"
    console.print(f"demo centre [bold]{DEMO_CENTRE['slug']}[/bold]: {state}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
