"""Answers as villagers type them, turned into normalised values or a "what is expected" message.

Over SMS and the simulator there are no buttons: an option's number ("2", "2.", "2)", " 2 "), its
label in either language (case, spacing, Latin look-alikes and plain-keyboard letters folded
by :func:`flows.text.fold`), lists as "1,3 5", "1 3 5" or "1;3;5", yes/no words in kk, ru and en
(:mod:`flows.yesno`, the same words everywhere in the bot).
Anything else gives a :class:`Rejected` holding the re-prompt as data, never an exception.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from flows.events import N_, NP_, Msg
from flows.phones import normalize_phone
from flows.questionnaire.ranges import choice_for_number, dashes, example, has_ranges
from flows.questionnaire.schema import ChoiceDef, Question, Questionnaire
from flows.text import match_option, parse_option_number
from flows.yesno import yes_or_no

DONE = "_done"  # the "done" button of a multiple-choice question answered by toggles
DONE_WORDS = ("done", "дайын", "болды", "бітті", "готово", "всё", "все")
_LIST_SEPARATORS = re.compile(r"[,;\s]+")
_INTEGER = re.compile(r"^[+-]?\d{1,3}(?:[ \u00a0\u202f]?\d{3})*$|^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_DATE_DMY = re.compile(r"^(\d{1,2})[./\-\s](\d{1,2})[./\-\s](\d{2}|\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
MAX_ANSWER_CHARS = 4000


@dataclass(frozen=True)
class Accepted:
    value: Any


@dataclass(frozen=True)
class Rejected:
    reason: Msg


Outcome = Accepted | Rejected


def clean(text: str) -> str:
    """NFKC, control characters removed (kept: newlines and tabs as spaces), outer spaces trimmed."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(
        " " if ch in "\t\r\n" else ch
        for ch in text
        if ch in "\t\r\n" or unicodedata.category(ch)[0] != "C"
    )
    return text.strip()


def expected(form: Questionnaire, question: Question) -> Msg:
    """What to send, said plainly: the re-prompt's first line."""
    kind = question.type
    count = len(form.choices_of(question))
    if kind == "single":
        value = example(form.choices_of(question)) if has_ranges(form.choices_of(question)) else None
        if value is not None:
            return Msg(N_("Send the number of your answer (1 to {count}) or the number itself, "
                          "for example {example}."), {"count": count, "example": value})
        return Msg(N_("Send a number from 1 to {count}."), {"count": count})
    if kind == "multi":
        return _multi_expected(question, count)
    if kind == "yes_no":
        return Msg(N_("Answer 1 (yes) or 2 (no)."))
    if kind in ("integer", "decimal"):
        return _number_expected(question)
    if kind == "phone":
        return Msg(N_("Send a phone number, for example 8 701 123 45 67."))
    if kind == "date":
        return Msg(N_("Send a date as day.month.year, for example 25.03.1990."))
    return Msg(N_("Please write your answer in words."))


def _multi_expected(question: Question, count: int) -> Msg:
    low = int(question.min or 1)
    high = int(question.max) if question.max is not None else count
    if low == high:
        return Msg(N_("Choose exactly {n}: send their numbers, for example: 1 3."), {"n": low})
    if high < count:
        return Msg(
            N_("Choose from {low} to {high} answers: send their numbers, for example: 1 3."),
            {"low": low, "high": high},
        )
    return Msg(N_("Send the numbers of your answers from 1 to {count}, for example: 1 3."), {"count": count})


def _number_expected(question: Question) -> Msg:
    whole = question.type == "integer"
    low, high = question.min, question.max
    params: dict[str, Any] = {}
    if low is not None:
        params["low"] = int(low) if whole else low
    if high is not None:
        params["high"] = int(high) if whole else high
    if low is not None and high is not None:
        key = N_("Send a whole number from {low} to {high}.") if whole else N_(
            "Send a number from {low} to {high}, for example 2.5."
        )
    elif low is not None:
        key = N_("Send a whole number, {low} or more.") if whole else N_("Send a number, {low} or more.")
    elif high is not None:
        key = N_("Send a whole number, {high} or less.") if whole else N_("Send a number, {high} or less.")
    else:
        key = N_("Send a whole number, for example 12.") if whole else N_("Send a number, for example 2.5.")
    return Msg(key, params)


def parse_answer(form: Questionnaire, question: Question, raw: str) -> Outcome:
    """A typed answer → its normalised value, or what was expected instead."""
    text = clean(raw) if len(raw) <= MAX_ANSWER_CHARS else ""  # no choice or number is that long
    kind = question.type
    if kind == "text":
        return _text(question, clean(raw))
    if kind == "single":
        return _single(form, question, text)
    if kind == "multi":
        return _multi(form, question, text)
    if kind == "yes_no":
        return _yes_no(text)
    if kind == "integer":
        return _integer(question, text)
    if kind == "decimal":
        return _decimal(question, text)
    if kind == "phone":
        phone = normalize_phone(text)
        return Accepted(phone) if phone else Rejected(expected(form, question))
    if kind == "date":
        return _date(form, question, text)
    return Rejected(expected(form, question))


def choice_options(choices: tuple[ChoiceDef, ...]) -> list[tuple[str, tuple[str, ...]]]:
    """(id, labels) for :func:`match_option`; dashes as hyphens, as :func:`dashes` makes the typed text."""
    return [(c.id, tuple(dashes(label) for label in (c.label.kk, c.label.ru, *c.aliases))) for c in choices]


