"""Reading courses and their lists: locks, the audit log, seat holders, derived positions.

Positions on a waiting list are derived on every read from ``joined_at``, the course's policy,
any facilitator's move and the contacts' needs-survey profiles (``storage.surveys.latest_profiles``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from flows.courses.policy import Candidate, Placement, Profile, parse_policy, positions
from flows.courses.stake import Stake
from flows.courses.statuses import ACTIVE_STATUSES, SEAT_HOLDING, EnrolmentStatus
from flows.errors import CourseError
from storage.models.courses import Course, CourseAudit, Enrolment
from storage.surveys import latest_profiles


async def load_profiles(session: AsyncSession, contact_ids: Sequence[int]) -> Mapping[int, Profile]:
    if not contact_ids:
        return {}
    return await latest_profiles(session, contact_ids)


async def lock_course(session: AsyncSession, course_id: int) -> Course:
    course = await session.scalar(select(Course).where(Course.id == course_id).with_for_update())
    if course is None:
        raise CourseError(f"course {course_id} does not exist")
    return course


async def lock_enrolment(session: AsyncSession, enrolment_id: int) -> tuple[Course, Enrolment]:
    """The enrolment's course locked first (the order every writer follows), then the fresh row."""
    course_id = await session.scalar(select(Enrolment.course_id).where(Enrolment.id == enrolment_id))
    if course_id is None:
        raise CourseError(f"enrolment {enrolment_id} does not exist")
    course = await lock_course(session, course_id)
    row = await session.get(Enrolment, enrolment_id, populate_existing=True)
    assert row is not None  # enrolments are never deleted while their course exists
    return course, row


async def lock_stake(session: AsyncSession, stake: Stake) -> None:
    """Lock the course a step may change before its facts are read (see ``flows.courses.stake``).

    A course or enrolment that no longer exists locks nothing: the step reads that from its
    facts and says so, instead of failing here.
    """
    course_id = stake.course_id
    if stake.enrolment_id is not None:
        of_enrolment = select(Enrolment.course_id).where(Enrolment.id == stake.enrolment_id)
        course_id = await session.scalar(of_enrolment)
    if course_id is not None:
        await session.execute(select(Course.id).where(Course.id == course_id).with_for_update())


async def audit(
    session: AsyncSession,
    course_id: int,
    actor: str,
    action: str,
    now: dt.datetime,
    *,
    contact_id: int | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        CourseAudit(
            course_id=course_id, contact_id=contact_id, actor=actor, action=action,
            reason=reason, details=details, at=now,
        )
    )


async def enrolments_with(
    session: AsyncSession, course_id: int, statuses: Iterable[EnrolmentStatus]
) -> list[Enrolment]:
    return list(
        (
            await session.scalars(
                select(Enrolment)
                .where(Enrolment.course_id == course_id, Enrolment.status.in_(list(statuses)))
                .order_by(Enrolment.id)
            )
        ).all()
    )


def _placement(row: Enrolment) -> Placement | None:
    if row.placed_tier is None or row.placed_at is None or row.placed_order is None:
        return None
    return Placement(row.placed_tier, row.placed_at, row.placed_order)


async def candidates(session: AsyncSession, waiting: Sequence[Enrolment]) -> list[Candidate]:
    profiles = await load_profiles(session, [row.contact_id for row in waiting])
    return [
        Candidate(row.id, row.joined_at, profiles.get(row.contact_id, {}), _placement(row)) for row in waiting
    ]


async def waiting_positions(session: AsyncSession, course: Course) -> dict[int, int]:
    """Enrolment id → 1-based position on the course's waiting list, in policy order."""
    waiting = await enrolments_with(session, course.id, ("waiting",))
    return positions(parse_policy(course.policy), await candidates(session, waiting))


async def waiting_list(session: AsyncSession, course: Course) -> list[tuple[int, Enrolment]]:
    waiting = await enrolments_with(session, course.id, ("waiting",))
    order = positions(parse_policy(course.policy), await candidates(session, waiting))
    return sorted(((order[row.id], row) for row in waiting), key=lambda pair: pair[0])


async def seat_holders(session: AsyncSession, course_id: int) -> list[Enrolment]:
    return await enrolments_with(session, course_id, SEAT_HOLDING)


async def counts(session: AsyncSession, course_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Per course: how many enrolled, offered, waiting (one query for a list of courses)."""
    result = {cid: {"enrolled": 0, "offered": 0, "waiting": 0} for cid in course_ids}
    if not course_ids:
        return result
    rows = await session.execute(
        select(Enrolment.course_id, Enrolment.status, func.count())
        .where(Enrolment.course_id.in_(list(course_ids)), Enrolment.status.in_(ACTIVE_STATUSES))
        .group_by(Enrolment.course_id, Enrolment.status)
    )
    for course_id, status, number in rows:
        result[course_id][status] = number
    return result
