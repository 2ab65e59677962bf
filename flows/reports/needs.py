"""The needs summary (issue 17): what people asked to learn, who they are, set against the seats.

For each learning interest of the needs survey:

* ``asked``: people whose latest completed needs survey chose it (people who never completed
  one ask for nothing; they are counted apart, ``not_answered``);
* breakdowns of those people by settlement, gender, age group, situation, convenient times and
  barriers; a multiple-choice answer counts the person under each choice, an unanswered
  question under ``unknown``;
* ``seats``: the capacity of the open and planned (draft) courses tagged with the interest,
  ``free`` the seats of those not held by a learner or an open offer, ``waiting`` the people
  on their waiting lists;
* ``served``: people who asked and already hold a seat on a course tagged with it (any course
  but a cancelled one: someone who took the course last term has been served);
* ``unmet``: people who asked or wait for a seat and hold none: the demand still open;
* ``advice`` from :func:`advise`.

Interests are ranked by ``asked``, ties in the questionnaire's order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from flows.events import N_, Localized, Msg, Text
from flows.questionnaire.schema import Questionnaire

INTERESTS = "interests"
OTHER = "other"
OTHER_TEXT = "interest_other"
SETTLEMENT = "settlement"
BREAKDOWNS = ("settlement", "gender", "age_group", "situation", "times", "barriers")
UNKNOWN = "unknown"
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
UNKNOWN_LABEL = Msg(N_("unknown"))


@dataclass(frozen=True)
class Person:
    """Someone of the centres reported on: their survey answers, None without a completed one."""

    contact_id: int
    answers: Mapping[str, Any] | None
    settlement: str | None = None  # as a facilitator's import gave it


@dataclass(frozen=True)
class CourseSeats:
    """A course (not cancelled) and who is on it: contact ids holding a seat or an offer, waiting."""

    code: str
    status: str
    tags: tuple[str, ...]
    capacity: int
    seated: frozenset[int] = frozenset()
    waiting: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Choice:
    id: str
    label: Text


@dataclass(frozen=True)
class InterestNeed:
    interest: str
    label: Text
    rank: int
    asked: int
    seats: int
    free: int
    waiting: int
    served: int
    unmet: int
    group: int
    advice: Advice
    courses: tuple[str, ...]
    # breakdown → value id → people (every value of ``NeedsSummary.columns``, in its order)
    breakdowns: Mapping[str, Mapping[str, int]]
    other_texts: tuple[str, ...] = ()


@dataclass(frozen=True)
class NeedsSummary:
    people: int
    answered: int
    interests: tuple[InterestNeed, ...]
    # breakdown → its values, in the order the tables show them (``unknown`` last)
    columns: Mapping[str, tuple[Choice, ...]] = field(default_factory=dict)

    @property
    def not_answered(self) -> int:
        return self.people - self.answered


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


def normal_settlement(text: object) -> str | None:
    """A settlement's key: case and spacing do not make another village."""
    if not isinstance(text, str):
        return None
    key = " ".join(text.split()).casefold()
    return key or None


def _chosen(value: object) -> list[str]:
    if isinstance(value, list):
        return list(dict.fromkeys(str(v) for v in value if v not in (None, "")))
    return [] if value in (None, "") else [str(value)]


@dataclass(frozen=True)
class _Respondent:
    contact_id: int
    answers: Mapping[str, Any]
    imported_settlement: str | None

    @property
    def settlement(self) -> str | None:
        """Their own answer, else the imported one."""
        return normal_settlement(self.answers.get(SETTLEMENT)) or normal_settlement(self.imported_settlement)

    def values(self, breakdown: str) -> list[str]:
        if breakdown == SETTLEMENT:
            return [self.settlement or UNKNOWN]
        return _chosen(self.answers.get(breakdown)) or [UNKNOWN]

    def spelling(self) -> str:
        raw = self.answers.get(SETTLEMENT)
        shown = raw if normal_settlement(raw) is not None else self.imported_settlement
        return " ".join(str(shown).split())


def _settlement_columns(respondents: Sequence[_Respondent]) -> tuple[Choice, ...]:
    """Settlements by respondents (most first), each shown as most of them spelt it."""
    spellings: dict[str, Counter[str]] = {}
    for person in respondents:
        key = person.settlement
        if key is not None:
            spellings.setdefault(key, Counter())[person.spelling()] += 1
    order = sorted(spellings, key=lambda k: (-sum(spellings[k].values()), k))
    shown = {k: spellings[k].most_common(1)[0][0] for k in order}
    return tuple(Choice(k, Localized(shown[k], shown[k])) for k in order)


