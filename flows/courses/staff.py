"""What the facilitators' flow reads from its facts and the effects it asks for.

The bot loads ``manage.courses`` only for a contact with a facilitator role, and only while the
``manage`` flow runs: the centre's courses with everyone on them and each session's marks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from flows.courses.statuses import SEAT_HOLDING, CourseStatus, EnrolmentStatus
from flows.events import Effect, FactKey, Facts, Localized

FACTS_GROUP = "manage"
# None: this contact is no facilitator.
COURSES_KEY: FactKey[tuple[StaffCourse, ...] | None] = FactKey("manage.courses")
# What a course can become next. Finished and cancelled are final: learners were invited to
# give feedback or told the course is off.
NEXT_STATUSES: dict[CourseStatus, tuple[CourseStatus, ...]] = {
    "draft": ("open", "cancelled"), "open": ("running", "finished", "cancelled"),
    "running": ("open", "finished", "cancelled"), "finished": (), "cancelled": (),
}

# Attendance may be marked from a little before a session starts (people arrive early), never
# for a session days ahead: the satisfaction questionnaire goes to those marked present.
MARKING_OPENS = dt.timedelta(hours=1)


def can_mark(starts_at: dt.datetime, now: dt.datetime) -> bool:
    return now >= starts_at - MARKING_OPENS


def has_begun(starts: Iterable[dt.datetime], now: dt.datetime) -> bool:
    """Whether any session has started: before that, finishing a course is a mistake (``--force``)."""
    return any(start <= now for start in starts)


@dataclass(frozen=True)
class Learner:
    enrolment_id: int
    name: str  # the name the person gave, else their phone, else "#<contact id>"
    status: EnrolmentStatus  # enrolled, offered or waiting
    position: int | None = None  # on the waiting list


@dataclass(frozen=True)
class Lesson:
    id: int
    starts_at: dt.datetime
    present: frozenset[int] = frozenset()  # enrolment ids marked present
    absent: frozenset[int] = frozenset()


@dataclass(frozen=True)
class StaffCourse:
    id: int
    title: Localized
    status: CourseStatus
    capacity: int
    learners: tuple[Learner, ...] = ()  # seat holders first, then the waiting list in order
    lessons: tuple[Lesson, ...] = ()
    policy: str = "fcfs"  # the waiting list's order (``flows.courses.policy``)

    @property
    def seated(self) -> tuple[Learner, ...]:
        return tuple(learner for learner in self.learners if learner.status in SEAT_HOLDING)

    @property
    def enrolled(self) -> tuple[Learner, ...]:
        """Those whose attendance is marked: an open offer is no seat yet."""
        return tuple(learner for learner in self.learners if learner.status == "enrolled")

    def markable(self, now: dt.datetime) -> tuple[Lesson, ...]:
        """Sessions whose attendance can be marked now: held, or about to start."""
        return tuple(lesson for lesson in self.lessons if can_mark(lesson.starts_at, now))

    @property
    def waiting(self) -> tuple[Learner, ...]:
        return tuple(learner for learner in self.learners if learner.status == "waiting")

    def learner(self, enrolment_id: object) -> Learner | None:
        return next((x for x in self.learners if x.enrolment_id == enrolment_id), None)

    def lesson(self, lesson_id: object) -> Lesson | None:
        return next((x for x in self.lessons if x.id == lesson_id), None)


@dataclass(frozen=True)
class MarkAttendance(Effect):
    lesson_id: int
    enrolment_id: int
    present: bool


@dataclass(frozen=True)
class RemoveLearner(Effect):
    enrolment_id: int
    reason: str


@dataclass(frozen=True)
class MoveLearner(Effect):
    enrolment_id: int
    position: int
    reason: str


@dataclass(frozen=True)
class SetCourseStatus(Effect):
    course_id: int
    status: CourseStatus
    expected_from: CourseStatus  # what the facilitator saw; anything else means someone changed it meanwhile
    reason: str | None = None


def staff_courses(facts: Facts) -> tuple[StaffCourse, ...] | None:
    """The facilitator's courses, or None when the contact is not a facilitator."""
    found = facts.get(COURSES_KEY, None)
    return found if isinstance(found, tuple) else None


def find_course(facts: Facts, course_id: object) -> StaffCourse | None:
    return next((c for c in staff_courses(facts) or () if c.id == course_id), None)


# Every effect of /manage: the manage feature has exactly one applier each.
StaffEffect = MarkAttendance | RemoveLearner | MoveLearner | SetCourseStatus
