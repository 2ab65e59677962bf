"""Courses and their waiting lists: every change under a row lock on the course.

The package gathers ``lists`` (reading, locks, the audit log, derived positions), ``seats``
(who holds a seat, offers, status and capacity) and ``attendance``; callers use ``storage.courses``.

Each function that changes who holds a seat first locks the course row (``SELECT … FOR
UPDATE`` on PostgreSQL, so several bot processes queue on it; SQLite's ``BEGIN IMMEDIATE``
already serialises whole transactions), then reads the enrolments, decides with the pure rules
of ``flows.courses`` and writes. The database adds its own guarantees (one row per course and
contact, one holder per seat number), so a bug here fails loudly instead of overbooking.
A villager's step that may change a course's seats takes the same lock before it reads them
(``lock_stake``, from the courses facts loader), so what it tells is what it then finds.

Positions on a waiting list are derived on every read from ``joined_at``, the course's policy
and the contacts' needs-survey profiles (``storage.surveys.latest_profiles``).
"""

from flows.errors import CourseError
from storage.courses.attendance import (
    attendees,
    mark_attendance,
)
from storage.courses.lists import (
    audit,
    candidates,
    counts,
    enrolments_with,
    load_profiles,
    lock_course,
    lock_enrolment,
    lock_stake,
    seat_holders,
    waiting_list,
    waiting_positions,
)
from storage.courses.seats import (
    EnrolOutcome,
    Resized,
    accept_offer,
    decline_offer,
    due_offers,
    enrol,
    enrolment_open,
    expire_offer,
    fill_free_seats,
    leave,
    remove,
    resize,
    set_capacity,
    set_status,
)

__all__ = [
    "CourseError",
    "EnrolOutcome",
    "Resized",
    "accept_offer",
    "attendees",
    "audit",
    "candidates",
    "counts",
    "decline_offer",
    "due_offers",
    "enrol",
    "enrolment_open",
    "enrolments_with",
    "expire_offer",
    "fill_free_seats",
    "leave",
    "load_profiles",
    "lock_course",
    "lock_enrolment",
    "lock_stake",
    "mark_attendance",
    "remove",
    "resize",
    "seat_holders",
    "set_capacity",
    "set_status",
    "waiting_list",
    "waiting_positions",
]
