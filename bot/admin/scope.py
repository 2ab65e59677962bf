"""Who ``clc-admin`` acts as: the installation's operator, or a facilitator given by ``--as``.

Without ``--as`` (or ``CLC_ADMIN_AS``) the CLI acts for whoever holds the server shell and the
database URL: every centre, every command. With ``--as WHO`` (a phone number, ``telegram:<user
id>`` or a contact id) every command is limited to what that person may do in the bot: a
facilitator acts at the centres of their roles, an administrator at every centre, and only an
administrator may change centres, staff roles, questionnaires or the schema.

The scope is decided once per command: the root option sets ``acting_as``; ``run_with_db``
resolves it to an ``Actor`` before the command's work and keeps it in ``current``; the few
checks below (``centre_of``, ``check_centre``, ``check_contact``) read it. A refusal is one red
line and exit status 1, before anything changes.
"""

from __future__ import annotations

import getpass
from contextvars import ContextVar
from dataclasses import dataclass
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from flows.phones import normalize_phone
from storage.centres import StaffScope, staff_scope
from storage.contacts import live_contact
from storage.models import Centre, ChannelIdentity, Contact
from storage.surveys import same_person

console = Console()
# Contact ids are short; anything longer that is all digits is read as a phone number.
MAX_ID_DIGITS = 8


@dataclass(frozen=True)
class Actor:
    who: str  # as given to --as, for messages
    contact_id: int
    scope: StaffScope
    centre_slugs: tuple[str, ...]  # of their roles, for messages and the one-centre default

    @property
    def label(self) -> str:
        """Who did it, for audit logs: the same ``contact:<id>`` the bot writes."""
        return f"contact:{self.contact_id}"


# What the root ``--as`` option said, for this invocation (None: the operator).
acting_as: ContextVar[str | None] = ContextVar("acting_as", default=None)
# The person it names, once ``run_with_db`` has looked them up.
current: ContextVar[Actor | None] = ContextVar("current_actor", default=None)


def refuse(message: str) -> NoReturn:
    console.print(f"[red]{escape(message)}[/red]", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


async def _live_id(session: AsyncSession, contact_id: int | None) -> int | None:
    """The contact standing for this person now (merges followed). Columns only, no whole row:
    ``db upgrade --as`` looks the person up before the schema has every column of the models."""
    seen: set[int] = set()
    while contact_id is not None and contact_id not in seen:
        seen.add(contact_id)
        row = (await session.execute(select(Contact.id, Contact.merged_into_id)
                                     .where(Contact.id == contact_id))).first()
        if row is None:
            return None
        if row.merged_into_id is None:
            return contact_id
        contact_id = row.merged_into_id
    return None


async def _contact_of(session: AsyncSession, who: str) -> int | None:
    text = who.strip()
    if text.isdigit() and len(text) <= MAX_ID_DIGITS:
        return await _live_id(session, int(text))
    if text.startswith("telegram:"):
        user_id = text.removeprefix("telegram:").strip()
        if not user_id.isdigit():
            refuse(f"--as {who!r}: a Telegram user id is digits, e.g. telegram:123456789")
        address = f"telegram:{int(user_id)}"
    else:
        e164 = normalize_phone(text)
        if e164 is None:
            refuse(f"--as {who!r}: give a phone number, telegram:<user id> or a contact id")
        address = f"tel:{e164}"
    found = await session.scalar(select(ChannelIdentity.contact_id).where(ChannelIdentity.address == address))
    return await _live_id(session, found)


async def resolve(session: AsyncSession, who: str) -> Actor:
    """The staff member ``who`` names, or a refusal saying why they cannot act."""
    try:
        contact_id = await _contact_of(session, who)
        if contact_id is None:
            refuse(f"--as {who!r}: no such contact")
        scope = await staff_scope(session, await same_person(session, contact_id))
        slugs = (await session.scalars(select(Centre.slug).where(Centre.id.in_(scope.centre_ids))
                                       .order_by(Centre.slug))).all()
    except SQLAlchemyError:
        refuse(f"--as {who!r}: cannot look them up: is the database set up? (clc-admin db upgrade, "
               "without --as)")
    if not scope.is_staff:
        refuse(f"--as {who!r}: contact {contact_id} is neither a facilitator nor an administrator "
               "(clc-admin facilitator add)")
    return Actor(who, contact_id, scope, tuple(slugs))


def require_administrator(action: str) -> None:
    """Refuse ``action`` unless acting as an administrator (or as the operator)."""
    actor = current.get()
    if actor is not None and not actor.scope.administrator:
        refuse(f"--as {actor.who!r}: only an administrator may {action}")


def check_centre(centre: Centre) -> Centre:
    actor = current.get()
    if actor is not None and not actor.scope.covers(centre.id):
        refuse(f"--as {actor.who!r}: not a facilitator at centre {centre.slug!r} "
               f"(yours: {', '.join(actor.centre_slugs)})")
    return centre


def own_centre_slug() -> str | None:
    """A facilitator's only centre: what a command means when no --centre is given; with
    several of theirs, a refusal naming them (not every centre, as without --as)."""
    actor = current.get()
    if actor is None or actor.scope.administrator:
        return None
    if len(actor.centre_slugs) > 1:
        refuse(f"several centres: say which with --centre SLUG (yours: {', '.join(actor.centre_slugs)})")
    return actor.centre_slugs[0]


def cli_actor() -> str:
    """Who acts, for the audit logs: the shell user, and the facilitator given by --as."""
    acting = current.get()
    user = f"cli:{getpass.getuser()}"
    return user if acting is None else f"{acting.label} ({user})"[:100]


def limited_centres() -> frozenset[int] | None:
    """The centres a listing is limited to; None when it may show every centre."""
    actor = current.get()
    return None if actor is None or actor.scope.administrator else actor.scope.centre_ids


async def check_contact(session: AsyncSession, contact_id: int, label: str) -> None:
    """Refuse a contact of another centre; an unknown contact is left to the caller to report."""
    actor = current.get()
    if actor is None:
        return
    try:
        contact = await live_contact(session, contact_id)
    except LookupError:
        return
    if not actor.scope.covers(contact.centre_id):
        refuse(f"--as {actor.who!r}: {label} is not a contact of your centre "
               f"({', '.join(actor.centre_slugs)})")
