"""The monitoring report's rules on small hand-made facts: who counts as trained and completed
(the share rounded up, a course still going on has no completers), each person once in a
centre's total, groups unknown rather than guessed, the median wait, the period's bounds."""

from __future__ import annotations

import datetime as dt

from flows.events import Localized
from flows.reports.groups import group_flags
from flows.reports.monitoring import (
    Announcements,
    CentreFacts,
    CourseEvent,
    CourseFacts,
    Mark,
    Period,
    monitoring,
)

PERIOD = Period(dt.datetime(2026, 3, 1, tzinfo=dt.UTC), dt.datetime(2026, 4, 1, tzinfo=dt.UTC))
AFTER = dt.datetime(2026, 4, 2, tzinfo=dt.UTC)  # the report made once the period is over


def at(month: int, day: int) -> dt.datetime:
    return dt.datetime(2026, month, day, 9, tzinfo=dt.UTC)


def facts(courses: tuple[CourseFacts, ...], marks: tuple[Mark, ...], events: tuple[CourseEvent, ...] = (),
          profiles: dict[int, dict[str, object]] | None = None) -> CentreFacts:
    return CentreFacts(1, "aksu", Localized("Ақсу", "Аксу"), "Asia/Almaty", courses, marks, events, (), (),
                       Announcements(), 0, profiles or {})


def course(course_id: int, *days: tuple[int, int]) -> CourseFacts:
    return CourseFacts(course_id, f"c{course_id}", Localized("k", "r"), tuple(at(m, d) for m, d in days))


def marks(course_id: int, contact_id: int, present: dict[tuple[int, int], bool]) -> tuple[Mark, ...]:
    return tuple(Mark(course_id, contact_id, at(m, d), p) for (m, d), p in present.items())


def test_completed_needs_the_share_rounded_up_and_the_course_over() -> None:
    five = course(1, (3, 2), (3, 9), (3, 16), (3, 23), (3, 30))  # 75% of 5: 4 sessions
    going_on = course(2, (3, 20), (4, 3))
    found = monitoring(facts((five, going_on), (
        *marks(1, 10, {(3, 2): True, (3, 9): True, (3, 16): True, (3, 23): True}),
        *marks(1, 11, {(3, 2): True, (3, 9): True, (3, 16): True, (3, 23): False}),
        *marks(2, 10, {(3, 20): True}),
    )), PERIOD, AFTER, 75)
    by_code = {item.course.code: item for item in found.courses}
    assert by_code["c1"].completed is not None and by_code["c1"].completed.people == 1
    assert by_code["c2"].completed is None and by_code["c2"].trained.people == 1
    assert found.trained.people == 2  # contact 10 on both courses counts once


def test_a_session_outside_the_period_trains_nobody_in_it() -> None:
    found = monitoring(facts((course(1, (2, 27), (3, 3)),), marks(1, 10, {(2, 27): True, (3, 3): False})),
                       PERIOD, AFTER, 75)
    assert found.trained.people == 0 and found.courses[0].sessions_held == 1


def test_groups_are_unknown_not_guessed() -> None:
    assert group_flags(None) == dict.fromkeys(("women", "unemployed", "pensioners", "disability", "young"))
    flags = group_flags({"gender": "female", "situation": ["farmer"], "age_group": "age_18_29"})
    assert flags == {"women": True, "unemployed": False, "pensioners": False, "disability": None, "young": True}
    assert group_flags({"situation": ["disability", "unemployed"]})["disability"] is True  # older versions


def test_median_wait_from_joining_the_list_to_accepting() -> None:
    events = (CourseEvent(1, 5, "join_waiting", at(2, 20)), CourseEvent(1, 5, "offer", at(3, 1)),
              CourseEvent(1, 5, "accept", at(3, 2)),  # 10 days
              CourseEvent(1, 6, "join_waiting", at(3, 1)), CourseEvent(1, 6, "accept", at(3, 3)),  # 2
              CourseEvent(1, 7, "join_waiting", at(3, 1)), CourseEvent(1, 7, "accept", at(3, 5)),  # 4
              CourseEvent(1, 8, "join_waiting", at(3, 1)), CourseEvent(1, 8, "accept", at(4, 5)))  # April
    found = monitoring(facts((), (), events), PERIOD, AFTER).waiting
    assert (found.accepted, found.offers_made, found.median_wait_days) == (3, 1, 4.0)


def test_a_report_made_before_the_period_ends_counts_only_sessions_held_so_far() -> None:
    """Made on 20 March: the sessions of 23 and 30 March have not been held; the course is not
    over, so it has no completers yet (not zero), and nobody is trained by a future session."""
    four = course(1, (3, 9), (3, 16), (3, 23), (3, 30))
    found = monitoring(facts((four,), (*marks(1, 10, {(3, 9): True, (3, 16): True}),
                                       *marks(1, 11, {(3, 23): True}))),  # marked ahead by mistake
                       PERIOD, dt.datetime(2026, 3, 20, tzinfo=dt.UTC), 75)
    (item,) = found.courses
    assert (item.sessions_held, item.trained.people, item.completed) == (2, 1, None)


def test_the_share_is_whole_numbers_rounded_up() -> None:
    """28% of 25 sessions is 7 exactly (a float would make it 7.000000000000001, so 8)."""
    sessions = tuple((3, d) for d in range(1, 26))
    present = {day: n < 7 for n, day in enumerate(sessions)}
    found = monitoring(facts((course(1, *sessions),), marks(1, 10, present)), PERIOD, AFTER, 28)
    assert found.completed.people == 1
