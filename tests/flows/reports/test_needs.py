"""The needs summary's figures, against numbers counted by hand from a few people."""

from __future__ import annotations

import pytest

from flows.events import Localized
from flows.reports.needs import (
    MAX_SETTLEMENTS,
    OTHER_SETTLEMENTS,
    UNKNOWN,
    UNKNOWN_LABEL,
    Choice,
    InterestNeed,
    NeedsSummary,
    Person,
    form_choices,
    summarise,
)
from flows.reports.needs_seats import Advice, CourseSeats, advise
from tests.flows.survey_forms import needs

AIGUL, DANA, BOLAT, ERLAN, SILENT, NEVER = 1, 2, 3, 4, 5, 6
PEOPLE = [
    Person(AIGUL, {"gender": "female", "age_group": "age_18_29", "situation": ["unemployed"],
                   "settlement": "Ақсу", "interests": ["computer", "sewing"], "times": ["evenings"],
                   "barriers": ["childcare", "cost"]}),
    Person(DANA, {"gender": "female", "age_group": "age_30_44", "situation": ["employed"],
                  "settlement": " ақсу  ", "interests": ["computer"], "times": ["evenings", "weekends"],
                  "barriers": ["working_hours"]}, settlement="Қарасу"),
    # No settlement answered: the imported one counts.
    Person(BOLAT, {"gender": "male", "age_group": "age_60_plus", "situation": ["pensioner", "farmer"],
                   "interests": ["computer", "other"], "interest_other": " Бал ара  өсіру ",
                   "times": ["mornings"], "barriers": ["nothing"]}, settlement="Жаңа  Жол"),
    Person(ERLAN, {"gender": "male", "age_group": "age_45_59", "situation": ["unemployed"],
                   "settlement": "Қарасу", "interests": ["welding"], "times": []}),
    Person(SILENT, None, settlement="Ақсу"),
    Person(NEVER, None),
]
COURSES = [
    # Full: Dana and someone from elsewhere hold the two seats; Aigul and another wait.
    CourseSeats("computer-1", "open", ("computer",), 2, frozenset({DANA, 100}), frozenset({AIGUL, 101})),
    CourseSeats("sewing-1", "draft", ("sewing",), 10),
    # Bolat took it last term: served, but its seats are gone.
    CourseSeats("computer-0", "finished", ("computer",), 5, frozenset({BOLAT})),
]


def summary(**kwargs: int) -> NeedsSummary:
    interests, choices = form_choices(needs())
    return summarise(PEOPLE, COURSES, interests, choices, **kwargs)


def row(result: NeedsSummary, interest: str) -> InterestNeed:
    return next(r for r in result.interests if r.interest == interest)


def test_asked_seats_waiting_and_advice_per_interest() -> None:
    result = summary()
    assert (result.people, result.answered, result.not_answered) == (6, 4, 2)
    figures = {r.interest: (r.rank, r.asked, r.seats, r.free, r.waiting, r.served, r.unmet, r.advice)
               for r in result.interests}
    # computer: Aigul, Dana, Bolat asked; Dana and Bolat hold seats; Aigul and 101 still want
    # one, no seat is free: two short, a group (2 seats) or more → another group.
    assert figures["computer"] == (1, 3, 2, 0, 2, 2, 2, "open_group")
    assert figures["sewing"] == (2, 1, 10, 10, 0, 0, 1, "invite")
    assert figures["welding"] == (3, 1, 0, 0, 0, 0, 1, "gather")
    assert figures["other"] == (4, 1, 0, 0, 0, 0, 1, "gather")
    # Nobody asked: the questionnaire's order.
    assert [r.interest for r in result.interests[4:7]] == ["foreign_languages", "kazakh_language", "carpentry"]
    assert figures["carpentry"][1:] == (0, 0, 0, 0, 0, 0, "none")
    assert row(result, "computer").courses == ("computer-1",)
    assert row(result, "computer").label == Localized("Компьютер сауаттылығы", "Компьютерная грамотность")


def test_breakdowns_count_each_choice_and_unknown() -> None:
    result = summary()
    computer = row(result, "computer").breakdowns
    assert [c.id for c in result.columns["settlement"]] == ["ақсу", "жаңа жол", "қарасу", UNKNOWN]
    assert [c.label for c in result.columns["settlement"]][:3] == [
        Localized("Ақсу", "Ақсу"), Localized("Жаңа Жол", "Жаңа Жол"), Localized("Қарасу", "Қарасу")]
    assert result.columns["gender"][-1].label == UNKNOWN_LABEL
    assert computer["settlement"] == {"ақсу": 2, "жаңа жол": 1, "қарасу": 0, UNKNOWN: 0}
    assert computer["gender"] == {"female": 2, "male": 1, UNKNOWN: 0}
    assert computer["age_group"] == {"under_18": 0, "age_18_29": 1, "age_30_44": 1, "age_45_59": 0,
                                     "age_60_plus": 1, UNKNOWN: 0}
    assert {k: v for k, v in computer["situation"].items() if v} == {
        "unemployed": 1, "employed": 1, "farmer": 1, "pensioner": 1}
    assert {k: v for k, v in computer["times"].items() if v} == {"evenings": 2, "weekends": 1, "mornings": 1}
    assert {k: v for k, v in computer["barriers"].items() if v} == {
        "childcare": 1, "cost": 1, "working_hours": 1, "nothing": 1}
    welding = row(result, "welding").breakdowns
    assert welding["times"][UNKNOWN] == 1 and welding["barriers"][UNKNOWN] == 1
    assert welding["settlement"]["қарасу"] == 1


