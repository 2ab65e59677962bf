"""The outbox's database side: claiming due rows in batches and recording what became of them.

A claim takes the due rows of the people this process can reach, most urgent kind first, then
the earliest due (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several processes share the
work and none takes a row another holds; SQLite's single writer needs no more). A claim is a
lease: a row left ``sending`` by a process that died is due again after ``LEASE``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import and_, case, or_, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.outbox.rows import FAREWELL, PARTS_SENT, PARTS_TO, Claimed, OutboxKind, Outcome, Priority
from flows.errors import StateError
from flows.registry import FlowRegistry, taken_over
from flows.state import from_json as state_from_json
from flows.state import to_json as state_to_json
from storage.db import Database
from storage.models import ChannelIdentity, Contact, Conversation, OutboxMessage

LEASE = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 8


async def claim(
    db: Database, *, now: dt.datetime, limit: int, channels: Collection[str],
    kinds: Mapping[str, OutboxKind], only_contact: int | None = None,
) -> list[Claimed]:
    due = and_(OutboxMessage.status.in_(("pending", "sending")), OutboxMessage.due_at <= now)
    # Only people this process can reach: a Telegram-only service must not claim, and skip,
    # a message for the simulator's person or an SMS villager whom another process serves.
    reachable_address = and_(
        ChannelIdentity.contact_id == OutboxMessage.contact_id,
        ChannelIdentity.unreachable_at.is_(None),
        ChannelIdentity.opted_out_at.is_(None),
    )
    served = and_(
        ChannelIdentity.channel.in_(list(channels)),
        or_(OutboxMessage.channel.is_(None), ChannelIdentity.channel == OutboxMessage.channel),
    )
    mine = select(ChannelIdentity.id).where(reachable_address, served)
    anywhere = select(ChannelIdentity.id).where(reachable_address)
    # Someone reachable nowhere is claimed too, and skipped: no process could do better.
    # A farewell's address is in the row: only a process serving its channel claims it.
    farewell = OutboxMessage.kind == FAREWELL
    due = and_(due, or_(
        and_(farewell, OutboxMessage.channel.in_(list(channels))),
        and_(~farewell, or_(mine.exists(), ~anywhere.exists())),
    ))
    if only_contact is not None:
        due = and_(due, OutboxMessage.contact_id == only_contact)
    urgent_first = [(kind.kind, int(kind.priority)) for kind in kinds.values()
                    if kind.priority != Priority.NORMAL]
    rank = (case(dict(urgent_first), value=OutboxMessage.kind, else_=int(Priority.NORMAL))
            if urgent_first else None)
    order: list[Any] = [OutboxMessage.due_at, OutboxMessage.id]
    if rank is not None:
        order.insert(0, rank)
    async with db.transaction() as session:
        rows = (
            await session.scalars(
                select(OutboxMessage).where(due).order_by(*order).limit(limit).with_for_update(skip_locked=True)
            )
        ).all()
        for row in rows:
            row.status, row.due_at, row.attempts = "sending", now + LEASE, row.attempts + 1
        return [Claimed(r.id, r.contact_id, r.channel, r.kind, r.payload, r.attempts, now) for r in rows]


async def release(db: Database, rows: Sequence[Claimed], now: dt.datetime) -> None:
    """Claimed and never tried (the process is stopping): due again now, the try not counted."""
    if not rows:
        return
    async with db.transaction() as session:
        for row in rows:
            await session.execute(
                update(OutboxMessage).where(OutboxMessage.id == row.id, OutboxMessage.status == "sending")
                .values(status="pending", due_at=now, attempts=row.attempts - 1)
            )


async def release_all(session: AsyncSession, now: dt.datetime) -> int:
    """Every claim, due now: for a process that alone uses its database (SQLite), at start, the
    claims of the run that was killed are its own."""
    result = await session.execute(
        update(OutboxMessage).where(OutboxMessage.status == "sending").values(status="pending", due_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def record_part(db: Database, row_id: int, done: int, provider_id: str, address: str) -> None:
    """A part arrived: a later attempt (after a failure, or a lease taken over from a process
    that died) sends only the parts after it, so nobody reads a part twice."""
    async with db.transaction() as session:
        stored = await session.get(OutboxMessage, row_id)
        if stored is not None:
            stored.payload = {**stored.payload, PARTS_SENT: done, PARTS_TO: address}
            stored.provider_id = stored.provider_id or provider_id


async def record(db: Database, outcomes: Sequence[Outcome], *, clock: Clock, flows: FlowRegistry) -> None:
    """Every outcome in one transaction. Once more on a new connection when the first was lost
    (a database restarted under a broadcast): these rows were sent, and left unrecorded they
    would be sent again when their lease runs out."""
    if not outcomes:
        return
    now = clock()
    try:
        await _record(db, outcomes, now, flows)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        await _record(db, outcomes, now, flows)


async def _record(db: Database, outcomes: Sequence[Outcome], now: dt.datetime, flows: FlowRegistry) -> None:
    async with db.transaction() as session:
        ids = [outcome.row.id for outcome in outcomes]
        rows = await session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)))
        stored = {row.id: row for row in rows}
        unreachable = [o.unreachable_identity for o in outcomes if o.unreachable_identity is not None]
        if unreachable:
            await session.execute(
                update(ChannelIdentity).where(ChannelIdentity.id.in_(unreachable),
                                              ChannelIdentity.unreachable_at.is_(None))
                .values(unreachable_at=now)
            )
        for outcome in outcomes:
            row = stored.get(outcome.row.id)
            if row is not None:
                await _apply(session, row, outcome, now, flows)


async def _apply(session: AsyncSession, row: OutboxMessage, outcome: Outcome, now: dt.datetime,
                 flows: FlowRegistry) -> None:
    status, error = outcome.status, outcome.error
    if status == "pending" and outcome.counted and outcome.row.attempts >= MAX_ATTEMPTS:
        status, error = "failed", f"gave up after {outcome.row.attempts} attempts: {error}"
    if status != "pending" and row.kind == FAREWELL:  # sent or given up: its address must not stay
        await session.delete(row)
        return
    row.status, row.last_error = status, error
    if status == "pending":
        row.due_at = outcome.due_at or now
        if not outcome.counted:
            row.attempts = outcome.row.attempts - 1
    if outcome.provider_id is not None and row.provider_id is None:  # the first part's id
        row.provider_id = outcome.provider_id
    if outcome.parts is not None:
        row.payload = {**row.payload, PARTS_SENT: outcome.parts[0], PARTS_TO: outcome.parts[1]}
    if status == "sent":
        row.sent_at = now
        awaits = row.payload.get("awaits")
        if isinstance(awaits, dict):
            await _await_answer(session, row.contact_id, awaits, outcome.seq_when_sent, now, flows)


async def _await_answer(
    session: AsyncSession, contact_id: int, awaits: dict[str, Any], seq_when_sent: object,
    now: dt.datetime, flows: FlowRegistry,
) -> None:
    """Put an idle conversation into the delivered question's view (see ``taken_over``).

    A person whose step is in progress is left alone: their contact row is locked by the step
    (``storage.steps``), so it is skipped (``SKIP LOCKED``); the person is busy with something
    else and the message's button still works from any state.
    """
    free = await session.scalar(select(Contact.id).where(Contact.id == contact_id)
                                .with_for_update(key_share=True, skip_locked=True))
    if free is None:
        return
    conversation = await session.scalar(
        select(Conversation).where(Conversation.contact_id == contact_id).with_for_update(skip_locked=True)
    )
    if conversation is None:
        return
    try:
        current = state_from_json(conversation.state)
    except StateError:  # the next step of the person starts them at the menu (dispatcher)
        return
    if current is None:
        return
    state = taken_over(current, flows, awaits["flow"], awaits["data"], awaits["ctx"],
                       seq_when_sent=seq_when_sent)
    if state is not None:
        conversation.state, conversation.updated_at = state_to_json(state), now
