"""``clc-admin centre``: add, edit and list the centres that share this bot.

Errors (a bad slug, an unknown timezone, a slug taken) are ``DataError``s printed as one line
with exit status 2 by ``run_with_db``. With ``--as``, only an administrator adds or edits a
centre; a facilitator's ``centre list`` shows their own centres.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.admin import scope
from bot.admin.runner import run_with_db
from bot.clock import system_clock
from flows.timezones import DEFAULT_TIMEZONE
from storage import centres as repo
from storage.db import Database

app = typer.Typer(no_args_is_help=True, help="Centres: add, edit, list.")
console = Console()
Slug = Annotated[str, typer.Argument(help="Short name, e.g. aul-1 (lowercase letters, digits, hyphens).")]
NameKk = Annotated[str, typer.Option("--name-kk", help="The centre's name in Kazakh.")]
NameRu = Annotated[str, typer.Option("--name-ru", help="The centre's name in Russian.")]
Settlement = Annotated[str, typer.Option(help="Village or town.")]
District = Annotated[str, typer.Option(help="District (аудан).")]
Oblast = Annotated[str, typer.Option(help="Region (облыс).")]
Timezone = Annotated[str, typer.Option(help="IANA timezone of the centre.")]


@app.command()
def add(slug: Slug, name_kk: NameKk, name_ru: NameRu, settlement: Settlement, district: District,
        oblast: Oblast, timezone: Timezone = DEFAULT_TIMEZONE) -> None:
    """Add a centre."""
    fields = {"name_kk": name_kk, "name_ru": name_ru, "settlement": settlement, "district": district,
              "oblast": oblast, "timezone": timezone}

    async def work(db: Database) -> None:
        async with db.transaction() as session:
            await repo.add_centre(session, slug, fields, system_clock())

    run_with_db(work, administrator="add a centre")
    console.print(f"centre [bold]{slug}[/bold] added", highlight=False)


@app.command()
def edit(slug: Slug, name_kk: Annotated[str | None, typer.Option("--name-kk")] = None,
         name_ru: Annotated[str | None, typer.Option("--name-ru")] = None,
         settlement: Annotated[str | None, typer.Option()] = None,
         district: Annotated[str | None, typer.Option()] = None,
         oblast: Annotated[str | None, typer.Option()] = None,
         timezone: Annotated[str | None, typer.Option()] = None,
         quiet_hours: Annotated[str | None, typer.Option(
             "--quiet-hours", help="Local hours with no reminders, e.g. 21:00-09:00, or none.")] = None,
         ) -> None:
    """Change the given fields of a centre; the others stay as they are."""
    given = {"name_kk": name_kk, "name_ru": name_ru, "settlement": settlement, "district": district,
             "oblast": oblast, "timezone": timezone, repo.QUIET_HOURS: quiet_hours}
    changes = {name: value for name, value in given.items() if value is not None}
    if not changes:
        typer.echo("error: nothing to change: give at least one of --name-kk, --name-ru, --settlement, "
                   "--district, --oblast, --timezone, --quiet-hours", err=True)
        raise typer.Exit(2)

    async def work(db: Database) -> None:
        async with db.transaction() as session:
            await repo.edit_centre(session, slug, changes)

    run_with_db(work, administrator="edit a centre")
    console.print(f"centre [bold]{slug}[/bold]: changed {', '.join(changes)}", highlight=False)


@app.command("list")
def list_centres() -> None:
    """Every centre with its place, timezone, quiet hours and counts of contacts, open courses
    and facilitators."""

    async def work(db: Database) -> list[repo.CentreCounts]:
        async with db.transaction() as session:
            rows = await repo.centres_with_counts(session)
        mine = scope.limited_centres()
        return rows if mine is None else [row for row in rows if row.centre.id in mine]

    rows = run_with_db(work)
    if not rows:
        console.print("no centre yet: add one with clc-admin centre add SLUG …")
        return
    table = Table("slug", "name (kk / ru)", "settlement / district / oblast", "timezone", "quiet hours",
                  "contacts", "open courses", "facilitators")
    for row in rows:
        c = row.centre
        table.add_row(c.slug, f"{c.name_kk}\n{c.name_ru}", f"{c.settlement}\n{c.district}\n{c.oblast}",
                      c.timezone, repo.quiet_hours(c).text(), str(row.contacts), str(row.open_courses),
                      str(row.facilitators))
    console.print(table)
