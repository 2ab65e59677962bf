"""Invalid questionnaire files are refused with messages naming the file, line, question, problem."""

from __future__ import annotations

import pytest

from flows.questionnaire.loader import QuestionnaireError, load_questionnaire
from tests.flows.survey_forms import EVERY_TYPE, every_type, needs

HEAD = """id: sample
title: {kk: Сынақ, ru: Тест}
thanks: {kk: Рақмет, ru: Спасибо}
"""


def problems(text: str) -> list[str]:
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(text, "sample.yaml")
    return [str(problem) for problem in caught.value.problems]


def test_the_shipped_needs_survey_is_valid_and_complete() -> None:
    form = needs()
    answerable = [q for q in form.questions if q.answerable]
    assert 12 <= len(answerable) <= 15
    assert form.questions[0].id == "consent" and form.questions[0].end_as == "declined"
    interests = [c.id for c in form.choices_of(form.question("interests"))]
    assert interests == ["computer", "foreign_languages", "kazakh_language", "sewing", "carpentry", "health",
                         "entrepreneurship", "farming", "crafts", "cooking", "tour_guiding", "welding", "other"]
    situation = {c.id for c in form.choices_of(form.question("situation"))}
    assert situation == {"unemployed", "employed", "farmer", "entrepreneur", "pensioner", "student", "homemaker"}
    # Asked on its own, optional (it is not an occupation); the priority group reads "yes".
    disability = form.question("disability")
    assert (disability.type, disability.required, disability.relevant) == ("yes_no", False, None)
    assert {c.id for c in form.choices_of(form.question("times"))} == {"mornings", "afternoons", "evenings",
                                                                        "weekends"}
    barriers = {c.id for c in form.choices_of(form.question("barriers"))}
    assert {"cost", "distance", "childcare", "working_hours", "language", "health"} <= barriers
    assert {"telegram", "sms"} <= {c.id for c in form.choices_of(form.question("contact_channel"))}
    assert form.question("comment").required is False
    assert form.question("situation").type == "multi"


def test_every_text_of_the_needs_survey_is_kazakh_and_russian() -> None:
    form = needs()
    texts = [form.title, form.thanks, *(q.label for q in form.questions)]
    texts += [c.label for q in form.questions for c in form.choices_of(q)]
    kazakh_letters = set("әғқңөұүі")  # һ is rare: loanwords only
    for text in texts:
        assert text.kk != text.ru or text.kk.replace("–", "").isdigit() or text.kk[0].isdigit()
    assert kazakh_letters <= set("".join(t.kk.lower() for t in texts))


def test_a_missing_russian_label() -> None:
    text = HEAD + """questions:
  - id: first
    type: text
    label:
      kk: Бірінші
"""
    assert problems(text) == ["sample.yaml:8: question 'first': label.ru: the Russian text is missing"]


def test_an_empty_kazakh_text() -> None:
    text = HEAD + """questions:
  - id: first
    type: text
    label: {kk: "  ", ru: Первый}
"""
    assert problems(text) == ["sample.yaml:7: question 'first': label.kk: the Kazakh text is empty"]


def test_an_unknown_question_type() -> None:
    text = HEAD + """questions:
  - id: first
    type: slider
    label: {kk: Бір, ru: Один}
"""
    (problem,) = problems(text)
    assert problem.startswith("sample.yaml:6: question 'first': unknown question type 'slider'; use one of: single")


def test_a_condition_on_a_later_question() -> None:
    text = HEAD + """questions:
  - id: first
    type: text
    relevant: second = 'x'
    label: {kk: Бір, ru: Один}
  - id: second
    type: text
    label: {kk: Екі, ru: Два}
"""
    assert problems(text) == [
        "sample.yaml:7: question 'first': relevant refers to 'second', which comes later; "
        "only earlier answers are known"
    ]


def test_a_condition_on_an_unknown_question_or_on_itself() -> None:
    text = HEAD + """questions:
  - id: first
    type: integer
    label: {kk: Бір, ru: Один}
  - id: second
    type: text
    relevant: nowhere > 3 or second = 'x'
    label: {kk: Екі, ru: Два}
"""
    assert problems(text) == [
        "sample.yaml:10: question 'second': relevant refers to unknown question 'nowhere'",
        "sample.yaml:10: question 'second': relevant cannot refer to this question's own answer",
    ]


