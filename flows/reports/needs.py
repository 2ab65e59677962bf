"""The needs summary (issue 17): what people asked to learn, who they are, set against the seats.

For each learning interest of the needs survey:

* ``asked``: people whose latest completed needs survey chose it (people who never completed
  one ask for nothing; they are counted apart, ``not_answered``). An exclusive choice of the
  interests question ("nothing for now") is no interest: those who chose it are counted apart
  too (``NeedsSummary.nothing``);
* breakdowns of those people by settlement (the ``MAX_SETTLEMENTS`` largest, the rest as
  ``other settlements``), gender, age group, situation, convenient times and barriers; a
  multiple-choice answer counts the person under each choice, an unanswered question under
  ``unknown``;
* per centre (a person's centre, a course's centre): ``seats``, the capacity of the centre's open
  and planned (draft) courses tagged with the interest, ``free`` the seats of those not held by a
  learner or an open offer, ``waiting`` the people on their waiting lists; ``served``, people of
  the centre who asked and already hold a seat on a course tagged with it (any course but a
  cancelled one, at any centre reported on: someone who took the course last term has been
  served); ``unmet``, the centre's people who asked, or those waiting for its seats, holding
  none: the demand still open; ``advice`` from ``flows.reports.needs_seats.advise``. One
  centre's free seats never answer another's demand: a village does not travel to the next
  district for a class;
* the interest's figures are the sums over the centres, its advice the most urgent of theirs
  (``URGENCY``), ``advice_at`` the centres it is for.

Interests are ranked by ``asked``, ties in the questionnaire's order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from flows.events import N_, Localized, Msg, Text
from flows.questionnaire.schema import Questionnaire
from flows.reports.needs_seats import SEAT_STATUSES, URGENCY, Advice, CentreNeed, CourseSeats, at_centre

INTERESTS = "interests"
OTHER = "other"
OTHER_TEXT = "interest_other"
SETTLEMENT = "settlement"
BREAKDOWNS = ("settlement", "gender", "age_group", "situation", "times", "barriers")
UNKNOWN = "unknown"
# Settlements shown one by one; typed by villagers, they can be thousands of spellings.
MAX_SETTLEMENTS = 50
OTHER_SETTLEMENTS = "other_settlements"
UNKNOWN_LABEL = Msg(N_("unknown"))
OTHER_SETTLEMENTS_LABEL = Msg(N_("other settlements"))


@dataclass(frozen=True)
class Person:
    """Someone of the centres reported on: their survey answers, None without a completed one."""

    contact_id: int
    answers: Mapping[str, Any] | None
    settlement: str | None = None  # as a facilitator's import gave it
    centre: str = ""  # the centre's slug


@dataclass(frozen=True)
class Choice:
    id: str
    label: Text
    exclusive: bool = False  # "nothing for now": cannot be chosen with another


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
    group: int  # the group size of the (first) centre the advice is for
    advice: Advice  # the most urgent of the centres'
    courses: tuple[str, ...]
    # breakdown → value id → people (every value of ``NeedsSummary.columns``, in its order)
    breakdowns: Mapping[str, Mapping[str, int]]
    other_texts: tuple[str, ...] = ()
    by_centre: tuple[CentreNeed, ...] = ()
    advice_at: tuple[str, ...] = ()  # the centres whose advice ``advice`` is


@dataclass(frozen=True)
class NeedsSummary:
    people: int
    answered: int
    interests: tuple[InterestNeed, ...]
    # breakdown → its values, in the order the tables show them (``unknown`` last)
    columns: Mapping[str, tuple[Choice, ...]] = field(default_factory=dict)
    # the exclusive interest choices ("nothing for now") and how many chose each
    nothing: tuple[tuple[Choice, int], ...] = ()
    centres: tuple[str, ...] = ()

    @property
    def not_answered(self) -> int:
        return self.people - self.answered


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
    centre: str

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
    """The largest settlements by respondents (most first), each shown as most of them spelt it,
    then ``other settlements`` for the rest."""
    spellings: dict[str, Counter[str]] = {}
    for person in respondents:
        key = person.settlement
        if key is not None:
            spellings.setdefault(key, Counter())[person.spelling()] += 1
    order = sorted(spellings, key=lambda k: (-sum(spellings[k].values()), k))
    shown = [Choice(k, Localized(s, s)) for k in order[:MAX_SETTLEMENTS]
             for s in [spellings[k].most_common(1)[0][0]]]
    if len(order) > MAX_SETTLEMENTS:
        shown.append(Choice(OTHER_SETTLEMENTS, OTHER_SETTLEMENTS_LABEL))
    return tuple(shown)


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
    columns: Mapping[str, tuple[Choice, ...]], centres: Sequence[str], group_size: int | None,
) -> InterestNeed:
    asking = [p for p in respondents if interest.id in _chosen(p.answers.get(INTERESTS))]
    tagged = [c for c in courses if interest.id in c.tags]
    seated: frozenset[int] = frozenset().union(*(c.seated for c in tagged))
    at = [at_centre(centre, {p.contact_id for p in asking if p.centre == centre}, tagged, seated, group_size)
          for centre in centres]
    urgent = min(at, key=lambda n: URGENCY.index(n.advice))
    shown = {b: {c.id for c in columns[b]} for b in BREAKDOWNS}
    counts = {b: Counter(v if v in shown[b] else OTHER_SETTLEMENTS for p in asking for v in p.values(b))
              for b in BREAKDOWNS}
    texts = [" ".join(str(p.answers.get(OTHER_TEXT) or "").split()) for p in asking if interest.id == OTHER]
    return InterestNeed(
        interest=interest.id, label=interest.label, rank=order, asked=len(asking),
        seats=sum(n.seats for n in at), free=sum(n.free for n in at), waiting=sum(n.waiting for n in at),
        served=sum(n.served for n in at), unmet=sum(n.unmet for n in at), group=urgent.group,
        advice=urgent.advice, courses=tuple(c.code for c in tagged if c.status in SEAT_STATUSES),
        breakdowns={b: {c.id: counts[b][c.id] for c in columns[b]} for b in BREAKDOWNS},
        other_texts=tuple(t for t in texts if t), by_centre=tuple(at),
        advice_at=tuple(n.centre for n in at if n.advice == urgent.advice),
    )


def summarise(
    people: Sequence[Person], courses: Sequence[CourseSeats], interests: Sequence[Choice],
    choices: Mapping[str, Sequence[Choice]], group_size: int | None = None,
) -> NeedsSummary:
    """The summary of ``people`` (everyone of the centres reported on) against ``courses``.

    ``interests``: the questionnaire's interest choices in its order (exclusive ones are counted
    apart); ``choices``: those of the breakdown questions (gender, …); ``group_size``: a group's
    worth for the advice, else the capacity of the centre's largest open or planned course of the
    interest, else ``DEFAULT_GROUP_SIZE``.
    """
    respondents = [_Respondent(p.contact_id, p.answers, p.settlement, p.centre)
                   for p in people if p.answers is not None]
    centres = sorted({p.centre for p in people} | {c.centre for c in courses}) or [""]
    columns = _columns(respondents, choices)
    nothing = [c for c in interests if c.exclusive]
    apart = {c.id for c in nothing}
    found = (v for p in respondents for v in _chosen(p.answers.get(INTERESTS)) if v not in apart)
    listed = _with_unlisted([c for c in interests if not c.exclusive], found)
    rows = [_need(interest, order, respondents, courses, columns, centres, group_size)
            for order, interest in enumerate(listed)]
    ranked = sorted(rows, key=lambda r: (-r.asked, r.rank))
    chose = Counter(v for p in respondents for v in _chosen(p.answers.get(INTERESTS)) if v in apart)
    return NeedsSummary(
        people=len(people), answered=len(respondents),
        interests=tuple(replace(row, rank=number) for number, row in enumerate(ranked, start=1)),
        columns=columns, nothing=tuple((c, chose[c.id]) for c in nothing), centres=tuple(centres),
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
        return tuple(Choice(c.id, c.label.full(), c.exclusive) for c in form.choices_of(question))

    return of(INTERESTS), {b: of(b) for b in BREAKDOWNS if b != SETTLEMENT}