def _text(question: Question, text: str) -> Outcome:
    if not text or not any(ch.isalnum() for ch in text):
        return Rejected(Msg(N_("Please write your answer in words.")))
    if len(text) > question.max_length:
        return Rejected(
            Msg(N_("That is too long: please keep it under {max} characters."), {"max": question.max_length})
        )
    return Accepted(text)


def _single(form: Questionnaire, question: Question, text: str) -> Outcome:
    choices = form.choices_of(question)
    # An option number or a label first: a bare "3" is option 3 even where 3 is in a range.
    chosen = match_option(dashes(text), choice_options(choices)) if text else None
    if chosen is None and text and has_ranges(choices):
        chosen = choice_for_number(choices, text)
    return Accepted(chosen) if chosen else Rejected(expected(form, question))


def _multi(form: Questionnaire, question: Question, text: str) -> Outcome:
    choices = form.choices_of(question)
    options = choice_options(choices)
    text = dashes(text)
    picked = _numbers_list(text, choices) if text else None
    if picked is None and text:
        whole = match_option(text, options)
        if whole is not None:
            picked = [whole]
        else:
            parts = [part for part in re.split(r"[,;]+", text) if part.strip()]
            found = [match_option(part, options) for part in parts]
            picked = [f for f in found if f] if found and all(found) else None
    if picked is None:
        return Rejected(expected(form, question))
    return check_selection(form, question, picked)


def _numbers_list(text: str, choices: tuple[ChoiceDef, ...]) -> list[str] | None:
    """'1,3 5', '1 3 5', '1;3;5' → choice ids; None unless every part is a valid number."""
    count = len(choices)
    parts = [part for part in _LIST_SEPARATORS.split(text) if part]
    numbers = [parse_option_number(part) for part in parts]
    if not numbers or any(n is None for n in numbers):
        return None
    # The "done" button is shown as number count + 1 on text channels: ignore it in a list.
    kept = [n for n in numbers if n != count + 1]
    if not kept or any(not 1 <= n <= count for n in kept if n is not None):
        return None
    return [choices[n - 1].id for n in kept if n is not None]


def check_selection(form: Questionnaire, question: Question, ids: list[str]) -> Outcome:
    """Selections by id (also from toggles): min/max and exclusive choices."""
    choices = form.choices_of(question)
    ids = [c.id for c in choices if c.id in ids]  # display order, no repeats
    low = int(question.min) if question.min is not None else 1
    high = int(question.max) if question.max is not None else len(choices)
    if not low <= len(ids) <= high:
        return Rejected(expected(form, question))
    exclusive = [c for c in choices if c.exclusive and c.id in ids]
    if exclusive and len(ids) > 1:
        return Rejected(
            Msg(N_("“{choice}” cannot be chosen together with other answers."),
                {"choice": exclusive[0].label.localized()})
        )
    return Accepted(ids)


def done_selection(form: Questionnaire, question: Question, pending: list[str], *, pressed: bool) -> Outcome:
    """"Done" (its button, its word or the number shown for it) with the choices ticked so far.

    Too few or too many is said in terms of what the person did: a press is answered about
    ticking options (the buttons are there), a typed "done" about sending numbers.
    """
    outcome = check_selection(form, question, pending)
    if isinstance(outcome, Accepted):
        return outcome
    ids = {c.id for c in form.choices_of(question)}
    chosen = len(ids & set(pending))
    low = int(question.min) if question.min is not None else 1
    high = int(question.max) if question.max is not None else len(ids)
    if chosen < low and low <= 1:
        return Rejected(Msg(N_("Choose at least one option.")) if pressed else Msg(
            N_("Choose at least one option: send their numbers, for example: 1 3.")))
    if pressed and chosen < low:
        key, plural = NP_("Choose at least {count} option.", "Choose at least {count} options.")
        return Rejected(Msg(key, plural=plural, count=low))
    if pressed and chosen > high:
        key, plural = NP_("Choose at most {count} option.", "Choose at most {count} options.")
        return Rejected(Msg(key, plural=plural, count=high))
    return outcome


def _yes_no(text: str) -> Outcome:
    number = parse_option_number(text)
    if number in (1, 2):
        return Accepted("yes" if number == 1 else "no")
    said = yes_or_no(text)
    if said is not None:
        return Accepted(said)
    return Rejected(Msg(N_("Answer 1 (yes) or 2 (no).")))


def _in_range(question: Question, value: float) -> bool:
    return (question.min is None or value >= question.min) and (question.max is None or value <= question.max)


def _integer(question: Question, text: str) -> Outcome:
    compact = text.rstrip(".")
    if not _INTEGER.match(compact) or len(compact) > 15:
        return Rejected(_number_expected(question))
    value = int(re.sub(r"[ \u00a0\u202f]", "", compact))
    return Accepted(value) if _in_range(question, value) else Rejected(_number_expected(question))


def _decimal(question: Question, text: str) -> Outcome:
    compact = re.sub(r"[ \u00a0\u202f]", "", text)
    if not _DECIMAL.match(compact) or len(compact) > 20:
        return Rejected(_number_expected(question))
    value = float(compact.replace(",", "."))
    return Accepted(value) if _in_range(question, value) else Rejected(_number_expected(question))


def _date(form: Questionnaire, question: Question, text: str) -> Outcome:
    match = _DATE_DMY.match(text.rstrip("."))
    if match:
        day, month, year = (int(part) for part in match.groups())
        if year < 100:
            year += 2000 if year < 50 else 1900  # "03.05.85" is 1985, "03.05.24" is 2024
    elif match := _DATE_ISO.match(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        return Rejected(expected(form, question))
    try:
        return Accepted(dt.date(year, month, day).isoformat())
    except ValueError:
        return Rejected(expected(form, question))
