"""A centre's quiet hours: the local night when nothing that can wait is delivered.

Pure: the caller gives the instant (UTC) and the centre's zone. Quiet hours are a local
``start``–``end`` window that may wrap midnight (21:00–09:00, the default); ``start == end``
means the centre has none. ``start`` is inside the window, ``end`` is not.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class QuietHours:
    start: dt.time = dt.time(21, 0)
    end: dt.time = dt.time(9, 0)

    @property
    def none(self) -> bool:
        return self.start == self.end

    def contains(self, local: dt.time) -> bool:
        """Whether a local wall-clock time falls inside the quiet window."""
        local = local.replace(tzinfo=None)
        if self.none:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def text(self) -> str:
        """``21:00-09:00`` or ``none``: what ``--quiet-hours`` takes and ``centre list`` shows."""
        if self.none:
            return "none"
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


DEFAULT_QUIET_HOURS = QuietHours()
NO_QUIET_HOURS = QuietHours(dt.time(0, 0), dt.time(0, 0))

_CLOCK = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$", re.ASCII)


def parse_clock(text: str) -> dt.time:
    """``"9:00"`` or ``"21:30"`` as a time; ValueError for anything else."""
    match = _CLOCK.match(text.strip())
    if match is None:
        raise ValueError(f"not a time of day (HH:MM): {text!r}")
    return dt.time(int(match.group(1)), int(match.group(2)))


def parse_quiet_hours(text: str) -> QuietHours:
    """``"21:00-09:00"`` or ``"none"``; ValueError with a clear message otherwise."""
    cleaned = text.strip().lower()
    if cleaned in ("none", "off", "no"):
        return NO_QUIET_HOURS
    start, sep, end = cleaned.partition("-")
    if not sep:
        raise ValueError(f"quiet hours are START-END (e.g. 21:00-09:00) or none, not {text!r}")
    quiet = QuietHours(parse_clock(start), parse_clock(end))
    if quiet.none:
        raise ValueError("quiet hours that start and end at one time are none; say none")
    return quiet


def quiet_until(now_utc: dt.datetime, zone: ZoneInfo, quiet: QuietHours) -> dt.datetime | None:
    """The UTC instant the quiet hours around ``now_utc`` end, or None when it is not quiet.

    A wall-clock end that a DST change skips resolves as ``zoneinfo`` does (fold 0); zones
    without DST, as Kazakhstan's, never meet that.
    """
    if now_utc.tzinfo is None:
        raise ValueError("quiet_until needs an aware datetime")
    local = now_utc.astimezone(zone)
    wall = local.time().replace(tzinfo=None)
    if not quiet.contains(wall):
        return None
    end_day = local.date()
    # Past midnight's start (21:00 today) the window ends tomorrow morning.
    if quiet.start > quiet.end and wall >= quiet.start:
        end_day += dt.timedelta(days=1)
    end_local = dt.datetime.combine(end_day, quiet.end, tzinfo=zone)
    return end_local.astimezone(dt.UTC)


def outside_quiet_hours(instant_utc: dt.datetime, zone: ZoneInfo, quiet: QuietHours) -> dt.datetime:
    """``instant_utc`` itself, or the end of the quiet hours it falls in."""
    return quiet_until(instant_utc, zone, quiet) or instant_utc
