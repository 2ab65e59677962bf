"""What a facilitator's change to a course tells its learners: capacity and schedule.

Both run in the caller's transaction, under the course's row lock, and queue their notices
through the outbox, rendered later in each learner's own language.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.courses import offer_seats
from bot.outbox import enqueue
from flows.courses.facts import SessionInfo
from flows.courses.notices import schedule_reply, withdrawn_reply
from flows.events import Localized
from storage import courses as repo
from storage.models.courses import Course, CourseSession

SCHEDULE_KIND = "schedule"
WITHDRAWN_KIND = "offer_withdrawn"


async def change_capacity(
    session: AsyncSession, course_id: int, seats: int, now: dt.datetime, *, actor: str, force: bool = False
) -> repo.Resized:
    """New seats are offered; with ``force`` below the seat holders, withdrawn offers are told so."""
    resized = await repo.resize(session, course_id, seats, now, actor=actor, force=force)
    await offer_seats(session, resized.offers, now)
    if resized.withdrawn:
        course = await repo.lock_course(session, course_id)
        positions = await repo.waiting_positions(session, course)
        title = Localized(course.title_kk, course.title_ru)
        for row in resized.withdrawn:
            await enqueue(session, contact_id=row.contact_id, kind=WITHDRAWN_KIND, now=now,
                          replies=[withdrawn_reply(title, positions.get(row.id))])
    return resized


async def schedule_of(session: AsyncSession, course_id: int) -> list[SessionInfo]:
    rows = await session.scalars(select(CourseSession).where(CourseSession.course_id == course_id)
                                 .order_by(CourseSession.starts_at))
    return [SessionInfo(row.starts_at, row.minutes, Localized(row.place_kk, row.place_ru)) for row in rows]


async def tell_schedule_change(
    session: AsyncSession, course_id: int, before: list[SessionInfo], now: dt.datetime
) -> int:
    """Everyone holding a seat or an offer hears what moved, was cancelled or added; how many."""
    course = await session.get(Course, course_id)
    assert course is not None
    if course.status in ("finished", "cancelled"):
        return 0
    reply = schedule_reply(Localized(course.title_kk, course.title_ru), before,
                           await schedule_of(session, course_id), now)
    if reply is None:
        return 0
    holders = await repo.seat_holders(session, course_id)
    for row in holders:
        await enqueue(session, contact_id=row.contact_id, replies=[reply], kind=SCHEDULE_KIND, now=now)
    return len(holders)
