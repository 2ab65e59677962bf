"""An interest's seats against its demand at one centre, and the advice (``flows.reports.needs``
sums these over the centres reported on)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from flows.events import N_

# The seats that count against demand: courses taking enrolments now or being planned.
SEAT_STATUSES = ("open", "draft")
# A group when no open or planned course says how big one is.
DEFAULT_GROUP_SIZE = 10

Advice = Literal["open_group", "add_seats", "invite", "enough", "plan_first", "gather", "none"]
ADVICE: dict[Advice, str] = {
    "open_group": N_("open another group"),
    "add_seats": N_("a few more seats needed"),
    "invite": N_("enough seats: invite those who asked"),
    "enough": N_("enough seats"),
    "plan_first": N_("plan a first course"),
    "gather": N_("too few for a group yet"),
    "none": N_("no demand"),
}
# Most urgent first: a group's worth of people without seats, then a few seats short, then
# people to invite to seats already there.
URGENCY: tuple[Advice, ...] = ("open_group", "plan_first", "add_seats", "invite", "gather", "enough", "none")


@dataclass(frozen=True)
class CourseSeats:
    """A course (not cancelled) and who is on it: contact ids holding a seat or an offer, waiting."""

    code: str
    status: str
    tags: tuple[str, ...]
    capacity: int
    seated: frozenset[int] = frozenset()
    waiting: frozenset[int] = frozenset()
    centre: str = ""


@dataclass(frozen=True)
class CentreNeed:
    """One interest at one centre: its seats against its people's demand."""

    centre: str
    asked: int
    seats: int
    free: int
    waiting: int
    served: int
    unmet: int
    group: int
    advice: Advice


def advise(unmet: int, free: int, has_course: bool, group: int) -> Advice:
    """The rule: compare the open demand with the free seats, in groups.

    With a course: ``open_group`` when the open demand exceeds the free seats by a group or more,
    ``add_seats`` when by less, ``invite`` when the free seats cover it, ``enough`` when nobody is
    left wanting. Without one: ``plan_first`` for a group's worth of people, ``gather`` for
    fewer, ``none`` for nobody.
    """
    if has_course:
        short = unmet - free
        if short >= group:
            return "open_group"
        if short > 0:
            return "add_seats"
        return "invite" if unmet > 0 else "enough"
    if unmet >= group:
        return "plan_first"
    return "gather" if unmet > 0 else "none"


def at_centre(
    centre: str, askers: set[int], courses: Sequence[CourseSeats], seated: frozenset[int],
    group_size: int | None,
) -> CentreNeed:
    """``courses``: those tagged with the interest (the centre's are picked); ``askers``: the
    centre's people who asked; ``seated``: who holds a seat on one of them, at any centre."""
    offered = [c for c in courses if c.centre == centre and c.status in SEAT_STATUSES]
    waiting: frozenset[int] = frozenset().union(*(c.waiting for c in offered))
    group = max(1, group_size or max((c.capacity for c in offered), default=0) or DEFAULT_GROUP_SIZE)
    free = sum(max(0, c.capacity - len(c.seated)) for c in offered)
    unmet = len((askers | waiting) - seated)
    return CentreNeed(centre, len(askers), sum(c.capacity for c in offered), free, len(waiting),
                      len(askers & seated), unmet, group, advise(unmet, free, bool(offered), group))
