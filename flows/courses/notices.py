"""Notices the centre's changes send to learners: a withdrawn offer, a changed schedule.

Pure: the bot compares the sessions before and after ``clc-admin course edit`` and queues
:func:`schedule_reply` to everyone holding a seat or an offer, rendered in their own language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from flows.courses.common import position_msg
from flows.courses.facts import SessionInfo
from flows.events import N_, Localized, Msg, Reply, Text


def withdrawn_reply(title: Localized, position: int | None) -> Reply:
    """What someone whose open offer was taken back by a lowered capacity is sent."""
    body: list[Text] = [Msg(
        N_("The centre has reduced the number of seats on «{title}», so the seat offered to you is no "
           "longer free. You stay on the waiting list and will be told when a seat frees up."),
        {"title": title},
    )]
    if position is not None:
        body.append(position_msg(position))
    return Reply(body=tuple(body))


def schedule_changes(
    before: Sequence[SessionInfo], after: Sequence[SessionInfo], now: dt.datetime
) -> list[Msg]:
    """One line per change a learner must know: moved, cancelled, added, new place or length.

    Sessions are matched by their start; a removed and an added one are read as a move, in
    time order. Changes to sessions already over are left out (nobody can go to them).
    """
    old = {s.starts_at: s for s in before}
    new = {s.starts_at: s for s in after}
    lines: list[Msg] = []
    for start in sorted(old.keys() & new.keys()):
        was, now_is = old[start], new[start]
        if (was.place, was.minutes) != (now_is.place, now_is.minutes) and start >= now:
            lines.append(Msg(N_("The session of {start}: now {place}, {minutes} min."),
                             {"start": start, "place": now_is.place, "minutes": now_is.minutes}))
    gone = sorted(old.keys() - new.keys())
    added = sorted(new.keys() - old.keys())
    moved = list(zip(gone, added, strict=False))
    for was_at, new_at in moved:
        if max(was_at, new_at) >= now:
            lines.append(Msg(N_("Moved: {old} → {new}, {place}."),
                             {"old": was_at, "new": new_at, "place": new[new_at].place}))
    for start in gone[len(moved):]:
        if start >= now:
            lines.append(Msg(N_("Cancelled: the session of {start}."), {"start": start}))
    for start in added[len(moved):]:
        if start >= now:
            lines.append(Msg(N_("New session: {start} ({minutes} min), {place}."),
                             {"start": start, "minutes": new[start].minutes, "place": new[start].place}))
    return lines


def schedule_reply(
    title: Localized, before: Sequence[SessionInfo], after: Sequence[SessionInfo], now: dt.datetime
) -> Reply | None:
    """The notice for a changed schedule, or None when nothing a learner would notice changed."""
    lines = schedule_changes(before, after, now)
    if not lines:
        return None
    head = Msg(N_("The schedule of «{title}» has changed:"), {"title": title})
    return Reply(body=(head, *lines))
