"""Questionnaires for the survey tests: one with every question type, and the shipped default."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flows.engine import step
from flows.events import ContactFacts, Facts, Inbound, Msg, Reply, SetLanguage, State, Step
from flows.questionnaire.loader import load_questionnaire
from flows.questionnaire.schema import Published, Questionnaire
from tests.flows.standard import FLOWS

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

EVERY_TYPE = """
id: every
title: {kk: Барлық түрлер, ru: Все типы}
thanks: {kk: Рақмет!, ru: Спасибо!}
choice_lists:
  fruit:
    - {id: apple, label: {kk: Алма, ru: Яблоко}}
    - {id: pear, label: {kk: Алмұрт, ru: Груша}, aliases: [груша-дюшес]}
    - {id: plum, label: {kk: Өрік, ru: Слива}}
    - {id: none, label: {kk: Ешқайсысы, ru: Никакие}, exclusive: true}
questions:
  - id: consent
    type: yes_no
    label: {kk: "Келісесіз бе?", ru: "Вы согласны?"}
    end_if: consent = 'no'
    end_as: declined
    end_message: {kk: Түсіндім, ru: Понятно}
  - id: welcome
    type: note
    label: {kk: Бастаймыз, ru: Начинаем}
  - id: colour
    type: single
    label: {kk: Түс, ru: Цвет}
    choices:
      - {id: red, label: {kk: Қызыл, ru: Красный}}
      - {id: green, label: {kk: Жасыл, ru: Зелёный}}
      - {id: blue, label: {kk: Көк, ru: Синий}}
  - id: fruits
    type: multi
    choices: fruit
    min: 1
    max: 2
    label: {kk: Жемістер, ru: Фрукты}
  - id: age
    type: integer
    min: 16
    max: 99
    label: {kk: Жасыңыз, ru: Возраст}
    end_if: age > 90
    end_message: {kk: Сау болыңыз, ru: Всего доброго}
  - id: weight
    type: decimal
    min: 0.5
    max: 300
    label: {kk: Салмақ, ru: Вес}
    constraint: . != 100
    constraint_message: {kk: 100 болмайды, ru: Только не 100}
  - id: plum_reason
    type: text
    max_length: 20
    relevant: fruits contains 'plum' and colour in ('red', 'blue')
    label: {kk: "Неге өрік?", ru: "Почему слива?"}
  - id: phone
    type: phone
    required: false
    label: {kk: Телефон, ru: Телефон}
  - id: birthday
    type: date
    label: {kk: Туған күн, ru: День рождения}
    constraint: . < '2010-01-01'
    constraint_message: {kk: Тым жас, ru: Слишком молоды}
  - id: comment
    type: text
    required: false
    label: {kk: Пікір, ru: Комментарий}
"""


def every_type() -> Questionnaire:
    return load_questionnaire(EVERY_TYPE, "every.yaml")


def needs() -> Questionnaire:
    path = ROOT / "flows" / "questionnaires" / "needs.yaml"
    return load_questionnaire(path.read_text(encoding="utf-8"), str(path))


def survey_facts(
    form: Questionnaire, language: str | None = "ru", *, version: int = 1, **extra: object
) -> Facts:
    return Facts(
        contact=ContactFacts(7, language, False),
        extra={"survey.questionnaire": Published(form, version), **extra},
    )


class Talk:
    """Drives the pure engine as one villager: start the survey, then send texts or presses."""

    def __init__(self, form: Questionnaire, language: str = "ru", **extra: object) -> None:
        self.facts = survey_facts(form, language, **extra)
        self.state: State | None = {"seq": 1, "ctx": "menu", "stage": "menu", "flow": None, "data": None}
        self.last: Step | None = None
        self.effects: list[object] = []

    def send(self, text: str | None = None, **kwargs: object) -> Step:
        event = Inbound("simulator", "sim:7", text=text, **kwargs)  # type: ignore[arg-type]
        result = step(self.state, event, NOW, self.facts, FLOWS)
        self.state, self.last = result.state, result
        self.effects.extend(e for e in result.effects if not isinstance(e, SetLanguage))
        return result

    def start(self) -> Step:
        return self.send("1")

    @property
    def data(self) -> dict[str, object]:
        assert self.state is not None
        return self.state["data"] or {}

    @property
    def at(self) -> object:
        return self.data.get("at")


def keys(result: Step) -> list[str]:
    """Message ids and Russian data texts of every paragraph, in order."""
    out: list[str] = []
    for reply in result.replies:
        for part in reply.body:
            out.append(part.key if isinstance(part, Msg) else part.ru)
    return out


def question_reply(result: Step) -> Reply:
    return [r for r in result.replies if r.context and r.context.startswith("survey:")][-1]
