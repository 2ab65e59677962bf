"""``clc-admin facilitator``: who may use the facilitators' part of the bot (``/manage``).

A facilitator is a contact with a role at a centre, found by their phone (SMS) or Telegram
user id. The contact is created if the person has not written to the bot yet, so the role is
there from their first message; Telegram phone sharing later joins both channels.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar, cast

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import CursorResult, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.admin.runner import centre_of, run_with_db
from bot.channels.addresses import SMS, TELEGRAM, phone_address, telegram_address
from bot.clock import system_clock
from flows.phones import normalize_phone
from storage.contacts import resolve_identity
from storage.db import Database
from storage.models import Centre, ChannelIdentity, Contact, FacilitatorRole

app = typer.Typer(no_args_is_help=True, help="Facilitators: who may manage courses from the bot.")
console = Console()
# None: the only centre there is (storage.centres.resolve_centre), never a silent guess among several.
CentreOpt = Annotated[str | None, typer.Option("--centre", help="Centre slug; needed if several.")]
PhoneOpt = Annotated[str | None, typer.Option(help="Phone number, e.g. +7 701 123 45 67 (SMS).")]
TelegramOpt = Annotated[int | None, typer.Option(help="Telegram user id (the bot's logs show it).")]
T = TypeVar("T")


def _address(phone: str | None, telegram: int | None) -> tuple[str, str]:
    if (phone is None) == (telegram is None):
        console.print("[red]give exactly one of --phone or --telegram[/red]")
        raise typer.Exit(2)
    if phone is not None:
        e164 = normalize_phone(phone)
        if e164 is None:
            console.print(f"[red]--phone {phone!r} is not a valid phone number[/red]")
            raise typer.Exit(2)
        return SMS, phone_address(e164)
    assert telegram is not None
    return TELEGRAM, telegram_address(telegram)


def _run(work: Callable[[Database], Awaitable[T]]) -> T:
    return run_with_db(work)


async def _centre(session: AsyncSession, slug: str | None) -> Centre:
    return await centre_of(session, slug)


@app.command()
def add(
    centre: CentreOpt = None, phone: PhoneOpt = None, telegram: TelegramOpt = None,
    name: Annotated[str | None, typer.Option(help="Their name, shown to other facilitators.")] = None,
) -> None:
    """Give someone the facilitator role at a centre."""
    channel, address = _address(phone, telegram)

    async def work(db: Database) -> tuple[str, bool]:
        now = system_clock()
        async with db.transaction() as s:
            place = await _centre(s, centre)
            _, contact, _ = await resolve_identity(s, channel, address, now)
            if name:
                contact.name = name.strip()[:200]
            if contact.centre_id is None:
                contact.centre_id = place.id
            found = await s.scalar(select(FacilitatorRole.id).where(
                FacilitatorRole.contact_id == contact.id, FacilitatorRole.centre_id == place.id))
            if found is None:
                s.add(FacilitatorRole(contact_id=contact.id, centre_id=place.id, created_at=now))
            return place.slug, found is None
    slug, added = _run(work)
    console.print(f"{address} is {'now' if added else 'already'} a facilitator at {slug}")


@app.command("list")
def list_facilitators(centre: CentreOpt = None) -> None:
    """Facilitators of a centre and their addresses."""
    async def work(db: Database) -> list[tuple[int, str, str]]:
        async with db.transaction() as s:
            place = await _centre(s, centre)
            rows = await s.execute(
                select(Contact.id, Contact.name, ChannelIdentity.address)
                .join(FacilitatorRole, FacilitatorRole.contact_id == Contact.id)
                .join(ChannelIdentity, ChannelIdentity.contact_id == Contact.id, isouter=True)
                .where(FacilitatorRole.centre_id == place.id).order_by(Contact.id)
            )
            return [(cid, name or "", address or "") for cid, name, address in rows]
    table = Table("contact", "name", "address")
    for contact_id, who, address in _run(work):
        table.add_row(str(contact_id), who, address)
    console.print(table)


@app.command()
def remove(centre: CentreOpt = None, phone: PhoneOpt = None, telegram: TelegramOpt = None) -> None:
    """Take the facilitator role away (the person stays a villager)."""
    channel, address = _address(phone, telegram)

    async def work(db: Database) -> tuple[str, int]:
        async with db.transaction() as s:
            place = await _centre(s, centre)
            contact_id = await s.scalar(select(ChannelIdentity.contact_id).where(
                ChannelIdentity.channel == channel, ChannelIdentity.address == address))
            if contact_id is None:
                return place.slug, 0
            # A DELETE's result is a CursorResult; AsyncSession.execute is typed as plain Result.
            result = cast("CursorResult[Any]", await s.execute(delete(FacilitatorRole).where(
                FacilitatorRole.contact_id == contact_id, FacilitatorRole.centre_id == place.id)))
            return place.slug, int(result.rowcount or 0)
    slug, removed = _run(work)
    console.print(f"{address}: {'no longer' if removed else 'was not'} a facilitator at {slug}")
