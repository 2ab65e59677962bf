"""Messages that are not an immediate answer: a row first, then a delivery.

``enqueue`` adds rows inside the caller's transaction. A message that asks something (a seat
offer, a questionnaire invitation) may carry ``awaits``: once it is delivered, an idle
conversation (at the main menu or only browsing: ``flows.registry.taken_over``) is put into
that flow's view, so a typed "1" answers what the person just read, never something still
waiting in the queue. ``OutboxSender.send_due`` claims due rows (``FOR UPDATE SKIP LOCKED``
on PostgreSQL, so several processes share the work; SQLite's single writer needs no more),
and just before sending checks again that the contact still exists and that the address has
not opted out or become unreachable. A process claims only messages for people it has an
address for on its own channels; the rest wait for a process that serves theirs. A claim is
a lease: a row left ``sending`` by a process that died is due again after ``LEASE``.

A ``farewell`` row (``enqueue_farewell``) is the one kind sent to no contact's identity: the
person was forgotten, so their address is in the row itself, and the row is deleted once sent
or given up, so that nothing of them stays behind.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.base import Sender
from bot.clock import Clock, system_clock
from bot.codec import decode_reply, encode_reply
from bot.i18n import Catalogs
from flows.errors import PermanentFailure, RetryLater, StateError, Unreachable
from flows.events import Reply
from flows.registry import FlowRegistry, taken_over
from flows.state import from_json as state_from_json
from flows.state import to_json as state_to_json
from storage.db import Database
from storage.models import ChannelIdentity, Contact, Conversation, OutboxMessage
from storage.models.core import OutboxStatus

log = logging.getLogger(__name__)
LEASE = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 8
CHANNEL_PREFERENCE = ("telegram", "sms")
# In a row's payload: how many parts of a message in several parts already arrived.
PARTS_SENT = "parts_sent"
# ... and the address they went to: on another channel (Telegram blocked, SMS left) nothing of
# the message has arrived yet, so every part is sent there.
PARTS_TO = "parts_to"
# The kind whose row holds its own address (``TO``): the notice to a person just forgotten.
FAREWELL = "farewell"
TO = "to"


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


def _farewell_address(row: Claimed) -> str | None:
    address = row.payload.get(TO)
    return address if row.kind == FAREWELL and isinstance(address, str) else None


StillWanted = Callable[[AsyncSession, Mapping[str, Any], dt.datetime], Awaitable[bool]]


@dataclass(frozen=True)
class OutboxKind:
    """A kind of queued message a feature sends, with the check, made just before sending,
    that it still holds (a seat offer withdrawn or expired meanwhile is not sent)."""

    kind: str
    still_wanted: StillWanted | None = None


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


@dataclass(frozen=True)
class Target:
    """The address a row goes to; ``id`` is its identity's, None for a farewell's."""

    channel: str
    address: str
    id: int | None


def _parts_sent(payload: Mapping[str, object]) -> int:
    done = payload.get(PARTS_SENT)
    return done if isinstance(done, int) else 0


def _preference(identity: ChannelIdentity) -> int:
    channel = identity.channel
    return CHANNEL_PREFERENCE.index(channel) if channel in CHANNEL_PREFERENCE else len(CHANNEL_PREFERENCE)


def reachable(identity: ChannelIdentity) -> bool:
    return identity.unreachable_at is None and identity.opted_out_at is None


class OutboxSender:
    def __init__(
        self,
        db: Database,
        catalogs: Catalogs,
        senders: Mapping[str, Sender],
        *,
        kinds: Iterable[OutboxKind],
        flows: FlowRegistry,
        clock: Clock = system_clock,
        batch: int = 50,
        only_contact: int | None = None,
    ) -> None:
        self.db = db
        self.catalogs = catalogs
        self.senders = dict(senders)
        self.kinds = {kind.kind: kind for kind in kinds}
        self.flows = flows
        self.clock = clock
        self.batch = batch
        # The terminal simulator is one person: it must not claim everyone else's messages on
        # the channel it stands in for (``--phone`` makes it "sms").
        self.only_contact = only_contact

    async def send_due(self) -> int:
        """Send what is due now; returns how many rows were handled (sent, skipped or failed)."""
        claimed = await self._claim()
        for done, row in enumerate(claimed):
            try:
                await self._deliver(row)
            except asyncio.CancelledError:  # shutting down: what was not tried yet is due again now
                await asyncio.shield(self._release(claimed[done + 1:]))
                raise
            except Exception as exc:  # one bad row must not hold up the rest of the batch
                log.exception("outbox row %s: could not be delivered", row.id)
                await self._retry(row, min(2**row.attempts, 600), repr(exc))
        return len(claimed)

    async def _release(self, rows: Sequence[Claimed]) -> None:
        if not rows:
            return
        async with self.db.transaction() as session:
            for row in rows:
                stored = await session.get(OutboxMessage, row.id)
                if stored is not None and stored.status == "sending":
                    stored.status, stored.due_at, stored.attempts = "pending", self.clock(), row.attempts - 1

    async def _claim(self) -> list[Claimed]:
        now = self.clock()
        due = or_(
            and_(OutboxMessage.status == "pending", OutboxMessage.due_at <= now),
            and_(OutboxMessage.status == "sending", OutboxMessage.due_at <= now),
        )
        # Only people this process can reach: a Telegram-only service must not claim, and skip,
        # a message for the simulator's person or an SMS villager whom another process serves.
        reachable_address = and_(
            ChannelIdentity.contact_id == OutboxMessage.contact_id,
            ChannelIdentity.unreachable_at.is_(None),
            ChannelIdentity.opted_out_at.is_(None),
        )
        served = and_(
            ChannelIdentity.channel.in_(list(self.senders)),
            or_(OutboxMessage.channel.is_(None), ChannelIdentity.channel == OutboxMessage.channel),
        )
        mine = select(ChannelIdentity.id).where(reachable_address, served)
        anywhere = select(ChannelIdentity.id).where(reachable_address)
        # Someone reachable nowhere is claimed too, and skipped: no process could do better.
        # A farewell's address is in the row: only a process serving its channel claims it.
        farewell = OutboxMessage.kind == FAREWELL
        due = and_(due, or_(
            and_(farewell, OutboxMessage.channel.in_(list(self.senders))),
            and_(~farewell, or_(mine.exists(), ~anywhere.exists())),
        ))
        if self.only_contact is not None:
            due = and_(due, OutboxMessage.contact_id == self.only_contact)
        async with self.db.transaction() as session:
            rows = (
                await session.scalars(
                    select(OutboxMessage)
                    .where(due)
                    .order_by(OutboxMessage.due_at, OutboxMessage.id)
                    .limit(self.batch)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for row in rows:
                row.status, row.due_at, row.attempts = "sending", now + LEASE, row.attempts + 1
            return [Claimed(r.id, r.contact_id, r.channel, r.kind, r.payload, r.attempts) for r in rows]

    async def _deliver(self, row: Claimed) -> None:
        async with self.db.transaction() as session:
            contact = await session.get(Contact, row.contact_id)
            identities = (
                await session.scalars(
                    select(ChannelIdentity).where(ChannelIdentity.contact_id == row.contact_id)
                )
            ).all()
            # Only a question that waits for its answer needs the screen the person is on.
            awaits = "awaits" in row.payload
            conversation = await session.get(Conversation, row.contact_id) if awaits else None
            moot = not await self._still_wanted(session, row)
        identity = self._target(row, contact, identities, moot)
        if isinstance(identity, str):
            await self._finish(row.id, "skipped", identity)
            return
        seq_when_sent = conversation.state.get("seq") if conversation is not None else None
        sender = self.senders[identity.channel]
        stored_replies = row.payload.get("replies")
        replies = [decode_reply(item) for item in stored_replies] if isinstance(stored_replies, list) else []
        # A step's reply (``bot.replies``) keeps the language it was written in; a notice is
        # rendered in the person's language of the moment.
        stored_language = row.payload.get("language")
        if isinstance(stored_language, str):
            language: str | None = stored_language
        else:
            language = contact.language if contact is not None else None
        tr = self.catalogs.translator(language)
        skip = _parts_sent(row.payload) if row.payload.get(PARTS_TO) == identity.address else 0

        async def part_sent(done: int, total: int, provider_id: str) -> None:
            if done < total:  # the last part is recorded with the row's status, just below
                await self._record_part(row.id, done, provider_id, identity.address)

        try:
            provider_ids = await sender.send(identity.address, replies, tr, skip=skip, on_part=part_sent)
        except Unreachable as exc:
            if identity.id is not None:  # a farewell's address is no identity any more
                await self._mark_unreachable(identity.id)
            await self._finish(row.id, "failed", f"unreachable: {exc}")
        except RetryLater as exc:
            await self._retry(row, exc.retry_after, str(exc))
        except PermanentFailure as exc:
            await self._finish(row.id, "failed", str(exc))
        except Exception as exc:  # network trouble we have no class for: back off and retry
            log.exception("outbox row %s: sending failed", row.id)
            await self._retry(row, min(2**row.attempts, 600), repr(exc))
        else:
            await self._finish(row.id, "sent", None, provider_ids[0] if provider_ids else None,
                               awaits=row.payload.get("awaits"), seq_when_sent=seq_when_sent,
                               parts_sent=(skip + len(provider_ids), identity.address))

    def _target(
        self, row: Claimed, contact: Contact | None, identities: Sequence[ChannelIdentity], moot: bool
    ) -> Target | str:
        """Where the row goes, or why it is skipped."""
        farewell_to = _farewell_address(row)
        if farewell_to is not None and row.channel in self.senders:
            return Target(row.channel, farewell_to, None)
        if contact is None or contact.deleted_at is not None:
            return "contact deleted"
        if moot:
            return "no longer relevant"
        found = self._pick(identities, row.channel)
        return Target(found.channel, found.address, found.id) if found is not None else "no reachable address"

    async def _record_part(self, row_id: int, done: int, provider_id: str, address: str) -> None:
        """A part arrived: a later attempt (after a failure, or a lease taken over from a
        process that died) sends only the parts after it, so nobody reads a part twice."""
        async with self.db.transaction() as session:
            stored = await session.get(OutboxMessage, row_id)
            if stored is not None:
                stored.payload = {**stored.payload, PARTS_SENT: done, PARTS_TO: address}
                stored.provider_id = stored.provider_id or provider_id

    async def _still_wanted(self, session: AsyncSession, row: Claimed) -> bool:
        kind = self.kinds.get(row.kind)
        if kind is None:
            # Queued by a feature this process was not built with: send it as it is, since
            # dropping someone's notice silently would be worse than a check not made.
            log.warning("outbox row %s: kind %r is declared by no feature of this process", row.id, row.kind)
            return True
        return kind.still_wanted is None or await kind.still_wanted(session, row.payload, self.clock())

    def _pick(self, identities: Sequence[ChannelIdentity], wanted: str | None) -> ChannelIdentity | None:
        usable = [i for i in identities if reachable(i) and i.channel in self.senders]
        if wanted is not None:
            usable = [i for i in usable if i.channel == wanted]
        usable.sort(key=_preference)
        return usable[0] if usable else None

    async def _finish(
        self, row_id: int, status: OutboxStatus, error: str | None, provider_id: str | None = None,
        awaits: object = None, seq_when_sent: object = None, parts_sent: tuple[int, str] | None = None,
    ) -> None:
        async with self.db.transaction() as session:
            row = await session.get(OutboxMessage, row_id)
            if row is None:
                return
            if row.kind == FAREWELL:  # sent or given up: the address it holds must not stay
                await session.delete(row)
                return
            row.status, row.last_error = status, error
            if provider_id is not None and row.provider_id is None:  # the first part's id
                row.provider_id = provider_id
            if parts_sent is not None:
                row.payload = {**row.payload, PARTS_SENT: parts_sent[0], PARTS_TO: parts_sent[1]}
            if status == "sent":
                row.sent_at = self.clock()
                if isinstance(awaits, dict):
                    await self._await_answer(session, row.contact_id, awaits, seq_when_sent)

    async def _await_answer(
        self, session: AsyncSession, contact_id: int, awaits: dict[str, Any], seq_when_sent: object
    ) -> None:
        """Put an idle conversation into the delivered question's view (see ``taken_over``).

        A conversation locked by a step in progress is left alone (``SKIP LOCKED``): the person
        is busy with something else and the message's button still works from any state.
        """
        conversation = await session.scalar(
            select(Conversation).where(Conversation.contact_id == contact_id)
            .with_for_update(skip_locked=True)
        )
        if conversation is None:
            return
        try:
            current = state_from_json(conversation.state)
        except StateError:  # the next step of the person starts them at the menu (dispatcher)
            return
        if current is None:
            return
        state = taken_over(current, self.flows, awaits["flow"], awaits["data"], awaits["ctx"],
                           seq_when_sent=seq_when_sent)
        if state is not None:
            conversation.state, conversation.updated_at = state_to_json(state), self.clock()

    async def _retry(self, row: Claimed, after: float, error: str) -> None:
        if row.attempts >= MAX_ATTEMPTS:
            await self._finish(row.id, "failed", f"gave up after {row.attempts} attempts: {error}")
            return
        async with self.db.transaction() as session:
            stored = await session.get(OutboxMessage, row.id)
            if stored is not None:
                stored.status, stored.last_error = "pending", error
                stored.due_at = self.clock() + dt.timedelta(seconds=after)

    async def _mark_unreachable(self, identity_id: int) -> None:
        async with self.db.transaction() as session:
            identity = await session.get(ChannelIdentity, identity_id)
            if identity is not None and identity.unreachable_at is None:
                identity.unreachable_at = self.clock()
