"""Contacts, their channel identities and conversation state."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Centre, ChannelIdentity, Contact, Conversation


async def find_identity(session: AsyncSession, channel: str, address: str) -> ChannelIdentity | None:
    # Bound to a name first: in a return statement mypy picks session.scalar's untyped overload.
    identity = await session.scalar(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == channel, ChannelIdentity.address == address
        )
    )
    return identity


async def live_contact(session: AsyncSession, contact_id: int) -> Contact:
    """The contact, following merges to the one that now stands for this person."""
    contact = await session.get(Contact, contact_id)
    seen: set[int] = set()
    while contact is not None and contact.merged_into_id is not None and contact.id not in seen:
        seen.add(contact.id)
        contact = await session.get(Contact, contact.merged_into_id)
    if contact is None:
        raise LookupError(f"contact {contact_id} does not exist")
    return contact


async def resolve_identity(
    session: AsyncSession, channel: str, address: str, now: dt.datetime
) -> tuple[ChannelIdentity, Contact, bool]:
    """The identity and contact behind an address, created on first contact (third item)."""
    identity = await find_identity(session, channel, address)
    if identity is not None:
        return identity, await live_contact(session, identity.contact_id), False
    contact = Contact(created_at=now)
    session.add(contact)
    await session.flush()
    identity = ChannelIdentity(contact_id=contact.id, channel=channel, address=address, created_at=now)
    session.add(identity)
    # A unique violation here means another process created it first: the caller retries.
    await session.flush()
    return identity, contact, True


async def load_state(session: AsyncSession, contact_id: int, *, lock: bool) -> Conversation | None:
    query = select(Conversation).where(Conversation.contact_id == contact_id)
    if lock:
        # Serialises steps of one contact across processes on PostgreSQL; on SQLite the
        # transaction already holds the database's write lock (BEGIN IMMEDIATE).
        query = query.with_for_update()
    conversation = await session.scalar(query)
    return conversation


async def save_state(
    session: AsyncSession,
    conversation: Conversation | None,
    contact_id: int,
    state: dict[str, Any],
    now: dt.datetime,
) -> None:
    if conversation is None:
        session.add(Conversation(contact_id=contact_id, state=state, updated_at=now))
    else:
        conversation.state = state
        conversation.updated_at = now


async def centre_slugs(session: AsyncSession) -> frozenset[str]:
    return frozenset(await session.scalars(select(Centre.slug)))


async def centre_slug(session: AsyncSession, centre_id: int | None) -> str | None:
    if centre_id is None:
        return None
    slug = await session.scalar(select(Centre.slug).where(Centre.id == centre_id))
    return slug


async def sole_centre_id(session: AsyncSession) -> int | None:
    """The centre, when the installation serves exactly one (the usual village set-up)."""
    ids = (await session.scalars(select(Centre.id).limit(2))).all()
    return ids[0] if len(ids) == 1 else None
