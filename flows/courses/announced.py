"""A course announcement and enrolment straight from it (issue 16).

A broadcast for a course (``clc-admin broadcast create --for-course``) goes out with one choice,
"Enrol": a button on Telegram, a numbered line (or the word itself) in an SMS. The outbox puts
an idle conversation into the ``announced`` view once it is delivered, so a typed "1" answers
it; the button works from any state through ``CoursesFlow.entry_for_context``. Answering it
enrols the person at once (a seat, or the waiting list when the course is full), as the course's
own "Enrol" does; anything else shows the course, where they can read more and choose.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flows.events import N_, Choice, Localized, Msg, Reply, Text
from flows.ids import id_after

ENROL = "enrol"
PREFIX = "news"
VIEW = "announced"


def announced_context(course_id: int) -> str:
    return f"{PREFIX}{course_id}"


def announced_course(context: str) -> int | None:
    """The course a button on an announcement names, or None when it is not one."""
    return id_after(PREFIX, context)


def announced_data(course_id: int) -> dict[str, Any]:
    return {"view": VIEW, "course": course_id}


# The reply words an SMS user may send instead of the number (the label, and how people say it).
ENROL_WORDS = {ENROL: ("жазылу", "жазыламын", "жазылғым келеді", "записаться", "запишусь", "записать")}


def announced_choices() -> tuple[Choice, ...]:
    return (Choice(ENROL, Msg(N_("Enrol"))),)


def announcement_reply(text: Text, course_id: int) -> Reply:
    """The message a course announcement sends: the facilitator's text and "Enrol"."""
    return Reply(body=(text,), choices=announced_choices(), expects="choice",
                 context=announced_context(course_id))


def course_news(
    title: Localized, first: tuple[dt.datetime, Localized] | None, sessions: int, last: dt.datetime | None
) -> tuple[Msg, ...]:
    """The text a course announcement has unless the facilitator wrote one: the course, its
    dates and how to enrol. ``first`` is the first session's start and place, ``last`` the last
    session's start. It is rendered once per language when the broadcast is created."""
    lines = [Msg(N_("New course at your centre: «{title}»."), {"title": title})]
    if first is not None:
        lines.append(Msg(N_("First session: {start}, {place}."), {"start": first[0], "place": first[1]}))
    if sessions > 1 and last is not None:
        lines.append(Msg(N_("Sessions: {count}, the last one on {date}."), {"count": sessions, "date": last}))
    lines.append(Msg(N_("You can enrol straight from this message.")))
    return tuple(lines)
