"""Progress through a questionnaire whose conditions drop questions: the number never jumps
backwards, and the total never changes without having been shown as approximate."""

from __future__ import annotations

import itertools

import pytest

from flows.events import Msg
from flows.questionnaire.loader import load_questionnaire
from flows.questionnaire.schema import Questionnaire
from tests.flows.survey_forms import Talk, needs, question_reply

EXACT = "Question {n} of {total}"
ABOUT = "Question {n} of about {total}"

DROPS = """
id: drops
title: {kk: Сынақ, ru: Проверка}
thanks: {kk: Рақмет, ru: Спасибо}
questions:
  - id: consent
    type: yes_no
    label: {kk: Келісесіз бе, ru: Согласны}
  - id: kids
    type: yes_no
    label: {kk: Балаңыз бар ма, ru: Есть ли дети}
  - id: kids_count
    type: integer
    relevant: kids = 'yes'
    label: {kk: Неше бала, ru: Сколько детей}
  - id: help
    type: multi
    label: {kk: Не көмектеседі, ru: Что поможет}
    choices:
      - {id: transport, label: {kk: Көлік, ru: Транспорт}}
      - {id: childcare, label: {kk: Балаға қарау, ru: Присмотр за детьми}}
  - id: childcare_hours
    type: text
    relevant: help contains 'childcare' and kids = 'yes'
    label: {kk: Қай уақытта, ru: В какое время}
  - id: comment
    type: text
    required: false
    label: {kk: Пікір, ru: Комментарий}
"""


def form() -> Questionnaire:
    return load_questionnaire(DROPS, "drops.yaml")


def shown(talk: Talk) -> Msg:
    assert talk.last is not None
    line = question_reply(talk.last).body[0]
    assert isinstance(line, Msg) and line.key in (EXACT, ABOUT), line
    return line


def walk(answers: list[str], survey: Questionnaire | None = None) -> list[Msg]:
    talk = Talk(survey or form())
    talk.start()
    lines = [shown(talk)]
    for text in answers:
        talk.send(text)
        if talk.state is None or talk.state["stage"] != "flow":
            break
        lines.append(shown(talk))
    return lines


def test_a_question_dropped_by_its_condition_does_not_change_a_total_shown_as_exact() -> None:
    """The reported defect: «барлығы 6» became «барлығы 5» once "no children" dropped a question."""
    lines = walk(["да", "нет", "1", "пропустить"])
    assert [(m.key, m.params) for m in lines] == [
        (ABOUT, {"n": 1, "total": 6}),  # kids_count and childcare_hours may or may not be asked
        (ABOUT, {"n": 2, "total": 6}),
        (EXACT, {"n": 3, "total": 4}),  # "no children": neither conditional question is left
        (EXACT, {"n": 4, "total": 4}),
    ]


def test_the_total_becomes_exact_once_every_condition_ahead_is_decided() -> None:
    lines = walk(["да", "да", "2", "1 2", "утром", "пропустить"])
    assert [(m.key, m.params) for m in lines] == [
        (ABOUT, {"n": 1, "total": 6}),
        (ABOUT, {"n": 2, "total": 6}),
        (ABOUT, {"n": 3, "total": 6}),  # childcare_hours still waits on "help"
        (ABOUT, {"n": 4, "total": 6}),
        (EXACT, {"n": 5, "total": 6}),
        (EXACT, {"n": 6, "total": 6}),
    ]


def check_never_backwards(lines: list[Msg]) -> None:
    numbers = [m.params["n"] for m in lines]
    totals = [m.params["total"] for m in lines]
    assert numbers == list(range(1, len(lines) + 1)), "each question is one further"
    assert all(a >= b for a, b in itertools.pairwise(totals)), "the total never grows"
    exact = [m.key == EXACT for m in lines]
    assert exact == sorted(exact), "once exact, it stays exact"
    for line in lines:
        if line.key == EXACT:
            assert line.params["total"] == totals[-1] == len(lines), "an exact total is the true total"


@pytest.mark.parametrize("kids", ["да", "нет"])
@pytest.mark.parametrize("help_", ["1", "2", "1 2"])
def test_every_path_through_the_form_counts_forward_and_never_revises_an_exact_total(kids: str, help_: str) -> None:
    answers = ["да", kids, *(["3"] if kids == "да" else []), help_, "утром", "пропустить"]
    check_never_backwards(walk(answers))


def walk_by_id(survey: Questionnaire, answers: dict[str, str]) -> list[Msg]:
    """Answer each question by its id ("skip" for an optional one not listed), to the end."""
    talk = Talk(survey)
    talk.start()
    lines = [shown(talk)]
    while talk.state is not None and talk.state["stage"] == "flow":
        at = str(talk.at)
        assert at in answers or not survey.question(at).required, f"no answer for {at}"
        talk.send(answers.get(at, "пропустить"))
        if talk.state is not None and talk.state["stage"] == "flow":
            lines.append(shown(talk))
    return lines


@pytest.mark.parametrize("other", [False, True])
@pytest.mark.parametrize("childcare", [False, True])
def test_the_needs_survey_never_jumps_backwards_or_revises_an_exact_total(other: bool, childcare: bool) -> None:
    survey = needs()
    answers = {
        "consent": "да", "situation": "1", "gender": "2", "age_group": "62", "settlement": "Ақсу",
        "studied_before": "нет", "interests": "1 13" if other else "1 2", "interest_other": "шахматы",
        "hours_per_week": "2", "times": "1", "barriers": "3" if childcare else "1", "childcare_help": "да",
        "contact_channel": "1",
    }
    lines = walk_by_id(survey, answers)
    check_never_backwards(lines)
    conditional = sum(1 for q in survey.questions if q.relevant)
    assert len(lines) == sum(1 for q in survey.questions if q.answerable) - conditional + other + childcare


def test_back_shows_the_earlier_number_again() -> None:
    talk = Talk(form())
    talk.start()
    talk.send("да")
    talk.send("нет")
    assert shown(talk).params["n"] == 3
    talk.send("назад")
    assert shown(talk).params == {"n": 2, "total": 6} and shown(talk).key == ABOUT
