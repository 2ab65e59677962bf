"""Attendance per session, and who attended (they get the satisfaction questionnaire)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from flows.courses.staff import can_mark
from flows.errors import CourseError
from storage.courses.lists import audit
from storage.models.courses import Attendance, CourseSession, Enrolment


async def mark_attendance(
    session: AsyncSession, session_id: int, enrolment_id: int, present: bool, now: dt.datetime, *, actor: str
) -> Attendance:
    lesson = await session.get(CourseSession, session_id)
    enrolment = await session.get(Enrolment, enrolment_id)
    if lesson is None or enrolment is None or lesson.course_id != enrolment.course_id:
        raise CourseError("that session and that learner are not of the same course")
    if enrolment.status in ("waiting", "offered"):
        raise CourseError(f"contact {enrolment.contact_id} is {enrolment.status}, not enrolled: "
                          "no attendance to mark")
    if not can_mark(lesson.starts_at, now):
        raise CourseError(f"the session of {lesson.starts_at:%Y-%m-%d %H:%M} UTC has not taken place yet; "
                          "attendance is marked from an hour before it starts")
    row = await session.scalar(
        select(Attendance).where(Attendance.session_id == session_id, Attendance.enrolment_id == enrolment_id)
    )
    if row is None:
        row = Attendance(session_id=session_id, enrolment_id=enrolment_id, present=present, marked_by=actor,
                         marked_at=now)
        session.add(row)
    row.present, row.marked_by, row.marked_at = present, actor, now
    await audit(
        session, lesson.course_id, actor, "attendance", now, contact_id=enrolment.contact_id,
        details={"session": session_id, "present": present},
    )
    await session.flush()
    return row


async def attendees(session: AsyncSession, course_id: int) -> list[int]:
    """Contacts who were present at least once (they get the satisfaction questionnaire)."""
    rows = await session.scalars(
        select(Enrolment.contact_id)
        .join(Attendance, Attendance.enrolment_id == Enrolment.id)
        .where(Enrolment.course_id == course_id, Attendance.present.is_(True))
        .distinct()
        .order_by(Enrolment.contact_id)
    )
    return list(rows.all())