def test_a_condition_with_a_misspelt_choice_and_bad_syntax() -> None:
    text = HEAD + """questions:
  - id: colour
    type: single
    choices: [{id: red, label: {kk: Қызыл, ru: Красный}}]
    label: {kk: Бір, ru: Один}
  - id: second
    type: text
    relevant: colour = 'rde'
    label: {kk: Екі, ru: Два}
  - id: third
    type: text
    relevant: colour = = 'red'
    label: {kk: Үш, ru: Три}
"""
    assert problems(text) == [
        "sample.yaml:11: question 'second': relevant: 'rde' is not a choice of 'colour' (red)",
        "sample.yaml:15: question 'third': relevant: unexpected '=' at position 10 in \"colour = = 'red'\"",
    ]


def test_duplicate_choice_ids_in_a_list_and_inline() -> None:
    text = HEAD + """choice_lists:
  colours:
    - {id: red, label: {kk: Қызыл, ru: Красный}}
    - {id: red, label: {kk: Қызғылт, ru: Розовый}}
questions:
  - id: first
    type: single
    choices: colours
    label: {kk: Бір, ru: Один}
  - id: second
    type: multi
    choices:
      - {id: a, label: {kk: А, ru: А}}
      - {id: a, label: {kk: Ә, ru: Я}}
    label: {kk: Екі, ru: Два}
"""
    assert problems(text) == [
        "sample.yaml:7: choice list 'colours' has duplicate id 'red'",
        "sample.yaml:17: question 'second': choices has duplicate id 'a'",
    ]


def test_duplicate_question_ids_unknown_list_and_unknown_field() -> None:
    text = HEAD + """questions:
  - id: first
    type: single
    choices: nowhere
    label: {kk: Бір, ru: Один}
  - id: first
    type: text
    label: {kk: Екі, ru: Два}
"""
    assert problems(text) == [
        "sample.yaml:7: question 'first': unknown choice list 'nowhere'",
        "sample.yaml:9: question 'first': duplicate question id 'first'",
    ]
    typo = HEAD + """questions:
  - id: first
    type: text
    lable: {kk: Бір, ru: Один}
"""
    assert problems(typo) == [
        "sample.yaml:5: question 'first': label: is required",
        "sample.yaml:7: question 'first': unknown field 'lable'",
    ]


def test_type_specific_rules() -> None:
    text = HEAD + """questions:
  - id: first
    type: single
    label: {kk: Бір, ru: Один}
  - id: second
    type: integer
    min: 10
    max: 5
    label: {kk: Екі, ru: Два}
  - id: third
    type: text
    constraint: . != 'x'
    label: {kk: Үш, ru: Три}
"""
    assert problems(text) == [
        "sample.yaml:5: question 'first': a single question needs choices (a list name or a list)",
        "sample.yaml:8: question 'second': min (10) is greater than max (5)",
        "sample.yaml:13: question 'third': a constraint needs a constraint_message saying what is expected",
    ]


def test_not_yaml_and_not_a_mapping() -> None:
    assert problems("id: [unclosed\n") == ["sample.yaml:2: not valid YAML: expected ',' or ']', but got '<stream end>'"]
    assert problems("- just\n- a list\n") == ["sample.yaml:1: expected a mapping with id, title, questions"]


def test_the_every_type_fixture_is_valid() -> None:
    assert len(every_type().questions) == EVERY_TYPE.count("  - id:")


def test_a_question_that_fails_the_schema_is_still_known_to_the_checks_across_questions() -> None:
    """Every problem in one run, and none invented: a reference to a broken question is not
    "unknown", a broken choice keeps the others checked for duplicates."""
    text = HEAD + """questions:
  - id: works
    type: yes_no
    label: {kk: Жұмыс, ru: Работа}
    label: {kk: Жұмыс, ru: Работа}
  - id: broken
    type: single
    choices:
      - {id: a, label: {kk: А}}
      - {id: a, label: {kk: Ә, ru: Я}}
      - {id: Bad Id, label: {kk: Б, ru: Б}}
    label: {kk: Сынық}
  - id: after
    type: text
    relevant: broken = 'a' and works = 'maybe'
    constraint: . = = 3
    constraint_message: {kk: Қате, ru: Ошибка}
    label: {kk: Кейін, ru: После}
"""
    assert problems(text) == [
        "sample.yaml:8: question 'works': label is given twice; only the last one counts",
        "sample.yaml:12: question 'broken': choices.0.label.ru: the Russian text is missing",
        "sample.yaml:13: question 'broken': choices has duplicate id 'a'",
        "sample.yaml:14: question 'broken': choices.2.id: choice id 'Bad Id' must use only a-z, 0-9 and _ (at most 24)",
        "sample.yaml:15: question 'broken': label.ru: the Russian text is missing",
        "sample.yaml:18: question 'after': relevant: 'maybe' is not a choice of 'works' (no, yes)",
        "sample.yaml:19: question 'after': constraint: unexpected '=' at position 5 in '. = = 3'",
    ]
