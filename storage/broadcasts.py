"""Broadcasts in the database: create, find (within a facilitator's centres), cancel, report.

The storage half of issue 16; the bot half (``bot.features.broadcasting``) queues the outbox
rows, since ``enqueue`` and the SMS segment count live in ``bot/``. Every change is audited in
the general audit log (``storage.audit``): who, when, the audience, the texts, the counts.

A facilitator acting at some centres passes them as ``centre_ids``; a broadcast of another
centre is then "not found", exactly as one that does not exist, so nothing of it is told.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from flows.audience import Audience, text_problem
from flows.courses.statuses import ACTIVE_STATUSES
from flows.errors import DataError, Refused
from flows.events import Localized
from storage import audit
from storage.models import OutboxMessage
from storage.models.broadcasts import Broadcast, BroadcastRecipient
from storage.models.courses import Course, Enrolment
from storage.outbox_report import state_of

CREATED = "broadcast.created"
QUEUED = "broadcast.queued"
CANCELLED = "broadcast.cancelled"
# The reason an outbox row of a cancelled broadcast is skipped with.
CANCELLED_REASON = "cancelled"
OPEN: frozenset[str] = frozenset({"draft", "scheduled", "sending"})


def subject(broadcast_id: int) -> str:
    return f"broadcast:{broadcast_id}"


async def create_broadcast(
    session: AsyncSession, *, centre_id: int, texts: Localized, audience: Audience,
    send_at: dt.datetime | None, actor: str, now: dt.datetime,
) -> int:
    """A new broadcast (draft, or scheduled for ``send_at``, UTC); its id. ``DataError`` (one
    English line) for an empty or too long text, a time in the past, or a course not of this
    centre. One text for everyone: pass it as both languages."""
    for language, text in (("kk", texts.kk), ("ru", texts.ru)):
        problem = text_problem(text)
        if problem is not None:
            raise DataError(f"{language} text: {problem}" if texts.kk != texts.ru else problem)
    if send_at is not None and send_at <= now:
        raise DataError("that time is in the past")
    for course_id in {audience.course_id, audience.for_course_id} - {None}:
        course = await session.get(Course, course_id)
        if course is None or course.centre_id != centre_id:
            raise DataError(f"course {course_id} is not a course of this centre")
    row = Broadcast(centre_id=centre_id, created_by=actor[:100], created_at=now, text_kk=texts.kk,
                    text_ru=texts.ru, audience=audience.to_json(), send_at=send_at,
                    status="scheduled" if send_at is not None else "draft",
                    course_id=audience.for_course_id)
    session.add(row)
    await session.flush()
    await audit.record(session, at=now, actor=actor, action=CREATED, subject=subject(row.id),
                       centre_id=centre_id, detail={"audience": row.audience, "text_kk": texts.kk,
                                                    "text_ru": texts.ru,
                                                    "send_at": send_at.isoformat() if send_at else None})
    return row.id


async def get_broadcast(
    session: AsyncSession, broadcast_id: int, centre_ids: Collection[int] | None, *, lock: bool = False
) -> Broadcast:
    """The broadcast, if it is of one of ``centre_ids`` (None: any); else ``DataError``."""
    query = select(Broadcast).where(Broadcast.id == broadcast_id)
    if lock:
        query = query.with_for_update()
    row = await session.scalar(query)
    if row is None or (centre_ids is not None and row.centre_id not in centre_ids):
        raise DataError(f"no broadcast {broadcast_id} (clc-admin broadcast list)")
    return row


def audience_of(row: Broadcast) -> Audience:
    return Audience.from_json(row.audience)


async def list_broadcasts(
    session: AsyncSession, centre_ids: Collection[int] | None, last: int = 50
) -> list[Broadcast]:
    query = select(Broadcast).order_by(Broadcast.id.desc()).limit(last)
    if centre_ids is not None:
        query = query.where(Broadcast.centre_id.in_(list(centre_ids)))
    return list((await session.scalars(query)).all())


async def due_scheduled(session: AsyncSession, now: dt.datetime) -> list[int]:
    return list((await session.scalars(select(Broadcast.id).where(
        Broadcast.status == "scheduled", Broadcast.send_at <= now).order_by(Broadcast.send_at))).all())


async def outbox_ids(session: AsyncSession, broadcast_id: int) -> list[int]:
    return [i for i in (await session.scalars(select(BroadcastRecipient.outbox_id).where(
        BroadcastRecipient.broadcast_id == broadcast_id))).all() if i is not None]


async def cancel_broadcast(
    session: AsyncSession, broadcast_id: int, centre_ids: Collection[int] | None, *, actor: str,
    now: dt.datetime,
) -> int:
    """Stop it: nothing more is queued, and its messages still waiting are skipped ("cancelled");
    one being sent right now is checked by the kind's ``still_wanted``. How many were stopped."""
    row = await get_broadcast(session, broadcast_id, centre_ids, lock=True)
    if row.status not in OPEN:
        raise Refused(f"broadcast {broadcast_id} is {row.status}; nothing to cancel")
    row.status, row.cancelled_at = "cancelled", now
    waiting = await outbox_ids(session, broadcast_id)
    stopped = 0
    if waiting:
        result = await session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(waiting), OutboxMessage.status == "pending")
            .values(status="skipped", last_error=CANCELLED_REASON))
        stopped = int(getattr(result, "rowcount", 0) or 0)
    await audit.record(session, at=now, actor=actor, action=CANCELLED, subject=subject(broadcast_id),
                       centre_id=row.centre_id, detail={"stopped": stopped})
    return stopped


