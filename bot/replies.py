"""A step's replies kept as outbox rows (kind ``reply``), written in the step's transaction.

The step's state, its effects and its replies commit together, so a process killed after the
commit still owes the person that reply and nothing can forget it. The row is written already
claimed (``sending``, leased for ``REPLY_LEASE``) by the process that is about to send it; sent,
it is marked sent. A row left unsent is sent:
- at once, when the person writes again or the provider redelivers the update (``unsent``);
- by the outbox (``bot.outbox.OutboxSender``) once its lease has run out, as any queued message;
- at start, for a channel only this process can serve (``release``): SQLite has one process by
  design, and Telegram lets one process at a time poll a bot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, and_, bindparam, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.codec import decode_reply, encode_reply
from flows.events import Reply
from storage import contacts
from storage.db import Database
from storage.models import OutboxMessage

REPLY = "reply"
# Long enough for a reply that waits its turn at Telegram's 30 messages a second under load.
REPLY_LEASE = dt.timedelta(seconds=60)
UNSENT = ("pending", "sending")


@dataclass(frozen=True)
class Kept:
    """Reply rows and what they say."""

    ids: tuple[int, ...]
    replies: tuple[Reply, ...]
    language: str | None = None


NOTHING = Kept((), ())


async def keep(
    session: AsyncSession, *, contact_id: int, channel: str, language: str, replies: Sequence[Reply],
    now: dt.datetime, state: contacts.StateSave | None = None,
) -> Kept:
    """The replies as one outbox row, and ``state`` saved with it. On PostgreSQL, when there
    are replies and the conversation exists (a new one is an ORM add, flushed at commit, not an
    UPDATE), in the same statement: one round trip fewer per step. Otherwise just before."""
    together = (state is not None and bool(replies) and state.conversation is not None
                and session.get_bind().dialect.name == "postgresql")
    if state is not None and not together:
        await contacts.save_state(session, state)
    if not replies:
        return NOTHING
    parameters = {
        "contact": contact_id, "channel": channel, "now": now, "due": now + REPLY_LEASE,
        "payload": {"replies": [encode_reply(reply) for reply in replies], "language": language}}
    if together:
        assert state is not None
        row_id = await session.scalar(_KEEP_SAVING_STATE, {**parameters, **state.parameters})
        state.saved()
    else:
        row_id = await session.scalar(_KEEP, parameters)
    assert row_id is not None  # INSERT … RETURNING gives the new row's id
    return Kept((int(row_id),), tuple(replies), language)


# Built once, on the table rather than the mapped class: an ORM-enabled insert goes through the
# ORM's bulk path and flushes the session first, which cost more than the row is worth here.
_TABLE = cast(Table, OutboxMessage.__table__)
_KEEP = insert(_TABLE).values(
    contact_id=bindparam("contact"), channel=bindparam("channel"), kind=REPLY, status="sending", attempts=1,
    payload=bindparam("payload", type_=_TABLE.c.payload.type),
    due_at=bindparam("due", type_=_TABLE.c.due_at.type),
    created_at=bindparam("now", type_=_TABLE.c.created_at.type),
).returning(_TABLE.c.id)
# PostgreSQL runs a data-modifying WITH once, whether or not the INSERT reads it.
_KEEP_SAVING_STATE = _KEEP.add_cte(contacts.STATE_UPDATE.cte("saved_state"))


async def unsent(
    session: AsyncSession, *, contact_id: int, channel: str, now: dt.datetime, leased_too: bool
) -> Kept:
    """The person's replies on this channel not yet sent, oldest first, claimed again for this
    process. ``leased_too``: also those another attempt holds (a redelivery says that attempt
    never finished); otherwise only those nobody is sending (their lease ran out)."""
    query = select(OutboxMessage).where(
        OutboxMessage.contact_id == contact_id, OutboxMessage.kind == REPLY,
        OutboxMessage.channel == channel, OutboxMessage.status.in_(UNSENT),
    )
    if not leased_too:
        query = query.where(or_(OutboxMessage.status == "pending", OutboxMessage.due_at <= now))
    rows = (await session.scalars(query.order_by(OutboxMessage.id).with_for_update(skip_locked=True))).all()
    replies: list[Reply] = []
    language: str | None = None
    for row in rows:
        row.status, row.due_at, row.attempts = "sending", now + REPLY_LEASE, row.attempts + 1
        replies.extend(stored_replies(row.payload))
        stored_language = row.payload.get("language")
        language = stored_language if isinstance(stored_language, str) else language
    return Kept(tuple(row.id for row in rows), tuple(replies), language)


def stored_replies(payload: Mapping[str, object]) -> list[Reply]:
    stored = payload.get("replies")
    listed = stored if isinstance(stored, list) else []
    return [decode_reply(item) for item in listed if isinstance(item, dict)]


# Built once with bind parameters: a statement built per call (values as a dict) costs a cache
# key over its values every time, and this runs after every step.
_FAIL = (update(_TABLE)
         .where(_TABLE.c.id.in_(bindparam("ids", expanding=True)), _TABLE.c.status.in_(UNSENT))
         .values(status=bindparam("new_status"), last_error=bindparam("error")))
_FINISH = _FAIL.values(sent_at=bindparam("sent_at", type_=_TABLE.c.sent_at.type),
                       provider_id=bindparam("provider"))


async def finish(
    session: AsyncSession, ids: Sequence[int], *, status: str, now: dt.datetime, error: str | None = None,
    provider_id: str | None = None,
) -> None:
    if not ids:
        return
    values: dict[str, object] = {"ids": list(ids), "new_status": status, "error": error}
    if status == "sent":
        await session.execute(_FINISH, {**values, "sent_at": now, "provider": provider_id})
    else:
        await session.execute(_FAIL, values)


def mark_sent_later(db: Database, ids: Sequence[int], now: dt.datetime) -> None:
    """Mark delivered replies sent in the next transaction of this process (``Database.defer``):
    one step then costs one transaction and one commit, not two. Lost if the process dies in
    the next moment: the reply is then sent again once, after its claim lapses."""
    if not ids:
        return
    kept = tuple(ids)

    async def write(session: AsyncSession) -> None:
        await finish(session, kept, status="sent", now=now)

    db.defer(write)


async def retry(session: AsyncSession, ids: Sequence[int], *, after: dt.datetime, error: str) -> None:
    """Not delivered now: the outbox tries again from ``after``."""
    if ids:
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(ids), OutboxMessage.status.in_(UNSENT))
            .values(status="pending", due_at=after, last_error=error)
        )


async def release(session: AsyncSession, channel: str | None, now: dt.datetime) -> int:
    """Replies a process that died had claimed, due now (``channel`` None: every channel)."""
    where = and_(OutboxMessage.kind == REPLY, OutboxMessage.status == "sending")
    if channel is not None:
        where = and_(where, OutboxMessage.channel == channel)
    result = await session.execute(update(OutboxMessage).where(where).values(status="pending", due_at=now))
    return int(getattr(result, "rowcount", 0) or 0)
