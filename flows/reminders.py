"""Reminders: when each one falls due, and what it says. Pure; the bot derives them from rows.

Times are computed in the centre's zone and its quiet hours (``flows.quiet_hours``):

* **Course session**: the evening before at 18:00, and 2 hours before the start. A reminder
  whose time falls in quiet hours moves to their end (09:00) if that is still at least an hour
  before the session; otherwise it is dropped, because a reminder after the start helps nobody
  and the evening one already told them (a 08:00 session: 18:00 the evening before only).
  Of two reminders that fall at one time only the later kind (2 hours before) is kept.
* **Seat offer**: once, halfway from the offer to its deadline, while it is open.
* **Unfinished needs survey**: once per run, 24 hours after its last answer.

Each planned reminder is valid ``until`` an instant: the next reminder of the same session, or
the start; the deadline of an offer. A reminder is sent late (after a restart, or held by the
outbox's quiet hours) only while it is still valid, so one that fell due while the service was
down is sent if the session has not started (and no later reminder took over), else dropped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flows.events import N_, Localized, Msg, Reply
from flows.quiet_hours import QuietHours, outside_quiet_hours

SESSION_EVE = "session_eve"
SESSION_SOON = "session_soon"
OFFER_REMINDER = "offer_reminder"
SURVEY_NUDGE = "survey_nudge"
REMINDER_KINDS = (SESSION_EVE, SESSION_SOON, OFFER_REMINDER, SURVEY_NUDGE)

EVENING_AT = dt.time(18, 0)
SOON_BEFORE = dt.timedelta(hours=2)
# A session reminder moved out of quiet hours must still come at least this long before it.
MIN_LEAD = dt.timedelta(hours=1)
# An offer reminder must leave at least this long to answer.
MIN_ANSWER_TIME = dt.timedelta(minutes=30)
NUDGE_AFTER = dt.timedelta(hours=24)
# An offer deadline that would fall in quiet hours moves to their end plus this much daytime.
OFFER_DAYTIME = dt.timedelta(hours=3)
# The farthest ahead of a session its first reminder can be (18:00 the day before a session at
# 23:59 is ~30 h): the job looks at sessions starting within this window.
LOOKAHEAD = dt.timedelta(hours=36)


@dataclass(frozen=True)
class Planned:
    kind: str
    due: dt.datetime
    until: dt.datetime


def session_reminders(starts_at: dt.datetime, zone: ZoneInfo, quiet: QuietHours) -> list[Planned]:
    """The reminders of one session starting at ``starts_at`` (UTC), in time order."""
    start_local = starts_at.astimezone(zone)
    evening = dt.datetime.combine(start_local.date() - dt.timedelta(days=1), EVENING_AT, tzinfo=zone)
    wanted = [(SESSION_EVE, evening.astimezone(dt.UTC)), (SESSION_SOON, starts_at - SOON_BEFORE)]
    kept: list[tuple[str, dt.datetime]] = []
    for kind, due in wanted:
        due = outside_quiet_hours(due, zone, quiet)
        if due > starts_at - MIN_LEAD:
            continue
        if kept and kept[-1][1] >= due:
            kept.pop()  # the evening one moved onto the later one: keep only the later
        kept.append((kind, due))
    ends = [due for _, due in kept[1:]] + [starts_at]
    return [Planned(kind, due, until) for (kind, due), until in zip(kept, ends, strict=True)]


def offer_reminder(
    offered_at: dt.datetime, deadline: dt.datetime, zone: ZoneInfo, quiet: QuietHours
) -> Planned | None:
    """Halfway to the deadline (out of quiet hours), if that still leaves time to answer."""
    due = outside_quiet_hours(offered_at + (deadline - offered_at) / 2, zone, quiet)
    if due > deadline - MIN_ANSWER_TIME:
        return None
    return Planned(OFFER_REMINDER, due, deadline)


def survey_nudge(last_activity: dt.datetime, zone: ZoneInfo, quiet: QuietHours) -> Planned:
    """24 hours after the last answer (out of quiet hours); valid as long as the run is open."""
    due = outside_quiet_hours(last_activity + NUDGE_AFTER, zone, quiet)
    return Planned(SURVEY_NUDGE, due, dt.datetime.max.replace(tzinfo=dt.UTC))


def daytime_deadline(deadline: dt.datetime, zone: ZoneInfo, quiet: QuietHours) -> dt.datetime:
    """An offer's deadline, moved out of quiet hours with some daytime to answer: a deadline at
    23:00 becomes 12:00 the next day (quiet hours 21:00-09:00)."""
    end = outside_quiet_hours(deadline, zone, quiet)
    return deadline if end == deadline else end + OFFER_DAYTIME


def is_due(planned: Planned, now: dt.datetime) -> bool:
    """Due and still of use: queue it now (a late one within its validity too)."""
    return planned.due <= now < planned.until


def session_reminder_reply(kind: str, title: Localized, start: dt.datetime, place: Localized) -> Reply:
    if kind == SESSION_EVE:
        text = N_("Reminder: the session of «{title}» is on {start}, at {place}. See you there!")
    else:
        text = N_("Soon: the session of «{title}» starts at {start}, at {place}. We are waiting for you!")
    return Reply(body=(Msg(text, {"title": title, "start": start, "place": place}),))


def offer_reminder_reply(title: Localized, deadline: dt.datetime) -> Reply:
    return Reply(body=(Msg(
        N_("A reminder: a seat on «{title}» is still kept for you until {deadline}. Will you take it?"),
        {"title": title, "deadline": deadline},
    ),))


def offer_extended_note() -> Msg:
    """Said with an offer whose deadline was moved out of the night (``daytime_deadline``)."""
    return Msg(N_("The deadline does not end at night: we extended it so that you can answer in the "
                  "daytime."))


def survey_nudge_reply() -> Reply:
    return Reply(body=(Msg(
        N_("You started the needs survey but did not finish it. Your answers are kept: write «survey» "
           "to go on where you stopped."),
    ),))
