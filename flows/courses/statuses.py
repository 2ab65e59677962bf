"""Course and enrolment statuses: one list of each, for the flows, the bot and the database.

``storage.models.courses`` builds its ``CHECK`` constraints from these tuples, so a status added
here and nowhere else fails the constraint, not silently.

A course goes draft → open (enrolment open) → running (enrolment closed, sessions go on) →
finished, or is cancelled (``flows.courses.staff.NEXT_STATUSES`` lists the moves allowed).
An enrolment holds a seat (enrolled), holds a freed seat until a deadline (offered) or waits;
it ends when the person left, was removed, declined an offer or let it expire.
"""

from __future__ import annotations

from typing import Literal, TypeGuard, get_args

CourseStatus = Literal["draft", "open", "running", "finished", "cancelled"]
COURSE_STATUSES: tuple[CourseStatus, ...] = get_args(CourseStatus)
# The course goes on: seats freed are offered again and offers can still be accepted.
LIVE_COURSE_STATUSES: tuple[CourseStatus, ...] = ("open", "running")

EnrolmentStatus = Literal["enrolled", "waiting", "offered", "left", "removed", "declined", "expired"]
ENROLMENT_STATUSES: tuple[EnrolmentStatus, ...] = get_args(EnrolmentStatus)
# On the course or on its way to it; the others are history.
ACTIVE_STATUSES: tuple[EnrolmentStatus, ...] = ("enrolled", "waiting", "offered")
# Exactly these hold a seat number (the database checks it).
SEAT_HOLDING: tuple[EnrolmentStatus, ...] = ("enrolled", "offered")


def is_course_status(value: object) -> TypeGuard[CourseStatus]:
    return value in COURSE_STATUSES
