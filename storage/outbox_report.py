"""What the outbox holds, for facilitators (``clc-admin outbox``): counts, the oldest message
still waiting, one person's messages. Read only; never the message texts (``payload``) and
never an address, only contact ids.

A row's *state* is its ``status`` (pending, sending, sent, failed, skipped), except that a sent
message the provider later reported as delivered (or read) is ``delivered``, and one it
reported as not delivered is ``undelivered``: Twilio's status callbacks set
``delivery_status`` after the outbox has marked the row sent.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from flows.timezones import DEFAULT_TIMEZONE
from storage.models import Centre, Contact, OutboxMessage

DELIVERED = frozenset({"delivered", "read"})
UNDELIVERED = frozenset({"undelivered", "failed"})
ANY_CHANNEL = "any"  # a row without a channel goes to whichever address the person has


def state_of(status: str, delivery_status: str | None) -> str:
    if status == "sent" and delivery_status in DELIVERED:
        return "delivered"
    if status == "sent" and delivery_status in UNDELIVERED:
        return "undelivered"
    return status


@dataclass(frozen=True)
class Count:
    kind: str
    channel: str
    state: str
    messages: int


@dataclass(frozen=True)
class Waiting:
    """The pending message due first, with its centre's zone for showing the time."""

    id: int
    kind: str
    contact_id: int
    due_at: dt.datetime
    timezone: str


@dataclass(frozen=True)
class Summary:
    counts: list[Count]
    due_now: int
    oldest: Waiting | None


@dataclass(frozen=True)
class Line:
    id: int
    kind: str
    channel: str
    state: str
    due_at: dt.datetime
    sent_at: dt.datetime | None
    attempts: int
    reason: str | None


def _limited(query: Select[Any], centre_ids: Collection[int] | None) -> Select[Any]:
    """Only rows of contacts of these centres (None: every row, also of contacts of none)."""
    if centre_ids is None:
        return query
    return query.join(Contact, Contact.id == OutboxMessage.contact_id).where(
        Contact.centre_id.in_(list(centre_ids)))


async def summary(session: AsyncSession, centre_ids: Collection[int] | None, now: dt.datetime) -> Summary:
    grouped = _limited(select(OutboxMessage.kind, OutboxMessage.channel, OutboxMessage.status,
                              OutboxMessage.delivery_status, func.count())
                       .group_by(OutboxMessage.kind, OutboxMessage.channel, OutboxMessage.status,
                                 OutboxMessage.delivery_status), centre_ids)
    totals: Counter[tuple[str, str, str]] = Counter()
    for kind, channel, status, delivery_status, messages in (await session.execute(grouped)).all():
        state = state_of(str(status), delivery_status)
        totals[(str(kind), str(channel or ANY_CHANNEL), state)] += int(messages)
    counts = [Count(kind, channel, state, n) for (kind, channel, state), n in sorted(totals.items())]
    pending = OutboxMessage.status == "pending"
    due_now = await session.scalar(_limited(select(func.count(OutboxMessage.id)), centre_ids)
                                   .where(pending, OutboxMessage.due_at <= now))
    first = (await session.execute(
        _limited(select(OutboxMessage.id, OutboxMessage.kind, OutboxMessage.contact_id,
                        OutboxMessage.due_at), centre_ids)
        .where(pending).order_by(OutboxMessage.due_at, OutboxMessage.id).limit(1))).first()
    oldest = None
    if first is not None:
        oldest = Waiting(first.id, first.kind, first.contact_id, first.due_at,
                         await zone_of(session, first.contact_id))
    return Summary(counts, int(due_now or 0), oldest)


async def zone_of(session: AsyncSession, contact_id: int) -> str:
    """The time zone of the contact's centre (the default for a contact of none)."""
    zone = await session.scalar(select(Centre.timezone).join(Contact, Contact.centre_id == Centre.id)
                                .where(Contact.id == contact_id))
    return zone or DEFAULT_TIMEZONE


async def messages_of(session: AsyncSession, contact_ids: Sequence[int], limit: int) -> list[Line]:
    """A person's messages (on each of their merged contacts), newest first."""
    rows = (await session.execute(
        select(OutboxMessage.id, OutboxMessage.kind, OutboxMessage.channel, OutboxMessage.status,
               OutboxMessage.delivery_status, OutboxMessage.due_at, OutboxMessage.sent_at,
               OutboxMessage.attempts, OutboxMessage.last_error)
        .where(OutboxMessage.contact_id.in_(list(contact_ids)))
        .order_by(OutboxMessage.due_at.desc(), OutboxMessage.id.desc()).limit(limit))).all()
    return [Line(r.id, r.kind, r.channel or ANY_CHANNEL, state_of(r.status, r.delivery_status), r.due_at,
                 r.sent_at, r.attempts, r.last_error) for r in rows]

