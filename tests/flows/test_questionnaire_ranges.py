"""Choices that stand for a range of numbers («18–29», «60 және одан үлкен»): an age typed as a
number selects its range, an option number stays an option number, a hyphen matches a dash."""

from __future__ import annotations

import pytest

from flows.errors import QuestionnaireError
from flows.events import Msg
from flows.questionnaire.answers import Accepted, Rejected, parse_answer
from flows.questionnaire.loader import load_questionnaire
from flows.questionnaire.schema import Questionnaire
from tests.flows.survey_forms import Talk, keys, needs

NEEDS = needs()


def parse(text: str, question_id: str = "age_group", form: Questionnaire = NEEDS) -> object:
    outcome = parse_answer(form, form.question(question_id), text)
    return outcome.value if isinstance(outcome, Accepted) else outcome


@pytest.mark.parametrize(("text", "expected"), [
    ("62", "age_60_plus"), ("60", "age_60_plus"), ("17", "under_18"), ("18", "age_18_29"),
    ("29", "age_18_29"), ("30", "age_30_44"), ("45", "age_45_59"), ("59", "age_45_59"),
    ("62.", "age_60_plus"), (" 62 ", "age_60_plus"), ("62 жас", "age_60_plus"), ("62 года", "age_60_plus"),
    ("мне 62", "age_60_plus"), ("Мен 62 жастамын", "age_60_plus"), ("12", "under_18"),
])
def test_an_age_typed_as_a_number_selects_its_range(text: str, expected: str) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("1", "under_18"), ("2", "age_18_29"), ("3", "age_30_44"), ("4", "age_45_59"), ("5", "age_60_plus"),
    ("3)", "age_30_44"),
])
def test_an_option_number_wins_over_a_range(text: str, expected: str) -> None:
    """1-5 are the numbers shown beside the choices: typed alone, they mean the option, so "5" is
    "60 and older" (not a five-year-old) and "3" is 30-44."""
    assert parse(text) == expected


def test_a_number_with_words_is_read_as_the_value_even_when_it_is_an_option_number() -> None:
    assert parse("5 жас") == "under_18"  # "5 years old" says what the number is


@pytest.mark.parametrize("text", ["200", "62 63", "сорок", "-5"])
def test_a_number_in_no_range_reprompts_saying_both_ways_to_answer(text: str) -> None:
    outcome = parse(text)
    assert isinstance(outcome, Rejected) and isinstance(outcome.reason, Msg)
    assert outcome.reason.key == "Send the number of your answer (1 to {count}) or the number itself, for example {example}."
    assert outcome.reason.params == {"count": 5, "example": 37}


def test_a_question_without_ranges_still_refuses_an_out_of_range_number() -> None:
    outcome = parse("62", "hours_per_week")
    assert isinstance(outcome, Rejected) and isinstance(outcome.reason, Msg)
    assert outcome.reason.key == "Send a number from 1 to {count}."


@pytest.mark.parametrize("text", ["3-5 сағат", "3 - 5 сағат", "3–5 сағат", "3—5 часов", "3-5 ЧАСОВ"])
def test_a_plain_hyphen_matches_an_en_dash_in_a_label(text: str) -> None:
    assert parse(text, "hours_per_week") == "h3_5"


def test_a_hyphen_matches_the_age_labels_without_aliases() -> None:
    form = load_questionnaire(AGES, "ages.yaml")
    assert parse("18-29", "age", form) == "a18_29"
    assert parse("60 и старше", "age", form) == "a60"


def test_the_age_question_of_the_shipped_survey_accepts_62_in_the_conversation() -> None:
    talk = Talk(NEEDS)
    talk.start()
    earlier = {"consent": "да", "situation": "1", "gender": "2"}
    while talk.at != "age_group":
        talk.send(earlier.get(str(talk.at), "пропустить"))
    asked = talk.at
    result = talk.send("62")
    assert (asked, talk.at) == ("age_group", NEEDS.questions[NEEDS.index("age_group") + 1].id)
    assert "Send a number from 1 to {count}." not in keys(result)
    answers = talk.data["answers"]
    assert isinstance(answers, dict) and answers["age_group"] == "age_60_plus"


AGES = """
id: ages
title: {kk: Жас, ru: Возраст}
thanks: {kk: Рақмет, ru: Спасибо}
questions:
  - id: age
    type: single
    label: {kk: "Жасыңыз нешеде?", ru: "Сколько вам лет?"}
    choices:
      - {id: a0_17, label: {kk: 18-ге дейін, ru: До 18}, range: [null, 17]}
      - {id: a18_29, label: {kk: 18–29, ru: 18–29}, range: [18, 29]}
      - {id: a30_59, label: {kk: 30–59, ru: 30–59}, range: [30, 59]}
      - {id: a60, label: {kk: 60 және одан үлкен, ru: 60 и старше}, range: [60, null]}
"""


def test_open_ended_ranges() -> None:
    form = load_questionnaire(AGES, "ages.yaml")
    assert parse("101", "age", form) == "a60" and parse("7", "age", form) == "a0_17"
    assert parse("0", "age", form) == "a0_17"


def problems(text: str) -> list[str]:
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(text, "bad.yaml")
    return [p.message for p in caught.value.problems]


def test_ranges_that_overlap_or_run_backwards_or_sit_on_a_multi_question_are_refused() -> None:
    overlapping = AGES.replace("range: [30, 59]", "range: [29, 59]")
    assert problems(overlapping) == ["the ranges of 'a18_29' and 'a30_59' overlap: 29 would fit both"]
    backwards = AGES.replace("range: [30, 59]", "range: [59, 30]")
    assert problems(backwards) == ["the range of 'a30_59' starts after it ends (59 > 30)"]
    multi = AGES.replace("type: single", "type: multi")
    assert problems(multi) == ["ranges apply to single-choice questions only"]
