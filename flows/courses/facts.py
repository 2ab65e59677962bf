"""What the courses flows read from their facts and the effects they ask for.

The bot's facts loader (``bot/features/courses.py``) fills ``courses.open`` and ``courses.mine``
on every step; the flows never see a database row, only these frozen views.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flows.courses.statuses import EnrolmentStatus
from flows.events import Effect, FactKey, Facts, Localized

FACTS_GROUP = "courses"
OPEN_KEY: FactKey[tuple[CourseInfo, ...]] = FactKey("courses.open")
MINE_KEY: FactKey[tuple[EnrolmentInfo, ...]] = FactKey("courses.mine")


@dataclass(frozen=True)
class SessionInfo:
    starts_at: dt.datetime
    minutes: int
    place: Localized


@dataclass(frozen=True)
class EnrolmentInfo:
    """One of the contact's own enrolments (enrolled, waiting or offered)."""

    id: int
    course_id: int
    title: Localized
    status: EnrolmentStatus
    position: int | None = None  # on the waiting list, derived when loaded
    offer_deadline: dt.datetime | None = None
    first_session: SessionInfo | None = None


@dataclass(frozen=True)
class CourseInfo:
    """An open course of the contact's centre, as the villager may see it."""

    id: int
    title: Localized
    description: Localized
    capacity: int
    seats_left: int
    waiting: int
    sessions: tuple[SessionInfo, ...] = ()
    policy: str = "fcfs"
    enrol_closes_at: dt.datetime | None = None
    position_if_joined: int = 1  # where this contact would stand if they joined now


def open_courses(facts: Facts) -> tuple[CourseInfo, ...]:
    return facts.get(OPEN_KEY, ())


def my_enrolments(facts: Facts) -> tuple[EnrolmentInfo, ...]:
    return facts.get(MINE_KEY, ())


def find_course(facts: Facts, course_id: int) -> CourseInfo | None:
    return next((c for c in open_courses(facts) if c.id == course_id), None)


def find_enrolment(facts: Facts, enrolment_id: int) -> EnrolmentInfo | None:
    return next((e for e in my_enrolments(facts) if e.id == enrolment_id), None)


def enrolment_for_course(facts: Facts, course_id: int) -> EnrolmentInfo | None:
    return next((e for e in my_enrolments(facts) if e.course_id == course_id), None)


# ---- effects ----


@dataclass(frozen=True)
class Enrol(Effect):
    """Take a seat or a place on the waiting list. ``expected_*`` is what the villager was told;
    the applier re-checks under the course's lock and has the step re-run if it changed."""

    course_id: int
    expected_status: EnrolmentStatus
    expected_position: int | None = None


@dataclass(frozen=True)
class LeaveCourse(Effect):
    enrolment_id: int


@dataclass(frozen=True)
class AcceptOffer(Effect):
    enrolment_id: int


@dataclass(frozen=True)
class DeclineOffer(Effect):
    enrolment_id: int


# Every effect of the villagers' course flows: the courses feature has exactly one applier each.
CoursesEffect = Enrol | LeaveCourse | AcceptOffer | DeclineOffer