def _with_unlisted(listed: Sequence[Choice], found: Iterable[str]) -> list[Choice]:
    """The choices, then ids found in answers of an older version that today's list lacks."""
    choices = list(listed)
    seen = {c.id for c in choices} | {UNKNOWN}
    for value in found:
        if value not in seen:
            seen.add(value)
            choices.append(Choice(value, Localized(value, value)))
    return choices


def _columns(
    respondents: Sequence[_Respondent], choices: Mapping[str, Sequence[Choice]]
) -> dict[str, tuple[Choice, ...]]:
    columns: dict[str, tuple[Choice, ...]] = {}
    for breakdown in BREAKDOWNS:
        if breakdown == SETTLEMENT:
            known = list(_settlement_columns(respondents))
        else:
            known = _with_unlisted(choices.get(breakdown, ()),
                                   (v for person in respondents for v in person.values(breakdown)))
        columns[breakdown] = (*known, Choice(UNKNOWN, UNKNOWN_LABEL))
    return columns


def _need(
    interest: Choice, order: int, respondents: Sequence[_Respondent], courses: Sequence[CourseSeats],
    columns: Mapping[str, tuple[Choice, ...]], group_size: int | None,
) -> InterestNeed:
    asking = [p for p in respondents if interest.id in _chosen(p.answers.get(INTERESTS))]
    tagged = [c for c in courses if interest.id in c.tags]
    offered = [c for c in tagged if c.status in SEAT_STATUSES]
    seated: frozenset[int] = frozenset().union(*(c.seated for c in tagged))
    waiting: frozenset[int] = frozenset().union(*(c.waiting for c in offered))
    askers = {p.contact_id for p in asking}
    group = max(1, group_size or max((c.capacity for c in offered), default=0) or DEFAULT_GROUP_SIZE)
    free = sum(max(0, c.capacity - len(c.seated)) for c in offered)
    unmet = len((askers | waiting) - seated)
    counts = {b: Counter(v for p in asking for v in p.values(b)) for b in BREAKDOWNS}
    texts = [" ".join(str(p.answers.get(OTHER_TEXT) or "").split()) for p in asking if interest.id == OTHER]
    return InterestNeed(
        interest=interest.id, label=interest.label, rank=order, asked=len(asking),
        seats=sum(c.capacity for c in offered), free=free, waiting=len(waiting), served=len(askers & seated),
        unmet=unmet, group=group, advice=advise(unmet, free, bool(offered), group),
        courses=tuple(c.code for c in offered),
        breakdowns={b: {c.id: counts[b][c.id] for c in columns[b]} for b in BREAKDOWNS},
        other_texts=tuple(t for t in texts if t),
    )


def summarise(
    people: Sequence[Person], courses: Sequence[CourseSeats], interests: Sequence[Choice],
    choices: Mapping[str, Sequence[Choice]], group_size: int | None = None,
) -> NeedsSummary:
    """The summary of ``people`` (everyone of the centres reported on) against ``courses``.

    ``interests``: the questionnaire's interest choices in its order; ``choices``: those of the
    breakdown questions (gender, …); ``group_size``: a group's worth for the advice, else the
    capacity of the interest's largest open or planned course, else ``DEFAULT_GROUP_SIZE``.
    """
    respondents = [_Respondent(p.contact_id, p.answers, p.settlement)
                   for p in people if p.answers is not None]
    columns = _columns(respondents, choices)
    listed = _with_unlisted(interests, (v for p in respondents for v in _chosen(p.answers.get(INTERESTS))))
    rows = [_need(interest, order, respondents, courses, columns, group_size)
            for order, interest in enumerate(listed)]
    ranked = sorted(rows, key=lambda r: (-r.asked, r.rank))
    return NeedsSummary(
        people=len(people), answered=len(respondents),
        interests=tuple(replace(row, rank=number) for number, row in enumerate(ranked, start=1)),
        columns=columns,
    )


def form_choices(form: Questionnaire | None) -> tuple[tuple[Choice, ...], dict[str, tuple[Choice, ...]]]:
    """The interest choices and the breakdown questions' choices of a questionnaire, labelled
    with their full texts (none without a questionnaire: the ids then label themselves)."""
    if form is None:
        return (), {}

    def of(question_id: str) -> tuple[Choice, ...]:
        try:
            question = form.question(question_id)
        except KeyError:
            return ()
        return tuple(Choice(c.id, c.label.full()) for c in form.choices_of(question))

    return of(INTERESTS), {b: of(b) for b in BREAKDOWNS if b != SETTLEMENT}
