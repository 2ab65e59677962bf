"""The outbox's rows: queueing a message, the kinds features declare, and what a claim holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.codec import encode_reply
from flows.events import Reply
from storage.models import ChannelIdentity, OutboxMessage

CHANNEL_PREFERENCE = ("telegram", "sms")
# In a row's payload: how many parts of a message in several parts already arrived.
PARTS_SENT = "parts_sent"
# ... and the address they went to: on another channel (Telegram blocked, SMS left) nothing of
# the message has arrived yet, so every part is sent there.
PARTS_TO = "parts_to"
# The kind whose row holds its own address (``TO``): the notice to a person just forgotten.
FAREWELL = "farewell"
TO = "to"


class Priority(IntEnum):
    """Which due rows are claimed first (lower first); within one, the earliest due."""

    URGENT = 0  # a reply owed, a seat offer, a reminder: someone acts on it soon
    NORMAL = 1
    BULK = 2  # a broadcast to a whole village: it takes the slots the others leave


StillWanted = Callable[[AsyncSession, Mapping[str, Any], dt.datetime], Awaitable[bool]]


@dataclass(frozen=True)
class OutboxKind:
    """A kind of queued message a feature sends, with the check, made just before sending,
    that it still holds (a seat offer withdrawn or expired meanwhile is not sent), and its
    priority among due rows."""

    kind: str
    still_wanted: StillWanted | None = None
    priority: Priority = Priority.NORMAL


@dataclass(frozen=True)
class Awaits:
    """The flow view an idle conversation enters once the message is delivered."""

    flow: str
    data: dict[str, Any]
    context: str


@dataclass(frozen=True)
class Claimed:
    id: int
    contact_id: int
    channel: str | None
    kind: str
    payload: dict[str, object]
    attempts: int
    claimed_at: dt.datetime


@dataclass(frozen=True)
class Target:
    """The address a row goes to; ``id`` is its identity's, None for a farewell's."""

    channel: str
    address: str
    id: int | None


Final = Literal["sent", "failed", "skipped"]


@dataclass(frozen=True)
class Outcome:
    """What became of one claimed row, recorded with others in one transaction.

    ``status`` "pending": tried again from ``due_at``; ``counted`` says whether this try counts
    towards giving up (a row handed back because its channel is paused does not)."""

    row: Claimed
    status: Final | Literal["pending"]
    error: str | None = None
    due_at: dt.datetime | None = None
    counted: bool = True
    provider_id: str | None = None
    parts: tuple[int, str] | None = None  # parts arrived so far, and the address they went to
    unreachable_identity: int | None = None
    seq_when_sent: object = None


async def enqueue(
    session: AsyncSession,
    *,
    contact_id: int,
    replies: Sequence[Reply],
    kind: str,
    now: dt.datetime,
    due_at: dt.datetime | None = None,
    channel: str | None = None,
    awaits: Awaits | None = None,
) -> OutboxMessage:
    payload: dict[str, Any] = {"replies": [encode_reply(reply) for reply in replies]}
    if awaits is not None:
        payload["awaits"] = {"flow": awaits.flow, "data": awaits.data, "ctx": awaits.context}
    row = OutboxMessage(
        contact_id=contact_id,
        channel=channel,
        kind=kind,
        payload=payload,
        due_at=due_at or now,
        status="pending",
        attempts=0,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def enqueue_farewell(
    session: AsyncSession, *, contact_id: int, channel: str, address: str, language: str | None,
    replies: Sequence[Reply], now: dt.datetime,
) -> OutboxMessage:
    """A message to an address the database no longer knows (queued after the erasure)."""
    row = await enqueue(session, contact_id=contact_id, replies=replies, kind=FAREWELL, now=now,
                        channel=channel)
    row.payload = {**row.payload, TO: address, "language": language}
    await session.flush()
    return row


def farewell_address(row: Claimed) -> str | None:
    address = row.payload.get(TO)
    return address if row.kind == FAREWELL and isinstance(address, str) else None


def parts_sent(payload: Mapping[str, object]) -> int:
    done = payload.get(PARTS_SENT)
    return done if isinstance(done, int) else 0


def preference(identity: ChannelIdentity) -> int:
    channel = identity.channel
    return CHANNEL_PREFERENCE.index(channel) if channel in CHANNEL_PREFERENCE else len(CHANNEL_PREFERENCE)


def reachable(identity: ChannelIdentity) -> bool:
    return identity.unreachable_at is None and identity.opted_out_at is None
