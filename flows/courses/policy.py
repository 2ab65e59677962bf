"""Who comes first on a waiting list: the ordering policy of a course.

Two kinds, stored on the course as one short string:

* ``fcfs`` (the default): first come, first served, by time of joining.
* ``priority:<group>,<group>,…``: people in the first named group come first, then those in the
  second, and so on; everyone in no group comes last. Within one tier the order is the time of
  joining. A person in several groups counts in the highest one. Example: with
  ``priority:unemployed,disability,women`` an unemployed woman is in the first tier, a woman
  with a job in the third.

Groups come from the contact's needs-survey answers (the ``profile``: question id → answer id,
or a list of ids for a multiple choice), so the villager can be told exactly why: "priority is
given to unemployed people, then people with disabilities, then women".
Ties on the same instant fall back on the enrolment id (the order of arrival in the database).

A facilitator may move someone by hand (with a reason, kept in the audit log): the person gets
a :class:`Placement`, a sort key chosen between their new neighbours' keys, so positions stay
derived and gap-free while people join, leave and get offers around them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flows.errors import PolicyError
from flows.events import N_, Localized, Msg

FCFS = "fcfs"
PRIORITY_PREFIX = "priority:"


@dataclass(frozen=True)
class Group:
    """A priority group: the needs-survey question and the answer ids that put someone in it."""

    id: str
    question: str
    answers: frozenset[str]
    # Shown inside "priority is given to …": data in both languages, like a course title.
    label: Localized
    # Answers of earlier survey versions that count too: (question, answer ids).
    earlier: tuple[tuple[str, frozenset[str]], ...] = ()


GROUPS: dict[str, Group] = {
    group.id: group
    for group in (
        Group("unemployed", "situation", frozenset({"unemployed"}),
              Localized(kk="жұмыссыздарға", ru="безработным")),
        Group("disability", "disability", frozenset({"yes"}),
              Localized(kk="мүмкіндігі шектеулі адамдарға", ru="людям с инвалидностью"),
              earlier=(("situation", frozenset({"disability"})),)),  # an occupation before issue 12
        Group("women", "gender", frozenset({"female"}), Localized(kk="әйелдерге", ru="женщинам")),
        Group("pensioners", "situation", frozenset({"pensioner"}),
              Localized(kk="зейнеткерлерге", ru="пенсионерам")),
        Group("students", "situation", frozenset({"student"}),
              Localized(kk="студенттер мен оқушыларға", ru="студентам и школьникам")),
    )
}

Profile = Mapping[str, Any]



@dataclass(frozen=True)
class Policy:
    groups: tuple[str, ...] = ()

    @property
    def is_fcfs(self) -> bool:
        return not self.groups

    def __str__(self) -> str:
        return FCFS if self.is_fcfs else PRIORITY_PREFIX + ",".join(self.groups)


def parse_policy(raw: str | None) -> Policy:
    """``fcfs``, ``""``/None (the default) or ``priority:unemployed,women``."""
    text = (raw or FCFS).strip().lower()
    if text == FCFS:
        return Policy()
    if not text.startswith(PRIORITY_PREFIX):
        raise PolicyError(f"policy {raw!r}: use 'fcfs' or 'priority:GROUP,GROUP' ({known_groups()})")
    names = tuple(name.strip() for name in text[len(PRIORITY_PREFIX) :].split(",") if name.strip())
    unknown = [name for name in names if name not in GROUPS]
    if unknown or not names:
        raise PolicyError(f"policy {raw!r}: unknown or missing group(s) {unknown}; known: {known_groups()}")
    if len(set(names)) != len(names):
        raise PolicyError(f"policy {raw!r}: a group is named twice")
    return Policy(names)


def known_groups() -> str:
    return ", ".join(GROUPS)


def _answers(profile: Profile, question: str) -> set[str]:
    value = profile.get(question)
    if value is None:
        return set()
    if isinstance(value, str):
        return {value}
    if isinstance(value, Iterable):
        return {str(item) for item in value}
    return {str(value)}


def tier(policy: Policy, profile: Profile) -> int:
    """0 for the first group, 1 for the second, …, ``len(groups)`` for everyone else."""
    for index, name in enumerate(policy.groups):
        group = GROUPS[name]
        if any(_answers(profile, question) & answers
               for question, answers in ((group.question, group.answers), *group.earlier)):
            return index
    return len(policy.groups)


@dataclass(frozen=True)
class Placement:
    """Where a facilitator put someone by hand: a sort key between two neighbours' keys."""

    tier: int
    at: dt.datetime
    order: float


@dataclass(frozen=True)
class Candidate:
    """One person waiting: the enrolment id, when they joined, their survey profile."""

    id: int
    joined_at: dt.datetime
    profile: Profile = field(default_factory=dict)
    placed: Placement | None = None


SortKey = tuple[int, dt.datetime, float]


def sort_key(policy: Policy, candidate: Candidate) -> SortKey:
    if candidate.placed is not None:
        placed = candidate.placed
        return (min(placed.tier, len(policy.groups)), placed.at, placed.order)
    return (tier(policy, candidate.profile), candidate.joined_at, float(candidate.id))


def placement_at(policy: Policy, candidates: Iterable[Candidate], moving: int, position: int) -> Placement:
    """The key that puts enrolment ``moving`` at ``position`` (1-based, clamped to the list)."""
    ordered = order(policy, candidates)
    others = [c for c in ordered if c.id != moving]
    position = max(1, min(position, len(others) + 1))
    before = sort_key(policy, others[position - 2]) if position >= 2 else None
    after = sort_key(policy, others[position - 1]) if position <= len(others) else None
    if after is None and before is None:
        own = next(sort_key(policy, c) for c in ordered if c.id == moving)
        return Placement(*own)
    if after is None:
        assert before is not None
        return Placement(before[0], before[1], before[2] + 1.0)
    if before is not None and before[:2] == after[:2]:
        return Placement(after[0], after[1], (before[2] + after[2]) / 2)
    return Placement(after[0], after[1], after[2] - 1.0)


def order(policy: Policy, candidates: Iterable[Candidate]) -> list[Candidate]:
    """The waiting list in the order seats are offered."""
    return sorted(candidates, key=lambda candidate: sort_key(policy, candidate))


def positions(policy: Policy, candidates: Iterable[Candidate]) -> dict[int, int]:
    """Enrolment id → position 1, 2, 3 … without gaps: derived every time, never stored."""
    return {candidate.id: number for number, candidate in enumerate(order(policy, candidates), 1)}


def position_if_joined(policy: Policy, waiting: Sequence[Candidate], profile: Profile) -> int:
    """Where a newcomer joining now would stand (everyone already waiting joined earlier)."""
    newcomer = tier(policy, profile)
    return 1 + sum(1 for c in waiting if sort_key(policy, c)[0] <= newcomer)


def group_labels(policy: Policy) -> Localized:
    """"unemployed people, then women" in both languages, in the policy's order."""
    kk = ", одан кейін ".join(GROUPS[name].label.kk for name in policy.groups)
    ru = ", затем ".join(GROUPS[name].label.ru for name in policy.groups)
    return Localized(kk=kk, ru=ru)


def explain(policy: Policy) -> Msg:
    """The sentence a villager or facilitator reads about the order of the waiting list."""
    if policy.is_fcfs:
        return Msg(N_("Seats are offered in the order people joined the waiting list."))
    return Msg(
        N_("Priority is given to {groups}; within a group, in the order people joined."),
        {"groups": group_labels(policy)},
    )
