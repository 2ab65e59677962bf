"""When the satisfaction questionnaire goes out after a course: pure rules, tested alone.

It goes once the last session is over and the facilitator had time to mark who came
(``MARKING_TIME``), or at once when the course is marked finished. A cancelled course asks
nothing. Villagers are not messaged at night: a time outside the day moves to the next
morning, in the centre's own time zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from flows.courses.statuses import LIVE_COURSE_STATUSES, CourseStatus

MARKING_TIME = dt.timedelta(hours=2)
DAY_STARTS = dt.time(9, 0)
DAY_ENDS = dt.time(21, 0)
MORNING = dt.time(10, 0)


def last_session_end(sessions: Iterable[tuple[dt.datetime, int]]) -> dt.datetime | None:
    """The end of the latest session, from (start, minutes) pairs; None for no sessions."""
    ends = [start + dt.timedelta(minutes=minutes) for start, minutes in sessions]
    return max(ends) if ends else None


def feedback_due(status: CourseStatus, last_end: dt.datetime | None, now: dt.datetime) -> bool:
    if status == "finished":
        return True
    if status not in LIVE_COURSE_STATUSES or last_end is None:
        return False
    return now >= last_end + MARKING_TIME


def polite_time(at: dt.datetime, timezone: str) -> dt.datetime:
    """``at`` if it falls in the day where the centre is, else the next morning at 10:00."""
    zone = ZoneInfo(timezone)
    local = at.astimezone(zone)
    if DAY_STARTS <= local.time() < DAY_ENDS:
        return at
    day = local.date() if local.time() < DAY_STARTS else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, MORNING, tzinfo=zone).astimezone(dt.UTC)
