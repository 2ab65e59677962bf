"""Yes and no as villagers type them: one set of words for the whole bot.

A survey's yes/no question, a seat offer, a leave confirmation, a survey invitation and the
facilitators' confirmations all accept the same words, in Kazakh, Russian and plain English.
Words are compared after :func:`flows.text.fold`, so case, Latin look-alikes and Kazakh letters
typed on a Russian keyboard do not matter. Digits are never yes or no here: what "1" means
depends on the options on screen, and each flow reads numbers itself.
"""

from __future__ import annotations

from typing import Literal

from flows.text import fold

YES_WORDS: tuple[str, ...] = (
    "иә", "ия", "ие", "иа", "йә", "әрине", "қабылдаймын", "келісемін",
    "да", "конечно", "согласен", "согласна", "принимаю", "принять",
    "yes", "y", "ok", "ок", "accept",
)
NO_WORDS: tuple[str, ...] = (
    "жоқ", "жок", "бас тартамын",
    "нет", "не", "отказываюсь", "отказаться",
    "no", "n", "decline",
)
_YES = frozenset(fold(word) for word in YES_WORDS)
_NO = frozenset(fold(word) for word in NO_WORDS)


def yes_or_no(text: str) -> Literal["yes", "no"] | None:
    """"yes" or "no" for one of the words above as typed, else None."""
    key = fold(text)
    if key in _YES:
        return "yes"
    if key in _NO:
        return "no"
    return None
