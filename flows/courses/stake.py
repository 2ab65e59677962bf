"""Which course's seats a conversation's next step may change, known before its facts are read.

A villager enrols only from a course's details (``courses`` flow, view ``detail``), and answers
an offer or leaves only from the ``my`` flow's ``offer`` and ``leave`` views. The courses
facts loader locks that one course before it reads anything (``bot.features.courses_feature``),
so the seats left and the place on the waiting list the step tells are those its effect will
find: the step runs once, even when thirty people press «Записаться» for the last seat.

An offer's button pressed from another screen is not known here (the event is not); its
applier still re-checks under the lock, so it stays true at the cost of a rare second run.
"""

from __future__ import annotations

from dataclasses import dataclass

from flows.courses.browse import COURSES
from flows.courses.mine import MY_ENROLMENTS
from flows.events import State

ACTING_VIEWS = {COURSES.name: ("detail",), MY_ENROLMENTS.name: ("offer", "leave")}


@dataclass(frozen=True)
class Stake:
    """A course by its id, or the course of an enrolment by the enrolment's id."""

    course_id: int | None = None
    enrolment_id: int | None = None


def at_stake(state: State | None) -> Stake | None:
    """The course the step after ``state`` may enrol in, or whose seat or place it may give up."""
    if state is None or state.get("stage") != "flow":
        return None
    flow, data = state.get("flow"), state.get("data") or {}
    if data.get("view") not in ACTING_VIEWS.get(flow or "", ()):
        return None
    key = "course" if flow == COURSES.name else "enrolment"
    raw = data.get(key)
    if not isinstance(raw, int) or isinstance(raw, bool):
        return None
    return Stake(course_id=raw) if key == "course" else Stake(enrolment_id=raw)
