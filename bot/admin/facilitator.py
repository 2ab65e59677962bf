"""``clc-admin facilitator``: who may use the facilitators' part of the bot (``/manage``).

A facilitator is a contact with a role at a centre, found by their phone (SMS) or Telegram
user id. The contact is created if the person has not written to the bot yet, so the role is
there from their first message; Telegram phone sharing later joins both channels.

An administrator (``add --admin``) is the same row with the role ``administrator``: its centre
is where the person belongs, the role spans every centre (``storage.centres.staff_scope``).
Adding again with or without ``--admin`` sets the role given. With ``clc-admin --as``, only an
administrator adds or removes roles; a facilitator may list their own centre's.
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
from storage.models.core import ADMINISTRATOR, FACILITATOR

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


def _run(work: Callable[[Database], Awaitable[T]], administrator: str | None = None) -> T:
    return run_with_db(work, administrator=administrator)


async def _centre(session: AsyncSession, slug: str | None) -> Centre:
    return await centre_of(session, slug)


@app.command()
def add(
    centre: CentreOpt = None, phone: PhoneOpt = None, telegram: TelegramOpt = None,
    name: Annotated[str | None, typer.Option(help="Their name, shown to other facilitators.")] = None,
    admin: Annotated[bool, typer.Option("--admin", help="Administrator: acts at every centre; "
                                                        "--centre is where they belong.")] = False,
) -> None:
    """Give someone the facilitator role at a centre (or, with --admin, the administrator role)."""
    channel, address = _address(phone, telegram)
    role = ADMINISTRATOR if admin else FACILITATOR

    async def work(db: Database) -> tuple[str, str | None]:
        now = system_clock()
        async with db.transaction() as s:
            place = await _centre(s, centre)
            _, contact, _ = await resolve_identity(s, channel, address, now)
            if name:
                contact.name = name.strip()[:200]
            if contact.centre_id is None:
                contact.centre_id = place.id
            found = await s.scalar(select(FacilitatorRole).where(
                FacilitatorRole.contact_id == contact.id, FacilitatorRole.centre_id == place.id))
            if found is None:
                s.add(FacilitatorRole(contact_id=contact.id, centre_id=place.id, role=role, created_at=now))
                return place.slug, None
            before, found.role = found.role, role
            return place.slug, before
    slug, before = _run(work, administrator="give staff roles")
    what = f"an administrator (every centre; belongs to {slug})" if admin else f"a facilitator at {slug}"
    state = "now" if before != role else "already"
    was = f" (was {before})" if before not in (None, role) else ""
    console.print(f"{address} is {state} {what}{was}", highlight=False)


@app.command("list")
def list_facilitators(centre: CentreOpt = None) -> None:
    """Who may act at a centre: its facilitators and every administrator, with their addresses."""
    async def work(db: Database) -> list[tuple[int, str, str, str]]:
        async with db.transaction() as s:
            place = await _centre(s, centre)
            rows = await s.execute(
                select(Contact.id, Contact.name, FacilitatorRole.role, Centre.slug, ChannelIdentity.address)
                .join(FacilitatorRole, FacilitatorRole.contact_id == Contact.id)
                .join(Centre, Centre.id == FacilitatorRole.centre_id)
                .join(ChannelIdentity, ChannelIdentity.contact_id == Contact.id, isouter=True)
                .where((FacilitatorRole.centre_id == place.id) | (FacilitatorRole.role == ADMINISTRATOR))
                .order_by(Contact.id, FacilitatorRole.id)
            )
            return [(cid, name or "", _role(role, slug, place.slug), address or "")
                    for cid, name, role, slug, address in rows]
    table = Table("contact", "name", "role", "address")
    for contact_id, who, role, address in _run(work):
        table.add_row(str(contact_id), who, role, address)
    console.print(table)


def _role(role: str, slug: str, listed: str) -> str:
    if role != ADMINISTRATOR:
        return role
    return "administrator (every centre)" if slug == listed else f"administrator (every centre; of {slug})"


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
    slug, removed = _run(work, administrator="take staff roles away")
    console.print(f"{address}: {'no longer' if removed else 'was not'} a facilitator at {slug}")
