"""The inbound log: every accepted message, kept before it is handled and marked when it is.

A polled Telegram update is recorded (``record_unhandled``) before its offset is confirmed to
Telegram; the step that handles it claims that row (``claim``: one upsert that marks it handled,
locked until the step commits) in its own transaction. A row found already handled is a
redelivery: nothing happens again. (``take`` is the same claim in several statements, kept for
callers that have no contact yet.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage import upsert
from storage.models import InboundMessage

MAX_STORED_TEXT = 10_000


@dataclass(frozen=True)
class Arrived:
    """What a channel received, as it is kept."""

    channel: str
    provider_id: str | None
    address: str
    text: str | None
    payload: dict[str, Any]


def _row(arrived: Arrived, now: dt.datetime) -> InboundMessage:
    text = arrived.text[:MAX_STORED_TEXT] if arrived.text is not None else None
    return InboundMessage(channel=arrived.channel, provider_id=arrived.provider_id, address=arrived.address,
                          text=text, payload=arrived.payload, received_at=now)


async def _existing(
    session: AsyncSession, channel: str, provider_id: str, *, lock: bool
) -> InboundMessage | None:
    query = select(InboundMessage).where(
        InboundMessage.channel == channel, InboundMessage.provider_id == provider_id
    )
    if lock:
        query = query.with_for_update()
    row = await session.scalar(query)
    return row


async def take(
    session: AsyncSession, arrived: Arrived, now: dt.datetime, *, lock: bool = True
) -> InboundMessage | None:
    """The row this step handles (new, or recorded earlier and not yet handled, locked until the
    step commits), or None when the provider id was handled already (a redelivery)."""
    if arrived.provider_id is not None:
        existing = await _existing(session, arrived.channel, arrived.provider_id, lock=lock)
        if existing is not None:
            return existing if existing.handled_at is None else None
    row = _row(arrived, now)
    if arrived.provider_id is None:
        session.add(row)
        await session.flush()
        return row
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:  # another process recorded it between our look and our insert
        existing = await _existing(session, arrived.channel, arrived.provider_id, lock=lock)
        return existing if existing is not None and existing.handled_at is None else None
    return row


_CLAIMS: dict[str, Any] = {}  # the claim's upsert, built once per database kind


def claim_statement(dialect: str) -> Any:
    """The claim's upsert (``claim_parameters``), RETURNING the row's id; built once per dialect."""
    if dialect not in _CLAIMS:
        columns = ("channel", "provider_id", "address", "text", "payload", "received_at", "contact_id",
                   "handled_at")
        table = InboundMessage.__table__
        statement = upsert.insert_for(dialect, table, name="inbound.claim").values(
            {name: bindparam(name, type_=table.c[name].type) for name in columns})
        _CLAIMS[dialect] = statement.on_conflict_do_update(
            index_elements=["channel", "provider_id"],
            set_={"contact_id": statement.excluded.contact_id, "handled_at": statement.excluded.handled_at},
            where=table.c.handled_at.is_(None),
        ).returning(table.c.id)
    return _CLAIMS[dialect]


def claim_parameters(arrived: Arrived, contact_id: int, now: dt.datetime) -> dict[str, Any]:
    return {"channel": arrived.channel, "provider_id": arrived.provider_id, "address": arrived.address,
            "text": arrived.text[:MAX_STORED_TEXT] if arrived.text is not None else None,
            "payload": arrived.payload, "received_at": now, "contact_id": contact_id, "handled_at": now}


async def claim(
    session: AsyncSession, arrived: Arrived, contact_id: int, now: dt.datetime
) -> int | None:
    """Mark the message handled by this step, in one statement: the id of its row (new, or
    recorded earlier and not yet handled), or None when it was handled already (a redelivery).

    On PostgreSQL the upsert locks a recorded row, so of two processes taking the same
    message one waits and then finds it handled; the row is the step's until it commits.
    (``storage.steps.person`` makes the same claim inside its read on PostgreSQL.)"""
    statement = claim_statement(session.get_bind().dialect.name)
    found = await session.scalar(statement, claim_parameters(arrived, contact_id, now))
    return int(found) if found is not None else None


async def handled_before(session: AsyncSession, arrived: Arrived) -> bool:
    """Whether this provider id was handled already (recorded and not yet handled is not)."""
    if arrived.provider_id is None:
        return False
    row = await _existing(session, arrived.channel, arrived.provider_id, lock=False)
    return row is not None and row.handled_at is not None


async def mark_held(session: AsyncSession, row_id: int) -> None:
    """The message was not applied: what it answers had not reached the person."""
    row = await session.get_one(InboundMessage, row_id)
    row.payload = {**(row.payload or {}), "held": True}


async def record_unhandled(session: AsyncSession, batch: Sequence[Arrived], now: dt.datetime) -> None:
    """Keep what arrived, to be handled next (or after a restart), in one statement; ids seen
    before are skipped."""
    if not batch:
        return
    rows = [{"channel": a.channel, "provider_id": a.provider_id, "address": a.address,
             "text": a.text[:MAX_STORED_TEXT] if a.text is not None else None, "payload": a.payload,
             "received_at": now, "contact_id": None, "handled_at": None} for a in batch]
    statement = upsert.insert(session, InboundMessage).values(rows)
    await session.execute(statement.on_conflict_do_nothing(index_elements=["channel", "provider_id"]))


async def unhandled(session: AsyncSession, channel: str) -> list[InboundMessage]:
    """Recorded and not handled, oldest first (so each person's messages keep their order)."""
    rows = await session.scalars(
        select(InboundMessage)
        .where(InboundMessage.channel == channel, InboundMessage.handled_at.is_(None))
        .order_by(InboundMessage.id)
    )
    return list(rows.all())


async def mark_failed(session: AsyncSession, arrived: Arrived, now: dt.datetime) -> None:
    """A message whose step failed is kept, marked, and never tried again (it could fail the
    same way at every restart)."""
    row = None
    if arrived.provider_id is not None:
        row = await _existing(session, arrived.channel, arrived.provider_id, lock=False)
    if row is None:
        row = _row(arrived, now)
        session.add(row)
    row.payload = {**(row.payload or {}), "failed": True}
    row.handled_at = now
    await session.flush()
