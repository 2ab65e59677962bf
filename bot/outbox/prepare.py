"""Before sending a claimed batch: one transaction checks again, for every row, that the contact
still exists, that the address has not opted out or become unreachable, that the message is
still wanted (``OutboxKind.still_wanted``), that it is not one of a loop's many copies, and that
it may go now: a message that can wait (any kind but an ``URGENT`` one, a step's reply and a
farewell) waits out the quiet hours of the person's centre (``flows.quiet_hours``)."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.codec import decode_reply
from bot.outbox.rows import (
    FAREWELL,
    PARTS_TO,
    Claimed,
    OutboxKind,
    Outcome,
    Priority,
    Target,
    farewell_address,
    parts_sent,
    preference,
    reachable,
)
from bot.replies import REPLY
from flows.events import Reply
from flows.quiet_hours import quiet_until
from storage.centres import centre_zone, quiet_hours
from storage.models import Centre, ChannelIdentity, Contact, Conversation, OutboxMessage

log = logging.getLogger(__name__)
# More identical messages than this to one person within LOOP_WINDOW: a loop, not a message.
LOOP_LIMIT = 20
LOOP_WINDOW = dt.timedelta(minutes=5)
PROBABLE_LOOP = "probable loop"
QUIET_HOURS = "quiet hours"
# Answers to the person's own message: they are awake and waiting for it, whatever the hour.
ANSWERS = frozenset({REPLY, FAREWELL})


@dataclass(frozen=True)
class Ready:
    """A row checked and ready to go: where, what, in which language, from which part."""

    row: Claimed
    target: Target
    replies: list[Reply]
    language: str | None
    skip: int
    seq_when_sent: object


async def prepare(
    session: AsyncSession, claimed: Sequence[Claimed], *, channels: Collection[str],
    kinds: Mapping[str, OutboxKind], now: dt.datetime,
) -> list[Ready | Outcome]:
    contact_ids = {row.contact_id for row in claimed}
    contacts = {c.id: c for c in await session.scalars(select(Contact).where(Contact.id.in_(contact_ids)))}
    identities: dict[int, list[ChannelIdentity]] = defaultdict(list)
    known = select(ChannelIdentity).where(ChannelIdentity.contact_id.in_(contact_ids))
    for identity in await session.scalars(known):
        identities[identity.contact_id].append(identity)
    # Only a question that waits for its answer needs the screen the person is on.
    waiting = {row.contact_id for row in claimed if "awaits" in row.payload}
    conversations = {c.contact_id: c for c in await session.scalars(
        select(Conversation).where(Conversation.contact_id.in_(waiting)))} if waiting else {}
    copies = await _recent_copies(session, contact_ids, now)
    quiet_ends = await _quiet_ends(session, contacts.values(), now)
    prepared: list[Ready | Outcome] = []
    for row in claimed:
        try:
            wanted = await _still_wanted(session, row, kinds, now)
        except Exception as exc:  # one bad row must not hold up the rest of the batch
            log.exception("outbox row %s: could not be checked", row.id)
            prepared.append(Outcome(row, "pending", repr(exc), due_at=now + backoff(row.attempts)))
            continue
        target = _target(row, contacts.get(row.contact_id), identities[row.contact_id], channels, wanted)
        if isinstance(target, str):
            prepared.append(Outcome(row, "skipped", target))
            continue
        if _may_wait(row, kinds) and (until := quiet_ends.get(row.contact_id)) is not None:
            prepared.append(Outcome(row, "pending", QUIET_HOURS, due_at=until, counted=False))
            continue
        if _a_loop(row, copies):
            log.warning("outbox row %s held: more than %d identical messages to contact %s within %s",
                        row.id, LOOP_LIMIT, row.contact_id, LOOP_WINDOW)
            prepared.append(Outcome(row, "skipped", PROBABLE_LOOP))
            continue
        conversation = conversations.get(row.contact_id)
        prepared.append(Ready(
            row, target, stored_replies(row.payload), _language(row, contacts.get(row.contact_id)),
            parts_sent(row.payload) if row.payload.get(PARTS_TO) == target.address else 0,
            conversation.state.get("seq") if conversation is not None else None,
        ))
    return prepared


def _may_wait(row: Claimed, kinds: Mapping[str, OutboxKind]) -> bool:
    kind = kinds.get(row.kind)
    return row.kind not in ANSWERS and (kind is None or kind.priority != Priority.URGENT)


async def _quiet_ends(
    session: AsyncSession, contacts: Iterable[Contact], now: dt.datetime
) -> dict[int, dt.datetime]:
    """Per contact whose centre (or, with none, the default) is in quiet hours now: their end."""
    people = list(contacts)
    centre_ids = {c.centre_id for c in people if c.centre_id is not None}
    centres = {c.id: c for c in await session.scalars(select(Centre).where(Centre.id.in_(centre_ids)))} \
        if centre_ids else {}
    ends: dict[int, dt.datetime] = {}
    for contact in people:
        centre = centres.get(contact.centre_id) if contact.centre_id is not None else None
        end = quiet_until(now, centre_zone(centre), quiet_hours(centre))
        if end is not None:
            ends[contact.id] = end
    return ends


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(2**attempts, 600))


def stored_replies(payload: Mapping[str, object]) -> list[Reply]:
    stored = payload.get("replies")
    return [decode_reply(item) for item in stored] if isinstance(stored, list) else []


def _language(row: Claimed, contact: Contact | None) -> str | None:
    """A step's reply (``bot.replies``) keeps the language it was written in; a notice is
    rendered in the person's language of the moment."""
    stored = row.payload.get("language")
    if isinstance(stored, str):
        return stored
    return contact.language if contact is not None else None


