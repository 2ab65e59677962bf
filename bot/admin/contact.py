"""``clc-admin contact forget``: erase one person's data on their request (issue 14, Erasure).

What is erased and what stays is documented in ``storage.erasure``. Seats the person frees are
offered to the next people on the waiting lists, as when someone leaves.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import select

from bot.admin import scope
from bot.admin.runner import run_with_db
from bot.channels.addresses import SMS, phone_address
from bot.clock import Clock, system_clock
from bot.features.privacy import forget_and_tell
from flows.phones import normalize_phone
from storage.contacts import live_contact
from storage.db import Database
from storage.models import ChannelIdentity

app = typer.Typer(no_args_is_help=True, help="One person's data: forget them on request.")
console = Console()
clock: Clock = system_clock


async def _contact_id(db: Database, who: str) -> int | None:
    """The contact for an id or a phone number (any usual format); None when unknown."""
    async with db.transaction() as session:
        if who.isdigit() and len(who) < 9:
            try:
                return (await live_contact(session, int(who))).id
            except LookupError:
                return None
        e164 = normalize_phone(who)
        if e164 is None:
            return None
        found = await session.scalar(select(ChannelIdentity.contact_id).where(
            ChannelIdentity.channel == SMS, ChannelIdentity.address == phone_address(e164)))
        return (await live_contact(session, found)).id if found is not None else None


@app.command()
def forget(
    who: Annotated[str, typer.Argument(help="Contact id or phone number.")],
    reason: Annotated[str, typer.Option(help="Why (e.g. the person asked); not stored.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase a person's name, numbers, Telegram ids, typed texts and messages; keep counts."""

    async def work(db: Database) -> int:
        contact_id = await _contact_id(db, who)
        if contact_id is None:
            console.print(f"[red]no contact {who!r}[/red]", highlight=False)
            raise typer.Exit(1)
        async with db.transaction() as session:  # with --as: refused unless of their centre
            await scope.check_contact(session, contact_id, repr(who))
        if not yes:
            async with db.transaction() as session:
                name = (await live_contact(session, contact_id)).name or "no name"
            if not typer.confirm(f"Forget contact {contact_id} ({name})?", default=False):
                raise typer.Exit(1)
        now = clock()
        async with db.transaction() as session:
            # Erased, freed seats offered, and the person told on their channels.
            await forget_and_tell(session, contact_id, now, reason, actor=scope.cli_actor())
        return contact_id

    contact_id = run_with_db(work)
    console.print(f"contact {contact_id} forgotten")
