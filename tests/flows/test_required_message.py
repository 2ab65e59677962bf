"""A required question's own message when someone tries to skip it (XLSForm's required_message)."""

from __future__ import annotations

import pytest

from flows.errors import QuestionnaireError
from flows.questionnaire.loader import load_questionnaire
from tests.flows.survey_forms import Talk, keys

FORM = """
id: req
title: {kk: Сынақ, ru: Тест}
thanks: {kk: Рақмет, ru: Спасибо}
questions:
  - id: village
    type: text
    label: {kk: "Ауылыңыз?", ru: "Ваше село?"}
    required_message: {kk: Ауылдың атын жазыңыз, ru: Напишите название села}
  - id: age
    type: integer
    label: {kk: "Жасыңыз?", ru: "Ваш возраст?"}
"""


def test_skipping_a_required_question_says_its_own_message_or_the_usual_one() -> None:
    talk = Talk(load_questionnaire(FORM, "req.yaml"))
    talk.start()
    assert keys(talk.send("skip"))[0] == "Напишите название села" and talk.at == "village"
    talk.send("Ақсу")
    assert keys(talk.send("skip"))[0] == "This question cannot be skipped." and talk.at == "age"


def test_a_required_message_on_an_optional_question_is_refused() -> None:
    with pytest.raises(QuestionnaireError, match="required_message applies to required questions only"):
        load_questionnaire(FORM.replace("    required_message:", "    required: false\n    required_message:"),
                           "req.yaml")