def test_other_interests_keep_their_texts() -> None:
    assert row(summary(), "other").other_texts == ("Бал ара өсіру",)
    assert row(summary(), "computer").other_texts == ()


def test_a_given_group_size_changes_the_advice() -> None:
    result = summary(group_size=1)
    assert row(result, "welding").advice == "plan_first"
    assert row(result, "computer").advice == "open_group"
    assert row(summary(group_size=3), "computer").advice == "add_seats"


def test_answers_of_an_older_version_still_count() -> None:
    people = [Person(1, {"interests": ["knitting"], "gender": "other"})]
    result = summarise(people, [], *form_choices(needs()))
    knitting = row(result, "knitting")
    assert (knitting.rank, knitting.asked, knitting.label) == (1, 1, Localized("knitting", "knitting"))
    assert [c.id for c in result.columns["gender"]] == ["female", "male", "other", UNKNOWN]
    assert knitting.breakdowns["settlement"] == {UNKNOWN: 1}


def test_without_a_questionnaire_the_ids_label_themselves() -> None:
    result = summarise(PEOPLE[:1], [], *form_choices(None))
    assert [r.interest for r in result.interests] == ["computer", "sewing"]
    assert [c.id for c in result.columns["gender"]] == ["female", UNKNOWN]


@pytest.mark.parametrize(("unmet", "free", "course", "advice"), [
    (12, 2, True, "open_group"),  # 10 short: a group
    (11, 2, True, "add_seats"),
    (2, 2, True, "invite"),
    (0, 5, True, "enough"),
    (10, 0, False, "plan_first"),
    (9, 0, False, "gather"),
    (0, 0, False, "none"),
])
def test_the_advice_rule(unmet: int, free: int, course: bool, advice: Advice) -> None:
    assert advise(unmet, free, course, group=10) == advice


def exclusive_form() -> tuple[tuple[Choice, ...], dict[str, tuple[Choice, ...]]]:
    interests, choices = form_choices(needs())
    nothing_now = Choice("nothing_now", Localized("Әзірге ештеңе", "Пока ничего"), exclusive=True)
    return (*interests, nothing_now), choices


def test_nothing_for_now_is_counted_apart_not_ranked_as_an_interest() -> None:
    # Twelve people want nothing for now, one wants computers: no course to plan for the twelve.
    people = [Person(n, {"interests": ["nothing_now"]}) for n in range(12)]
    people.append(Person(99, {"interests": ["computer"]}))
    result = summarise(people, [], *exclusive_form())
    assert "nothing_now" not in {r.interest for r in result.interests}
    assert (result.interests[0].interest, result.interests[0].asked) == ("computer", 1)
    assert [(c.id, n) for c, n in result.nothing] == [("nothing_now", 12)]
    assert result.answered == 13
    assert all(r.advice != "plan_first" for r in result.interests)


def test_the_questionnaires_exclusive_choices_are_marked() -> None:
    _, choices = form_choices(needs())
    assert [c.id for c in choices["barriers"] if c.exclusive] == ["nothing"]


def test_one_centres_free_seats_do_not_answer_anothers_demand() -> None:
    # aksu: 12 want computers, no free seat; kyzyl: nobody asks, 20 free seats.
    people = [Person(n, {"interests": ["computer"]}, centre="aksu") for n in range(12)]
    people.append(Person(50, {"interests": ["sewing"]}, centre="kyzyl"))
    courses = [CourseSeats("aksu/computer-1", "open", ("computer",), 10, frozenset(range(100, 110)),
                           centre="aksu"),
               CourseSeats("kyzyl/computer-1", "open", ("computer",), 20, centre="kyzyl")]
    result = summarise(people, courses, *form_choices(needs()))
    computer = row(result, "computer")
    assert [(n.centre, n.asked, n.free, n.unmet, n.advice) for n in computer.by_centre] == [
        ("aksu", 12, 0, 12, "open_group"), ("kyzyl", 0, 20, 0, "enough")]
    # The sums, and the most urgent advice, with the centre it is for.
    assert (computer.asked, computer.seats, computer.free, computer.unmet) == (12, 30, 20, 12)
    assert (computer.advice, computer.advice_at, computer.group) == ("open_group", ("aksu",), 10)
    assert result.centres == ("aksu", "kyzyl")
    sewing = row(result, "sewing")
    assert (sewing.advice, sewing.advice_at) == ("gather", ("kyzyl",))


def test_the_largest_settlements_then_the_others_together() -> None:
    people = [Person(n, {"interests": ["computer"], "settlement": f"Ауыл {n:03}"}) for n in range(60)]
    people += [Person(100 + n, {"interests": ["computer"], "settlement": "Ақсу"}) for n in range(3)]
    result = summarise(people, [], *form_choices(needs()))
    columns = [c.id for c in result.columns["settlement"]]
    assert len(columns) == MAX_SETTLEMENTS + 2 and columns[0] == "ақсу"
    assert columns[-2:] == [OTHER_SETTLEMENTS, UNKNOWN]
    counts = row(result, "computer").breakdowns["settlement"]
    # 49 of the 60 single villages are shown; the other 11 are counted together.
    assert (counts["ақсу"], counts[OTHER_SETTLEMENTS], sum(counts.values())) == (3, 11, 63)
