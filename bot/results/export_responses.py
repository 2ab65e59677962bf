"""Survey runs as table rows: the wide layout (a row per run) and the long one (a row per answer).

Wide: the run's own columns, then one column per question that any exported version asked,
in the newest version's order (a question only older versions asked stands after the question
it followed there). A multiple choice becomes one 0/1 column per option any version offered,
as KoBoToolbox and ODK export ``select_multiple``: 1 chosen, 0 offered and not chosen, empty
where the run's version did not ask the question or offer the option, or it was not answered.
JSON keeps one key per multiple choice instead, with the list of chosen labels.

Choice labels are in the chosen language, as the run's own version worded them; headers are
the newest wording. Dates and times are in the centre's time zone.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import Translator
from bot.results.tables import Cell, CellKind, Column
from flows.events import N_, Msg
from flows.questionnaire.schema import ChoiceDef, Question, Questionnaire, QuestionType
from storage.reports.exports import AnswerRow, RunRow

HEADER_CHARS = 60
YES_NO = {"yes": N_("Yes"), "no": N_("No")}
KINDS: dict[str, CellKind] = {"integer": "number", "decimal": "number", "date": "date"}  # else text
# Free text may hold anything (a name, a phone number), so --pseudonymize replaces it too; in
# the long layout so does every typed text, and an answer to a question its version does not ask.
PRIVATE_TYPES = frozenset({"text", "phone"})
Pseudonym = Callable[[str | None], str | None]


@dataclass(frozen=True)
class Asked:
    """A question as the columns show it: the newest wording, every option any version offered."""

    id: str
    type: QuestionType
    label: str
    options: tuple[tuple[str, str], ...]  # (choice id, label)


def _merge(orders: Sequence[Sequence[str]]) -> list[str]:
    """The first (newest) order, with each id only a later list has put after its predecessor there."""
    merged: list[str] = []
    for order in orders:
        for index, item in enumerate(order):
            if item in merged:
                continue
            before = next((order[i] for i in range(index - 1, -1, -1) if order[i] in merged), None)
            merged.insert(merged.index(before) + 1 if before is not None else 0, item)
    return merged


def _short(text: str) -> str:
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= HEADER_CHARS else flat[: HEADER_CHARS - 1].rstrip() + "…"


def asked_questions(forms: Mapping[int, Questionnaire], language: str) -> list[Asked]:
    """The questions of every version (newest first decides order and wording)."""
    newest_first = [forms[number] for number in sorted(forms, reverse=True)]
    latest: dict[str, tuple[Questionnaire, Question]] = {}
    for form in newest_first:
        for question in form.questions:
            if question.answerable:
                latest.setdefault(question.id, (form, question))
    ids = _merge([[q.id for q in form.questions if q.answerable] for form in newest_first])
    found = []
    for question_id in ids:
        form, question = latest[question_id]
        labels: dict[str, str] = {}
        orders = []
        for each in newest_first:
            if any(q.id == question_id for q in each.questions):
                choices = each.choices_of(each.question(question_id))
                orders.append([c.id for c in choices])
                for choice in choices:
                    labels.setdefault(choice.id, choice.label.full().get(language))
        options = tuple((choice_id, labels[choice_id]) for choice_id in _merge(orders))
        found.append(Asked(question_id, question.type, _short(question.label.full().get(language)), options))
    return found


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _local(when: dt.datetime | None, zone: str) -> dt.datetime | None:
    return None if when is None else when.astimezone(_zone(zone))


def _ids(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(item) for item in value] if isinstance(value, list | tuple) else [str(value)]


class ResponseTable:
    """Columns and rows of runs of one questionnaire's versions, in one language."""

    def __init__(
        self, forms: Mapping[int, Questionnaire], translator: Translator, *, long: bool = False,
        lists: bool = False, pseudonym: Pseudonym | None = None,
    ) -> None:
        self.forms = forms
        self.tr = translator
        self.long = long
        self.lists = lists  # JSON: a multiple choice as one list of labels, not 0/1 columns
        self.pseudonym = pseudonym
        self.asked = asked_questions(forms, translator.language)
        self.columns = self._long_columns() if long else self._wide_columns()

    def _header(self, key: str) -> str:
        return self.tr.text(Msg(key))

    def _run_columns(self) -> list[Column]:
        return [
            Column("run_id", self._header(N_("Run ID")), "number"),
            Column("contact_id", self._header(N_("Contact ID")), "number"),
            Column("centre", self._header(N_("Centre"))),
            Column("channel", self._header(N_("Channel")), width=10),
            Column("started", self._header(N_("Started")), "datetime"),
            Column("finished", self._header(N_("Finished")), "datetime"),
            Column("version", self._header(N_("Questionnaire version")), "number"),
            Column("status", self._header(N_("Run status")), width=12),
        ]

    def _wide_columns(self) -> list[Column]:
        columns = self._run_columns()
        for asked in self.asked:
            if asked.type == "multi" and not self.lists:
                columns += [Column(f"{asked.id}/{choice_id}", f"{asked.label}: {label}", "number", width=14)
                            for choice_id, label in asked.options]
            else:
                kind = KINDS.get(asked.type, "text")
                columns.append(Column(asked.id, asked.label, kind, width=24 if kind == "text" else 14))
        return columns

    def _long_columns(self) -> list[Column]:
        run = self._run_columns()
        return [run[0], run[1], run[2], run[6],
                Column("question_id", self._header(N_("Question ID")), width=16),
                Column("question", self._header(N_("Question")), width=40),
                Column("value", self._header(N_("Answer code")), width=20),
                Column("label", self._header(N_("Answer")), width=30),
                Column("raw_text", self._header(N_("Typed text")), width=24),
                Column("answered_at", self._header(N_("Answered at")), "datetime")]

    def rows(self, run: RunRow) -> Iterator[list[Cell]]:
        if self.long:
            yield from self._long_rows(run)
        else:
            yield self._wide_row(run)

    def _head(self, run: RunRow) -> list[Cell]:
        zone = run.where.timezone
        return [run.id, run.contact_id, run.where.centre, run.channel, _local(run.started_at, zone),
                _local(run.finished_at, zone), run.version, run.status]

    def _question(self, run: RunRow, question_id: str) -> tuple[Questionnaire, Question] | None:
        form = self.forms.get(run.version)
        if form is None:
            return None
        for question in form.questions:
            if question.id == question_id:
                return form, question
        return None

    def _label(self, form: Questionnaire, question: Question, choice_id: str) -> str:
        if question.type == "yes_no" and choice_id in YES_NO:
            return self.tr.text(Msg(YES_NO[choice_id]))
        choices: Sequence[ChoiceDef] = form.choices_of(question)
        return next((c.label.full().get(self.tr.language) for c in choices if c.id == choice_id), choice_id)

    def _private(self, asked_type: str, text: str | None) -> str | None:
        if self.pseudonym is not None and asked_type in PRIVATE_TYPES:
            return self.pseudonym(text)
        return text

    def _value(self, asked: Asked, form: Questionnaire, question: Question, value: Any) -> Cell:
        if asked.type in ("single", "yes_no", "multi"):
            labels = [self._label(form, question, choice_id) for choice_id in _ids(value)]
            return labels if asked.type == "multi" or len(labels) != 1 else labels[0]
        if asked.type == "date" and isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                return value
        if isinstance(value, int | float | str) or value is None:
            return self._private(asked.type, value) if isinstance(value, str) else value
        return str(value)

    def _wide_row(self, run: RunRow) -> list[Cell]:
        row = self._head(run)
        answers = {answer.question_id: answer.value for answer in run.answers}
        for asked in self.asked:
            found = self._question(run, asked.id)
            if asked.type == "multi" and not self.lists:
                row += self._flags(asked, found, answers.get(asked.id), asked.id in answers)
                continue
            if found is None or asked.id not in answers:
                row.append(None)
                continue
            row.append(self._value(asked, found[0], found[1], answers[asked.id]))
        return row

    def _flags(self, asked: Asked, found: tuple[Questionnaire, Question] | None, value: Any,
               answered: bool) -> list[Cell]:
        if found is None or not answered:
            return [None] * len(asked.options)
        offered = {c.id for c in found[0].choices_of(found[1])}
        chosen = set(_ids(value))
        return [(1 if choice_id in chosen else 0) if choice_id in offered else None
                for choice_id, _ in asked.options]

    def _long_rows(self, run: RunRow) -> Iterator[list[Cell]]:
        by_id = {asked.id: asked for asked in self.asked}
        for answer in run.answers:
            asked = by_id.get(answer.question_id)
            found = self._question(run, answer.question_id)
            if asked is None or found is None:  # not asked by its version: nothing says what it holds
                yield self._long_row(run, answer, answer.question_id, self._unknown(answer.value), None)
                continue
            form, question = found
            code: Cell
            if asked.type in ("single", "yes_no", "multi"):
                ids = _ids(answer.value)
                code = ids if self.lists and asked.type == "multi" else " ".join(ids)
                label = self._value(asked, form, question, answer.value)
            else:
                code, label = self._value(asked, form, question, answer.value), None
            wording = _short(question.label.full().get(self.tr.language))
            yield self._long_row(run, answer, wording, code, label)

    def _unknown(self, value: Any) -> Cell:
        """An answer to a question the run's version does not ask, as stored; private when asked."""
        if self.pseudonym is None or value is None:
            return value if isinstance(value, int | float | str | list) or value is None else str(value)
        return self.pseudonym(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))

    def _long_row(self, run: RunRow, answer: AnswerRow, question: str, code: Any, label: Cell) -> list[Cell]:
        # Whatever the question, a person may type anything ("Айгүл +7701… әйел" for a choice).
        raw = self.pseudonym(answer.raw_text) if self.pseudonym is not None else answer.raw_text
        return [run.id, run.contact_id, run.where.centre, run.version, answer.question_id, question, code,
                label, raw, _local(answer.answered_at, run.where.timezone)]