async def mark_finished(session: AsyncSession) -> int:
    """Broadcasts still "sending" whose messages are all out (sent, failed or skipped): "sent"."""
    waiting = select(BroadcastRecipient.broadcast_id).join(
        OutboxMessage, OutboxMessage.id == BroadcastRecipient.outbox_id).where(
        OutboxMessage.status.in_(("pending", "sending")))
    result = await session.execute(update(Broadcast).where(
        Broadcast.status == "sending", Broadcast.id.not_in(waiting)).values(status="sent"))
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass
class Report:
    """What became of one broadcast's messages; reasons counted as the outbox gave them."""

    broadcast_id: int
    status: str
    recipients: int = 0  # people named (queued + skipped before queueing)
    queued: int = 0
    states: Counter[str] = field(default_factory=Counter)  # pending sending sent delivered ...
    failed: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)  # before queueing and by the outbox
    enrolled: int | None = None  # a course announcement: people on the course since

    @property
    def done(self) -> int:
        return self.queued - self.states["pending"] - self.states["sending"]


async def report(session: AsyncSession, row: Broadcast) -> Report:
    found = Report(row.id, row.status)
    recipients = (await session.execute(select(
        BroadcastRecipient.contact_id, BroadcastRecipient.skipped_reason, OutboxMessage.status,
        OutboxMessage.delivery_status, OutboxMessage.last_error, OutboxMessage.error_code,
    ).outerjoin(OutboxMessage, OutboxMessage.id == BroadcastRecipient.outbox_id).where(
        BroadcastRecipient.broadcast_id == row.id))).all()
    for _, skipped_reason, status, delivery, error, code in recipients:
        found.recipients += 1
        if skipped_reason is not None:
            found.skipped[skipped_reason] += 1
            continue
        found.queued += 1
        state = state_of(status, delivery) if status is not None else "erased"
        found.states[state] += 1
        if state in ("failed", "undelivered"):
            found.failed[error or (f"error {code}" if code else state)] += 1
        elif state == "skipped":
            found.skipped[error or "skipped"] += 1
    if row.course_id is not None and row.queued_at is not None:
        reached = [contact for contact, reason, *_ in recipients if reason is None]
        found.enrolled = 0
        if reached:
            found.enrolled = int(await session.scalar(select(func.count()).select_from(Enrolment).where(
                Enrolment.course_id == row.course_id, Enrolment.contact_id.in_(reached),
                Enrolment.status.in_(ACTIVE_STATUSES), Enrolment.joined_at >= row.queued_at)) or 0)
    return found
