"""``clc-admin``: the facilitators' command line, built from the bot's features.

Each feature brings its sub-commands (``course``, ``questionnaire``, ``facilitator``) and its
demo data; this module adds only what every installation has: ``db`` and ``demo``, and the
root option ``--as`` that limits every command to one facilitator's centres (``bot.admin.scope``).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import select

from bot.admin import audit, centre, contact, contacts, outbox, scope
from bot.admin.runner import run_with_db
from bot.clock import system_clock
from bot.feature import FeatureSet
from bot.features import standard_features
from flows.timezones import DEFAULT_TIMEZONE
from storage.db import Database
from storage.models import Centre
from storage.revisions import upgrade_and_report

console = Console()

DEMO_CENTRE = {
    "slug": "demo",
    "name_kk": "Ақсу ауылының қоғамдастық оқу орталығы",
    "name_ru": "Центр обучения местного сообщества села Аксу",
    "oblast": "Алматы облысы",
    "district": "Еңбекшіқазақ ауданы",
    "settlement": "Ақсу",
    "timezone": DEFAULT_TIMEZONE,
}


async def seed_demo(db: Database, features: FeatureSet) -> bool:
    """Idempotent: the demo centre and what features add to it; True if the centre was new."""
    now = system_clock()
    async with db.transaction() as session:
        centre = await session.scalar(select(Centre).where(Centre.slug == DEMO_CENTRE["slug"]))
        created = centre is None
        if centre is None:
            centre = Centre(**DEMO_CENTRE, created_at=now)
            session.add(centre)
            await session.flush()
        for seeder in features.demo_seeders:
            await seeder(session, centre, now)
    return created


def build_app(features: FeatureSet) -> typer.Typer:
    """The CLI of a bot built from ``features``: their commands, plus ``db`` and ``demo``."""
    app = typer.Typer(add_completion=False, no_args_is_help=True, help="Facilitators' tools for clc-bot.")

    @app.callback()
    def acting(as_who: Annotated[str | None, typer.Option(
        "--as", envvar="CLC_ADMIN_AS", metavar="WHO",
        help="Act as this facilitator (phone number, telegram:<user id> or contact id): only their "
             "centres. Without it: the operator, every centre.")] = None) -> None:
        # Set on every invocation, so nothing carries over from an earlier one in the same process.
        scope.acting_as.set((as_who or "").strip() or None)
    db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
    app.add_typer(db_app, name="db")
    app.add_typer(contact.app, name="contact")
    app.add_typer(contacts.app, name="contacts")
    app.add_typer(outbox.app, name="outbox")
    app.command("audit")(audit.audit_command)
    app.add_typer(centre.app, name="centre")
    for name, sub_app in features.cli:
        app.add_typer(sub_app, name=name)

    @db_app.command("upgrade")
    def db_upgrade() -> None:
        """Apply every pending migration (the service also does this at start)."""

        async def upgrade(db: Database) -> list[str]:
            return await upgrade_and_report(db.engine)

        applied = run_with_db(upgrade, migrate=False, administrator="upgrade the database")
        if not applied:
            console.print("[green]database is up to date[/green] (nothing to apply)")
            return
        console.print(f"[green]applied {len(applied)} migration(s)[/green]:", highlight=False)
        for revision in applied:
            console.print(f"  {revision}", highlight=False, soft_wrap=True)

    @app.command()
    def demo() -> None:
        """Add the demo centre (and its demo data); running it again changes nothing."""

        async def work(db: Database) -> bool:
            return await seed_demo(db, features)

        created = run_with_db(work, administrator="add the demo centre")
        state = "created" if created else "already there"
        console.print(f"demo centre [bold]{DEMO_CENTRE['slug']}[/bold]: {state}")

    return app


app = build_app(standard_features())


def main() -> None:
    app()


if __name__ == "__main__":
    main()
