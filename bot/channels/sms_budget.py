"""What each question of a questionnaire costs over SMS, in each language, before anyone pays.

Every question is rendered exactly as the SMS channel would send it on a walk through the
questionnaire: the first one together with the title, the introduction and how to go back
(they travel in one SMS), each later one after all the questions before it (so how to answer
is said only where it is said in a real run), without transliteration (Cyrillic, UCS-2).
``clc-admin questionnaire validate`` reports these counts and refuses a question over budget.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from bot.channels.sms_render import render_sms
from bot.channels.sms_segments import SegmentCount
from bot.i18n import Catalogs
from flows.events import LANGUAGES, ContactFacts, Facts, Inbound, Reply
from flows.questionnaire.prompts import ask
from flows.questionnaire.runner import FACT_QUESTIONNAIRE, SURVEY
from flows.questionnaire.schema import Published, Questionnaire

DEFAULT_BUDGET = 2  # segments per SMS a centre should pay for one question
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class QuestionCost:
    question: str
    counts: dict[str, SegmentCount]  # by language

    def over(self, budget: int) -> bool:
        return any(count.segments > budget for count in self.counts.values())


def question_costs(form: Questionnaire, catalogs: Catalogs) -> list[QuestionCost]:
    """Each answerable question's SMS, as sent on a walk through ``form``, in kk and ru."""
    published = Published(form, 1)
    costs: list[QuestionCost] = []
    history: list[str] = []
    for question in form.questions:
        if not question.answerable:
            continue
        if not history:
            replies = _first_step(published)
        else:
            data: dict[str, Any] = {"run": "0-1", "at": question.id, "answers": {}, "history": list(history),
                                    "pending": []}
            replies = (ask(published, data, question),)
        counts = {language: _cost(replies, catalogs, language) for language in LANGUAGES}
        costs.append(QuestionCost(question.id, counts))
        history.append(question.id)
    return costs


def _first_step(published: Published) -> tuple[Reply, ...]:
    """The survey's first SMS, from the survey flow itself (title, introduction, question 1)."""
    facts = Facts(ContactFacts(contact_id=0, language="kk", is_new=False),
                  extra={FACT_QUESTIONNAIRE: published})
    event = Inbound("sms", "budget")
    return SURVEY.flow.start(event, EPOCH, facts).replies  # starting reads no clock


def _cost(replies: tuple[Reply, ...], catalogs: Catalogs, language: str) -> SegmentCount:
    bodies = render_sms(replies, catalogs.translator(language))
    units = sum(body.count.units for body in bodies)
    segments = sum(body.count.segments for body in bodies)
    return SegmentCount(bodies[0].count.encoding, units, segments)
