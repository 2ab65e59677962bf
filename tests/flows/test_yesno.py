"""One set of yes/no words for the whole bot: a seat offer takes what a survey takes, and more."""

from __future__ import annotations

import datetime as dt

import pytest

from flows.courses.facts import MINE_KEY, AcceptOffer, DeclineOffer, EnrolmentInfo
from flows.courses.mine import offer_data
from flows.engine import step
from flows.events import ContactFacts, Facts, Inbound, Localized, State, Step
from flows.questionnaire.answers import Accepted, parse_answer
from flows.text import fold
from flows.yesno import NO_WORDS, YES_WORDS, yes_or_no
from tests.flows.standard import FLOWS
from tests.flows.survey_forms import every_type

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
OFFER = EnrolmentInfo(13, 3, Localized("Ағылшын тілі", "Английский язык"), "offered",
                      offer_deadline=NOW + dt.timedelta(hours=48))
FORM = every_type()
# What each answered before the two lists became one.
SURVEY_YES = ("иә", "ия", "ие", "иа", "йә", "әрине", "да", "конечно", "yes", "y", "ok", "ок")
SURVEY_NO = ("жоқ", "жок", "нет", "не", "no", "n")
OFFER_YES = ("иә", "ия", "ие", "иа", "да", "yes", "ok", "қабылдаймын", "келісемін", "согласен",
             "согласна", "принимаю", "принять", "accept")
OFFER_NO = ("жоқ", "жок", "нет", "no", "бас тартамын", "отказываюсь", "отказаться", "decline")


def answer_offer(text: str, language: str = "ru") -> Step:
    state: State = {"v": 1, "seq": 5, "ctx": "offer13", "stage": "flow", "flow": "my", "data": offer_data(13)}
    facts = Facts(contact=ContactFacts(1, language, False), extra={MINE_KEY: (OFFER,)})
    return step(state, Inbound("simulator", "sim:1", text=text), NOW, facts, FLOWS)


def survey_answer(text: str) -> object:
    outcome = parse_answer(FORM, FORM.question("consent"), text)
    assert isinstance(outcome, Accepted), f"{text!r} was rejected: {outcome}"
    return outcome.value


@pytest.mark.parametrize(("text", "language"), [("конечно", "ru"), ("Конечно!", "ru"), ("әрине", "kk"),
                                                ("йә", "kk")])
def test_a_seat_offer_is_accepted_with_a_word_a_survey_already_took(text: str, language: str) -> None:
    assert answer_offer(text, language).effects == (AcceptOffer(13),)


@pytest.mark.parametrize("text", ["не", "n"])
def test_a_seat_offer_is_declined_with_a_word_a_survey_already_took(text: str) -> None:
    assert answer_offer(text).effects == (DeclineOffer(13),)


@pytest.mark.parametrize("text", OFFER_YES)
def test_every_word_that_accepted_an_offer_still_does(text: str) -> None:
    assert answer_offer(text).effects == (AcceptOffer(13),)


@pytest.mark.parametrize("text", OFFER_NO)
def test_every_word_that_declined_an_offer_still_does(text: str) -> None:
    assert answer_offer(text).effects == (DeclineOffer(13),)


@pytest.mark.parametrize("text", SURVEY_YES + tuple(word.upper() for word in SURVEY_YES))
def test_the_survey_still_takes_every_yes_it_took(text: str) -> None:
    assert survey_answer(text) == "yes"


@pytest.mark.parametrize("text", SURVEY_NO + tuple(word.upper() for word in SURVEY_NO))
def test_the_survey_still_takes_every_no_it_took(text: str) -> None:
    assert survey_answer(text) == "no"


def test_the_survey_now_also_takes_the_offers_words() -> None:
    assert survey_answer("согласна") == "yes" and survey_answer("отказываюсь") == "no"


def test_one_set_for_both() -> None:
    assert set(SURVEY_YES) | set(OFFER_YES) == set(YES_WORDS)
    assert set(SURVEY_NO) | set(OFFER_NO) == set(NO_WORDS)
    assert not {fold(w) for w in YES_WORDS} & {fold(w) for w in NO_WORDS}


@pytest.mark.parametrize("text", ["1", "2", "0", "", "  ", "да нет", "возможно"])
def test_digits_and_other_text_are_neither(text: str) -> None:
    assert yes_or_no(text) is None
