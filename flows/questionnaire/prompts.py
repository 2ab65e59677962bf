"""What a question looks like as a reply: progress, texts, choices with marks, its context.

The context names the run and the question (``survey:<run>:<question>``), so a button pressed
on an older message is recognised and never applied to the current question.
"""

from __future__ import annotations

from typing import Any

from flows.events import N_, Choice, Expects, Localized, Msg, Reply, Text
from flows.questionnaire.answers import DONE
from flows.questionnaire.expr import evaluate, parse_expression
from flows.questionnaire.progress import progress_line
from flows.questionnaire.schema import Published, Question, QuestionType
from flows.text import fold

YES = Localized(kk="Иә", ru="Да")
# Asks for the full text of a question that SMS says briefly (``sms:`` in the questionnaire).
MORE_WORDS = frozenset(fold(word) for word in ("толығырақ", "толық", "подробнее", "подробно", "more"))
NO = Localized(kk="Жоқ", ru="Нет")
EXPECTS: dict[QuestionType, Expects] = {
    "single": "choice", "yes_no": "choice", "multi": "choices", "integer": "number",
    "decimal": "number", "text": "text", "phone": "phone", "date": "date", "note": "none",
}
Data = dict[str, Any]


def context_of(data: Data) -> str:
    return f"survey:{data['run']}:{data['at']}"


def ask(
    published: Published, data: Data, question: Question, *, reason: Text | None = None, edit: bool = False
) -> Reply:
    """The question; with ``reason`` first, a re-prompt (no progress line); ``edit`` for toggles."""
    body: list[Text] = []
    if reason is not None:
        body.append(reason)
    elif not edit:
        body.append(progress_line(published.form, data["answers"], question.id))
    body.extend(texts(question))
    if not question.required:
        body.append(Msg(N_("You may skip this question: write \"skip\".")))
    previous = data["answers"].get(question.id)
    if previous is not None and question.type not in ("single", "multi", "yes_no") and reason is None:
        # Choices show an earlier answer as a mark; typed answers are repeated in words.
        body.append(Msg(N_("Your earlier answer: {answer}"), {"answer": str(previous)}))
    return Reply(
        body=tuple(body), choices=choices(published, data, question),
        expects=EXPECTS[question.type],
        context=context_of(data), edit=edit, request_phone=question.type == "phone",
        brief=reason is not None or answered_alike(published, data, question),
    )


def answered_alike(published: Published, data: Data, question: Question) -> bool:
    """An earlier question of this run was answered the same way (a number, several numbers):
    how to answer was said there, and channels that pay per character need not say it again."""
    form = published.form
    return any(EXPECTS[form.question(earlier).type] == EXPECTS[question.type]
               for earlier in data["history"] if earlier != question.id)


def choices(published: Published, data: Data, question: Question) -> tuple[Choice, ...]:
    previous = data["answers"].get(question.id)
    if question.type == "yes_no":
        return (Choice("yes", YES, previous == "yes"), Choice("no", NO, previous == "no"))
    if question.type == "single":
        return tuple(Choice(c.id, c.label.localized(), c.id == previous)
                     for c in published.form.choices_of(question))
    if question.type == "multi":
        pending = data.get("pending") or []
        options = tuple(Choice(c.id, c.label.localized(), c.id in pending)
                        for c in published.form.choices_of(question))
        return (*options, Choice(DONE, Msg(N_("Done: save my choices"))))
    return ()


def relevant(question: Question, answers: dict[str, Any]) -> bool:
    return question.relevant is None or evaluate(parse_expression(question.relevant), answers)


def more(question: Question, text: str) -> Reply | None:
    """«толығырақ» / «подробнее» typed at a question with a short SMS wording: its full text
    (and how to go back or stop, which the short first SMS leaves out); None otherwise."""
    if question.label.sms is None or fold(text) not in MORE_WORDS:
        return None
    body: list[Text] = [question.label.full()]
    if question.hint is not None:
        body.append(question.hint.full())
    body.append(Msg(N_("\"back\": the previous question, \"cancel\": stop.")))
    return Reply(body=tuple(body))


def texts(question: Question) -> tuple[Text, ...]:
    found: list[Text] = [question.label.localized()]
    if question.hint is not None:
        found.append(question.hint.localized())
    return tuple(found)
