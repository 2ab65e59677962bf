"""Changing who holds a seat: enrol, offers, leaving, removal, expiry, capacity and status.

Each function first locks the course row (``SELECT … FOR UPDATE`` on PostgreSQL, so several bot
processes queue on it; SQLite's ``BEGIN IMMEDIATE`` already serialises whole transactions),
then reads the enrolments, decides with the pure rules of ``flows.courses`` and writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from flows.courses.policy import parse_policy
from flows.courses.seats import offers_to_make, seat_for_newcomer
from flows.courses.statuses import (
    ACTIVE_STATUSES,
    LIVE_COURSE_STATUSES,
    CourseStatus,
    EnrolmentStatus,
)
from flows.errors import CourseError
from flows.reminders import daytime_deadline
from storage.centres import centre_zone, quiet_hours
from storage.courses.lists import (
    audit,
    candidates,
    enrolments_with,
    lock_course,
    lock_enrolment,
    seat_holders,
    waiting_positions,
)
from storage.models import Centre
from storage.models.courses import Course, Enrolment


@dataclass(frozen=True)
class EnrolOutcome:
    enrolment: Enrolment
    status: EnrolmentStatus  # enrolled or waiting (or the status it already had)
    position: int | None
    already: bool = False


def enrolment_open(course: Course, now: dt.datetime) -> bool:
    if course.status != "open":
        return False
    if course.enrol_opens_at is not None and now < course.enrol_opens_at:
        return False
    return course.enrol_closes_at is None or now < course.enrol_closes_at


async def enrol(
    session: AsyncSession, course_id: int, contact_id: int, now: dt.datetime, *, actor: str
) -> tuple[EnrolOutcome, list[Enrolment]]:
    """A seat if one is free and nobody waits for it, else a place on the waiting list.

    Returns the outcome and any offers made on the way (seats that had been freed but not yet
    offered); the caller tells those people.
    """
    course = await lock_course(session, course_id)
    if not enrolment_open(course, now):
        raise CourseError(f"course {course.code} is not open for enrolment")
    row = await session.scalar(
        select(Enrolment).where(Enrolment.course_id == course.id, Enrolment.contact_id == contact_id)
    )
    if row is not None and row.status in ACTIVE_STATUSES:
        position = (await waiting_positions(session, course)).get(row.id)
        return EnrolOutcome(row, row.status, position, already=True), []
    offers = await fill_free_seats(session, course, now, actor="system")
    holders = await seat_holders(session, course.id)
    waiting = await enrolments_with(session, course.id, ("waiting",))
    seat = seat_for_newcomer(course.capacity, [h.seat_no for h in holders], len(waiting))
    status: EnrolmentStatus = "enrolled" if seat is not None else "waiting"
    if row is None:
        row = Enrolment(
            course_id=course.id, contact_id=contact_id, status=status, joined_at=now, updated_at=now
        )
        session.add(row)
    row.status, row.seat_no, row.joined_at, row.updated_at = status, seat, now, now
    row.offered_at = row.offer_deadline = None
    row.placed_tier = row.placed_at = row.placed_order = None  # joining again: no earlier move holds
    await session.flush()
    await audit(session, course.id, actor, "enrol" if seat else "join_waiting", now, contact_id=contact_id)
    position = (await waiting_positions(session, course)).get(row.id) if seat is None else None
    return EnrolOutcome(row, status, position), offers


async def fill_free_seats(
    session: AsyncSession, course: Course, now: dt.datetime, *, actor: str
) -> list[Enrolment]:
    """Offer every free seat to the next person in policy order: one open offer per seat.

    The caller holds the course's lock. Nothing is offered on a course that is not open or
    running (a cancelled course keeps its list as it was).
    """
    if course.status not in LIVE_COURSE_STATUSES:
        return []
    holders = await seat_holders(session, course.id)
    waiting = await enrolments_with(session, course.id, ("waiting",))
    if not waiting:
        return []
    planned = offers_to_make(
        parse_policy(course.policy), course.capacity, [h.seat_no for h in holders],
        await candidates(session, waiting), now, course.offer_hours,
    )
    by_id = {row.id: row for row in waiting}
    made = []
    centre = await session.get(Centre, course.centre_id)
    for offer in planned:
        row = by_id[offer.enrolment_id]
        # Never expiring at night: the person gets daytime to answer (``offer_extended``).
        deadline = daytime_deadline(offer.deadline, centre_zone(centre), quiet_hours(centre))
        row.status, row.seat_no = "offered", offer.seat
        row.offered_at, row.offer_deadline, row.updated_at = now, deadline, now
        await audit(
            session, course.id, actor, "offer", now, contact_id=row.contact_id,
            details={"seat": offer.seat, "deadline": deadline.isoformat()},
        )
        made.append(row)
    await session.flush()
    return made


async def _release(
    session: AsyncSession,
    enrolment_id: int,
    now: dt.datetime,
    *,
    new_status: EnrolmentStatus,
    allowed: Iterable[EnrolmentStatus],
    actor: str,
    reason: str | None = None,
) -> tuple[Enrolment, list[Enrolment]]:
    """Move an enrolment out of its seat or the list, then offer what freed up."""
    course, row = await lock_enrolment(session, enrolment_id)
    if row.status not in allowed:
        raise CourseError(f"enrolment {enrolment_id} is {row.status}, not {'/'.join(sorted(allowed))}")
    before = row.status
    row.status, row.seat_no, row.offer_deadline, row.updated_at = new_status, None, None, now
    await session.flush()
    await audit(
        session, course.id, actor, new_status, now, contact_id=row.contact_id, reason=reason,
        details={"from": before},
    )
    return row, await fill_free_seats(session, course, now, actor="system")


async def leave(
    session: AsyncSession, enrolment_id: int, now: dt.datetime, *, actor: str
) -> tuple[Enrolment, list[Enrolment]]:
    return await _release(session, enrolment_id, now, new_status="left", allowed=ACTIVE_STATUSES, actor=actor)


async def remove(
    session: AsyncSession, enrolment_id: int, now: dt.datetime, *, actor: str, reason: str
) -> tuple[Enrolment, list[Enrolment]]:
    """A facilitator takes someone off (a no-show); the reason is kept in the audit log."""
    return await _release(
        session, enrolment_id, now, new_status="removed", allowed=ACTIVE_STATUSES, actor=actor, reason=reason
    )


async def decline_offer(
    session: AsyncSession, enrolment_id: int, now: dt.datetime, *, actor: str
) -> tuple[Enrolment, list[Enrolment]]:
    return await _release(
        session, enrolment_id, now, new_status="declined", allowed=("offered",), actor=actor
    )


async def accept_offer(
    session: AsyncSession, enrolment_id: int, now: dt.datetime, *, actor: str
) -> Enrolment:
    """The seat becomes theirs; an offer past its deadline, or on a course that has finished or
    been cancelled meanwhile, can no longer be accepted."""
    course, row = await lock_enrolment(session, enrolment_id)
    if row.status != "offered" or row.offer_deadline is None or now >= row.offer_deadline:
        raise CourseError(f"enrolment {enrolment_id} has no open offer")
    if course.status not in LIVE_COURSE_STATUSES:
        raise CourseError(f"course {course.code} is {course.status}; its offers are void")
    enrolled = await enrolments_with(session, course.id, ("enrolled",))
    if len(enrolled) >= course.capacity:  # never past capacity, whatever happened to the offer
        raise CourseError(f"course {course.code} has no seat left ({len(enrolled)} enrolled, "
                          f"{course.capacity} seats)")
    row.status, row.offer_deadline, row.updated_at = "enrolled", None, now
    await audit(session, course.id, actor, "accept", now, contact_id=row.contact_id)
    await session.flush()
    return row


def offer_extended(row: Enrolment, course: Course) -> bool:
    """Whether the offer's deadline was moved past the night (beyond the course's offer hours)."""
    if row.offered_at is None or row.offer_deadline is None:
        return False
    return row.offer_deadline > row.offered_at + dt.timedelta(hours=course.offer_hours)


async def due_offers(session: AsyncSession, now: dt.datetime, limit: int = 100) -> list[int]:
    return list(
        (
            await session.scalars(
                select(Enrolment.id)
                .where(Enrolment.status == "offered", Enrolment.offer_deadline <= now)
                .order_by(Enrolment.offer_deadline, Enrolment.id)
                .limit(limit)
            )
        ).all()
    )


async def expire_offer(
    session: AsyncSession, enrolment_id: int, now: dt.datetime
) -> tuple[Enrolment, list[Enrolment]] | None:
    """Expire one offer whose deadline passed (re-checked under the lock), passing the seat on."""
    course_id = await session.scalar(select(Enrolment.course_id).where(Enrolment.id == enrolment_id))
    if course_id is None:
        return None
    await lock_course(session, course_id)
    row = await session.get(Enrolment, enrolment_id, populate_existing=True)
    if row is None or row.status != "offered" or row.offer_deadline is None or now < row.offer_deadline:
        return None  # accepted, declined or expired by another process meanwhile
    return await _release(
        session, enrolment_id, now, new_status="expired", allowed=("offered",), actor="system",
        reason="offer deadline passed",
    )


@dataclass(frozen=True)
class Resized:
    """What a capacity change did: seats offered, open offers taken back, learners kept."""

    offers: list[Enrolment]
    withdrawn: list[Enrolment]  # back on the waiting list, in their place (only with ``force``)
    enrolled: list[Enrolment]  # all keep their seats, even above a lowered capacity


async def resize(
    session: AsyncSession, course_id: int, capacity: int, now: dt.datetime, *, actor: str, force: bool = False
) -> Resized:
    """Grow or shrink a course under its lock; new seats are offered at once.

    Below the number of seat holders it is refused unless ``force``: then everyone enrolled
    keeps their seat (nobody is evicted; nothing is offered until enough leave) and the open
    offers beyond the seats, the latest first, are withdrawn: those people wait again in their place.
    """
    if capacity < 0:
        raise CourseError("capacity cannot be negative")
    course = await lock_course(session, course_id)
    holders = await seat_holders(session, course.id)
    enrolled = [row for row in holders if row.status == "enrolled"]
    offered = sorted((row for row in holders if row.status == "offered"),
                     key=lambda row: (row.offered_at or now, row.id))
    if len(holders) > capacity and not force:
        raise CourseError(
            f"{course.code} has {len(holders)} seat holders ({len(enrolled)} enrolled, "
            f"{len(offered)} with an open offer); {capacity} seats would leave "
            f"{len(holders) - capacity} of them without one. "
            f"To lower it anyway: `clc-admin course capacity {course.code} {capacity} --force` "
            "(everyone enrolled keeps their seat; open offers beyond the seats are withdrawn)"
        )
    withdrawn = offered[max(0, capacity - len(enrolled)):]
    for row in withdrawn:
        row.status, row.seat_no, row.updated_at = "waiting", None, now
        row.offered_at = row.offer_deadline = None
        await audit(session, course.id, actor, "offer_withdrawn", now, contact_id=row.contact_id,
                    reason="capacity lowered")
    before = course.capacity
    course.capacity, course.updated_at = capacity, now
    await session.flush()
    await audit(session, course.id, actor, "capacity", now, details={"from": before, "to": capacity})
    offers = await fill_free_seats(session, course, now, actor="system")
    return Resized(offers, withdrawn, enrolled)


async def set_capacity(
    session: AsyncSession, course_id: int, capacity: int, now: dt.datetime, *, actor: str
) -> list[Enrolment]:
    """Grow or shrink a course, never below its seat holders (see :func:`resize`); the offers made."""
    return (await resize(session, course_id, capacity, now, actor=actor)).offers


async def set_status(
    session: AsyncSession,
    course_id: int,
    status: CourseStatus,
    now: dt.datetime,
    *,
    actor: str,
    reason: str | None = None,
) -> list[Enrolment]:
    course = await lock_course(session, course_id)
    before = course.status
    course.status, course.updated_at = status, now
    details = {"from": before, "to": status}
    await audit(session, course.id, actor, "status", now, reason=reason, details=details)
    return await fill_free_seats(session, course, now, actor="system")