async def _still_wanted(
    session: AsyncSession, row: Claimed, kinds: Mapping[str, OutboxKind], now: dt.datetime
) -> bool:
    kind = kinds.get(row.kind)
    if kind is None:
        # Queued by a feature this process was not built with: send it as it is, since
        # dropping someone's notice silently would be worse than a check not made.
        log.warning("outbox row %s: kind %r is declared by no feature of this process", row.id, row.kind)
        return True
    return kind.still_wanted is None or await kind.still_wanted(session, row.payload, now)


def _target(
    row: Claimed, contact: Contact | None, identities: Sequence[ChannelIdentity], channels: Collection[str],
    wanted: bool,
) -> Target | str:
    """Where the row goes, or why it is skipped."""
    farewell_to = farewell_address(row)
    if farewell_to is not None and row.channel is not None and row.channel in channels:
        return Target(row.channel, farewell_to, None)
    if contact is None or contact.deleted_at is not None:
        return "contact deleted"
    if not wanted:
        return "no longer relevant"
    usable = [i for i in identities if reachable(i) and i.channel in channels
              and (row.channel is None or i.channel == row.channel)]
    if usable:
        found = min(usable, key=preference)
        return Target(found.channel, found.address, found.id)
    if any(i.opted_out_at is not None for i in identities):
        return "opted out"
    if any(i.unreachable_at is not None for i in identities):
        return "blocked or unreachable"
    return "no reachable address"


Copies = Mapping[int, list[tuple[int, bool, object]]]


async def _recent_copies(session: AsyncSession, contact_ids: Collection[int], now: dt.datetime) -> Copies:
    """Per contact, (row id, sent, replies) of the messages sent in the loop window or being sent."""
    recent = or_(and_(OutboxMessage.status == "sent", OutboxMessage.sent_at >= now - LOOP_WINDOW),
                 OutboxMessage.status == "sending")
    found: dict[int, list[tuple[int, bool, object]]] = defaultdict(list)
    rows = await session.execute(
        select(OutboxMessage.id, OutboxMessage.contact_id, OutboxMessage.status, OutboxMessage.payload)
        .where(OutboxMessage.contact_id.in_(contact_ids), recent))
    for row_id, contact_id, status, payload in rows:
        replies = payload.get("replies") if isinstance(payload, dict) else None
        found[contact_id].append((row_id, status == "sent", replies))
    return found


def _a_loop(row: Claimed, copies: Copies) -> bool:
    """``LOOP_LIMIT`` copies of this message already to the same person: sent lately, or
    queued before it and being sent (a loop's copies are claimed together)."""
    replies = row.payload.get("replies")
    before = sum(1 for other_id, sent, other in copies.get(row.contact_id, ())
                 if other == replies and (sent or other_id < row.id))
    return before >= LOOP_LIMIT
