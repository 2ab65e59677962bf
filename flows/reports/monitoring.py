"""The monitoring report's figures for one centre and period (issue 17), from plain facts.

Every figure is defined here once (and in the README, "Monitoring report"):

* **trained**: people marked present at at least one session held in the period, per course;
  a centre's total counts each person once, however many courses they attended.
* **completed**: of a course whose last session was held in the period (and has been held: the
  report may be made before the period ends), the people present at at least ``percent`` of its
  sessions (rounded up); a course still going on has no completers yet. Only sessions already
  held count as held.
* **groups** (women, unemployed, pensioners, people with disabilities, young people) of the
  trained and the completed, from each person's latest completed needs survey, with how many
  are unknown (``flows.reports.groups``).
* **satisfaction**: feedback questionnaires sent in the period about the centre's courses, the
  share answered, and the answers to "useful", "teaching" and "would recommend".
* **waiting lists**: people waiting when the report is made; offers made, accepted, declined and
  expired in the period; the median wait of those who accepted a seat in the period, from their
  joining the list to accepting.
* **needs surveys**: runs started in the period by the centre's people, and of them completed,
  by channel; **announcements**: broadcasts queued in the period, messages sent and delivered.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flows.events import Localized
from flows.reports.groups import GroupCounts, group_flags

DEFAULT_PERCENT = 75
SATISFACTION_QUESTIONS = ("useful", "teaching", "recommend")


@dataclass(frozen=True)
class Period:
    """[start, end) in UTC: the centre's local days from the first to the last, inclusive."""

    start: dt.datetime
    end: dt.datetime

    def __contains__(self, moment: dt.datetime) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True)
class CourseFacts:
    id: int
    code: str
    title: Localized
    sessions: tuple[dt.datetime, ...]  # every session's start, in order


@dataclass(frozen=True)
class Mark:
    course_id: int
    contact_id: int
    session_start: dt.datetime
    present: bool


@dataclass(frozen=True)
class CourseEvent:
    """A row of the course log: ``join_waiting``, ``offer``, ``accept``, ``declined``, ``expired``."""

    course_id: int
    contact_id: int | None
    action: str
    at: dt.datetime


@dataclass(frozen=True)
class FeedbackFacts:
    course_id: int
    sent_at: dt.datetime
    answers: Mapping[str, Any] | None  # None: not answered (not completed)


@dataclass(frozen=True)
class RunFacts:
    channel: str
    started_at: dt.datetime
    completed: bool


@dataclass(frozen=True)
class Announcements:
    broadcasts: int = 0
    sent: int = 0
    delivered: int = 0


@dataclass(frozen=True)
class CentreFacts:
    centre_id: int
    slug: str
    name: Localized
    zone: str
    courses: tuple[CourseFacts, ...]
    marks: tuple[Mark, ...]
    events: tuple[CourseEvent, ...]
    feedback: tuple[FeedbackFacts, ...]
    runs: tuple[RunFacts, ...]
    announcements: Announcements
    waiting_now: int
    profiles: Mapping[int, Mapping[str, Any]]  # contact id: latest needs-survey answers


@dataclass
class CourseFigures:
    course: CourseFacts
    sessions_held: int  # in the period
    trained: GroupCounts
    completed: GroupCounts | None  # None: the course did not end in the period


@dataclass
class Satisfaction:
    invited: int = 0
    responded: int = 0
    answers: dict[str, Counter[str]] = field(
        default_factory=lambda: {question: Counter() for question in SATISFACTION_QUESTIONS})

    @property
    def response_rate(self) -> float | None:
        return self.responded / self.invited if self.invited else None


@dataclass
class Waiting:
    waiting_now: int = 0
    offers_made: int = 0
    accepted: int = 0
    declined: int = 0
    expired: int = 0
    median_wait_days: float | None = None


@dataclass
class CentreReport:
    facts: CentreFacts
    courses: list[CourseFigures]
    trained: GroupCounts
    completed: GroupCounts
    satisfaction: Satisfaction
    waiting: Waiting
    surveys_started: Counter[str]
    surveys_completed: Counter[str]


def monitoring(
    facts: CentreFacts, period: Period, now: dt.datetime, percent: int = DEFAULT_PERCENT
) -> CentreReport:
    """The figures for ``period`` as of ``now`` (a session after ``now`` has not been held)."""
    held_by = Period(period.start, min(period.end, now))
    present: dict[int, dict[int, int]] = {}  # course: contact: sessions present (all time)
    trained_in: dict[int, set[int]] = {}  # course: contacts present in the period
    for mark in facts.marks:
        if not mark.present:
            continue
        by_person = present.setdefault(mark.course_id, {})
        by_person[mark.contact_id] = by_person.get(mark.contact_id, 0) + 1
        if mark.session_start in held_by:
            trained_in.setdefault(mark.course_id, set()).add(mark.contact_id)
    courses, everyone_trained, everyone_completed = [], set(), set()
    for course in facts.courses:
        held = sum(1 for start in course.sessions if start in held_by)
        trained = trained_in.get(course.id, set())
        completers: set[int] | None = None
        if course.sessions and course.sessions[-1] in held_by:
            needed = (percent * len(course.sessions) + 99) // 100  # rounded up, in whole numbers
            completers = {who for who, n in present.get(course.id, {}).items() if n >= needed}
            everyone_completed |= completers
        everyone_trained |= trained
        if held or trained or completers is not None:
            courses.append(CourseFigures(course, held, _counts(trained, facts.profiles),
                                         None if completers is None else _counts(completers, facts.profiles)))
    profiles = facts.profiles
    return CentreReport(
        facts, courses, _counts(everyone_trained, profiles), _counts(everyone_completed, profiles),
        _satisfaction(facts.feedback, period), _waiting(facts, period),
        Counter(run.channel for run in facts.runs if run.started_at in period),
        Counter(run.channel for run in facts.runs if run.started_at in period and run.completed),
    )


def _counts(people: Iterable[int], profiles: Mapping[int, Mapping[str, Any]]) -> GroupCounts:
    counts = GroupCounts()
    for contact_id in sorted(people):
        counts.add(group_flags(profiles.get(contact_id)))
    return counts


def _satisfaction(feedback: Iterable[FeedbackFacts], period: Period) -> Satisfaction:
    found = Satisfaction()
    for item in feedback:
        if item.sent_at not in period:
            continue
        found.invited += 1
        if item.answers is None:
            continue
        found.responded += 1
        for question in SATISFACTION_QUESTIONS:
            value = item.answers.get(question)
            if isinstance(value, str):
                found.answers[question][value] += 1
    return found


def _waiting(facts: CentreFacts, period: Period) -> Waiting:
    found = Waiting(waiting_now=facts.waiting_now)
    joined: dict[tuple[int, int], dt.datetime] = {}  # (course, contact): when they last joined the list
    waits: list[float] = []
    for event in sorted(facts.events, key=lambda e: e.at):
        key = (event.course_id, event.contact_id or 0)
        if event.action == "join_waiting":
            joined[key] = event.at
        if event.at not in period:
            continue
        if event.action == "offer":
            found.offers_made += 1
        elif event.action == "accept":
            found.accepted += 1
            if key in joined:
                waits.append((event.at - joined[key]).total_seconds() / 86400)
        elif event.action == "declined":
            found.declined += 1
        elif event.action == "expired":
            found.expired += 1
    found.median_wait_days = round(statistics.median(waits), 1) if waits else None
    return found
