"""Quiet hours: when the night ends for a centre, in its own zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.quiet_hours import (
    DEFAULT_QUIET_HOURS,
    NO_QUIET_HOURS,
    QuietHours,
    outside_quiet_hours,
    parse_quiet_hours,
    quiet_until,
)

ALMATY = ZoneInfo("Asia/Almaty")  # UTC+5 all year
BERLIN = ZoneInfo("Europe/Berlin")  # with DST, to see nothing breaks


def local(day: int, hour: int, minute: int = 0, zone: ZoneInfo = ALMATY) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=zone).astimezone(dt.UTC)


def test_late_evening_waits_for_next_morning() -> None:
    assert quiet_until(local(10, 23), ALMATY, DEFAULT_QUIET_HOURS) == local(11, 9)


def test_early_morning_waits_for_the_same_morning() -> None:
    assert quiet_until(local(10, 6, 30), ALMATY, DEFAULT_QUIET_HOURS) == local(10, 9)


def test_start_is_quiet_end_is_not() -> None:
    assert quiet_until(local(10, 21), ALMATY, DEFAULT_QUIET_HOURS) == local(11, 9)
    assert quiet_until(local(10, 9), ALMATY, DEFAULT_QUIET_HOURS) is None
    assert quiet_until(local(10, 20, 59), ALMATY, DEFAULT_QUIET_HOURS) is None


def test_daytime_and_no_quiet_hours() -> None:
    assert quiet_until(local(10, 12), ALMATY, DEFAULT_QUIET_HOURS) is None
    assert quiet_until(local(10, 23), ALMATY, NO_QUIET_HOURS) is None


def test_a_window_that_does_not_wrap() -> None:
    siesta = QuietHours(dt.time(13), dt.time(15))
    assert quiet_until(local(10, 14), ALMATY, siesta) == local(10, 15)
    assert quiet_until(local(10, 15), ALMATY, siesta) is None
    assert quiet_until(local(10, 23), ALMATY, siesta) is None


def test_parse_and_text_round_trip() -> None:
    assert parse_quiet_hours("21:00-09:00") == DEFAULT_QUIET_HOURS
    assert parse_quiet_hours(" 22:30-7:15 ") == QuietHours(dt.time(22, 30), dt.time(7, 15))
    assert parse_quiet_hours("none") == NO_QUIET_HOURS
    assert DEFAULT_QUIET_HOURS.text() == "21:00-09:00"
    assert NO_QUIET_HOURS.text() == "none"
    for wrong in ("21-9", "25:00-09:00", "21:00", "09:00-09:00", "21:00-٠٩:00", ""):
        with pytest.raises(ValueError):
            parse_quiet_hours(wrong)


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError):
        quiet_until(dt.datetime(2026, 3, 10, 23), ALMATY, DEFAULT_QUIET_HOURS)


clocks = st.times().map(lambda t: t.replace(second=0, microsecond=0))
instants = st.datetimes(
    min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 1, 1), timezones=st.just(dt.UTC)
)


@given(instants, clocks, clocks, st.sampled_from([ALMATY, BERLIN]))
def test_the_end_is_after_now_outside_quiet_and_within_a_day(
    now: dt.datetime, start: dt.time, end: dt.time, zone: ZoneInfo
) -> None:
    quiet = QuietHours(start, end)
    until = quiet_until(now, zone, quiet)
    inside = quiet.contains(now.astimezone(zone).time())
    assert (until is not None) == inside
    if until is None:
        assert outside_quiet_hours(now, zone, quiet) == now
        return
    assert now < until <= now + dt.timedelta(hours=25)  # 25: a DST night is an hour longer
    if zone is ALMATY:
        assert until.astimezone(zone).time() == end
        assert quiet_until(until, zone, quiet) is None
