"""Where a person is in a questionnaire: «5-сұрақ (барлығы 12)», or «…шамамен 14» while unsure.

A ``relevant`` condition can drop a question once an earlier answer is known, so the number of
questions left is not always known in advance. Saying "of 14" and later "of 13" looked like a
mistake to villagers, so:

- the number is this question's place among the questions actually asked: one more at each
  step forward, never less (only "back" shows an earlier number, with the earlier question);
- the total counts the questions that can still be asked (a condition already settled false
  drops its question at once), and is said to be approximate ("of about 14") as long as a
  condition ahead still waits on an answer. Once every condition ahead is settled the total is
  exact, and an exact total never changes while going forward.

Conditions are settled three-valued, as ``and`` / ``or`` short-circuit:
``kids = 'yes' and help contains 'childcare'`` is false as soon as ``kids`` is "no".
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from flows.events import N_, Msg
from flows.questionnaire.expr import CURRENT, BoolOp, Node, Not, evaluate, parse_expression, references
from flows.questionnaire.schema import Question, Questionnaire


@dataclass(frozen=True)
class Progress:
    number: int  # this question's place among those asked, 1-based
    total: int  # questions that can still be asked, those before included
    exact: bool  # False while a condition ahead still waits on an answer


def progress(form: Questionnaire, answers: Mapping[str, Any], at: str) -> Progress:
    position = form.index(at)
    earlier = form.questions[:position]
    number = 1 + sum(1 for q in earlier if q.answerable and _asked(q, answers))
    # The current answer may still change; answers past it (kept after "back") count as given.
    known = {q.id for q in earlier} | (set(answers) - {at})
    later = 0
    exact = True
    for question in form.questions[position + 1:]:
        if not question.answerable:
            continue
        settled = True if question.relevant is None else decided(
            parse_expression(question.relevant), answers, known)
        if settled is None:
            exact = False
        if settled is not False:
            later += 1
    return Progress(number, number + later, exact)


def progress_line(form: Questionnaire, answers: Mapping[str, Any], at: str) -> Msg:
    """The line above a question, «Вопрос 5 из 12» or «Вопрос 5 (всего около 14)»."""
    where = progress(form, answers, at)
    key = N_("Question {n} of {total}") if where.exact else N_("Question {n} of about {total}")
    return Msg(key, {"n": where.number, "total": where.total})


def decided(node: Node, answers: Mapping[str, Any], known: Collection[str]) -> bool | None:
    """The expression's value if the answers in ``known`` already settle it, else None."""
    if isinstance(node, Not):
        inner = decided(node.operand, answers, known)
        return None if inner is None else not inner
    if isinstance(node, BoolOp):
        values = [decided(operand, answers, known) for operand in node.operands]
        settles = node.op == "or"  # one True settles an "or", one False an "and"
        if settles in values:
            return settles
        return None if None in values else not settles
    if all(name in known for name in references(node) - {CURRENT}):  # no copy of known: it is long
        return evaluate(node, answers)
    return None


def _asked(question: Question, answers: Mapping[str, Any]) -> bool:
    return question.relevant is None or evaluate(parse_expression(question.relevant), answers)
