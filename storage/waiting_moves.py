"""Moving someone on a waiting list by hand: a facilitator's decision, always with a reason.

Positions stay derived: the moved person gets a placement key between their new neighbours
(``flows.courses.policy.placement_at``), under the course's row lock like every other change.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from flows.courses.policy import parse_policy, placement_at, positions
from storage.courses import CourseError, audit, candidates, enrolments_with, lock_enrolment, waiting_positions


async def move(
    session: AsyncSession, enrolment_id: int, position: int, now: dt.datetime, *, actor: str, reason: str
) -> tuple[int, int]:
    """A facilitator moves someone on the waiting list; (old position, new position).

    The reason is required and kept in the audit log with both positions.
    """
    if not reason.strip():
        raise CourseError("a move needs a reason")
    course, row = await lock_enrolment(session, enrolment_id)
    if row.status != "waiting":
        raise CourseError(f"only someone on the waiting list can be moved (this one is {row.status})")
    policy = parse_policy(course.policy)
    waiting = await candidates(session, await enrolments_with(session, course.id, ("waiting",)))
    before = positions(policy, waiting)[row.id]
    placed = placement_at(policy, waiting, row.id, position)
    row.placed_tier, row.placed_at, row.placed_order = placed.tier, placed.at, placed.order
    row.updated_at = now
    await session.flush()
    after = (await waiting_positions(session, course))[row.id]
    await audit(session, course.id, actor, "move", now, contact_id=row.contact_id, reason=reason.strip(),
                details={"from": before, "to": after})
    return before, after
