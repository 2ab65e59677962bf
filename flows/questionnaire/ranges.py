"""Choices that stand for numbers, and dashes as people type them.

An age question offers «18–29», «30–44», «60 және одан үлкен»; a villager answers «62». A
choice may carry ``range: [min, max]`` (both ends included, ``null`` for an open end), and a
typed number that falls into exactly one range selects that choice.

Which wins when a number is both: a bare number from 1 to the number of choices is the option
shown with that number (the screen numbers the choices, and that is what the re-prompt asks
for), so «5» on the age question is «60 and older», not a five-year-old. A number said with
words («5 жас», «мне 62») is a value, never an option number, and goes to the ranges.

Phone keyboards have only the hyphen: «3-5 сағат» and «3 - 5 сағат» must match a label written
with an en dash («3–5 сағат»), so :func:`dashes` is applied to both sides of every comparison.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from flows.questionnaire.schema import ChoiceDef

_DASHES = str.maketrans({ch: "-" for ch in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"})
_AROUND_HYPHEN = re.compile(r"\s*-\s*")
# "62", "62.", "62 жас", "мне 62", "Мен 62 жастамын": one number, any words around it.
_NUMBER_IN_WORDS = re.compile(r"^(?:[^\W\d_]+\s+)*(\d{1,4})\s*[.)]?(?:\s+[^\W\d_]+)*\s*[.!]?$")


def dashes(text: str) -> str:
    """Every dash as a hyphen, with no spaces around it."""
    return _AROUND_HYPHEN.sub("-", text.translate(_DASHES))


def has_ranges(choices: Sequence[ChoiceDef]) -> bool:
    return any(choice.range is not None for choice in choices)


def typed_number(text: str) -> int | None:
    match = _NUMBER_IN_WORDS.match(text.strip())
    return int(match.group(1)) if match else None


def contains(choice: ChoiceDef, number: int) -> bool:
    if choice.range is None:
        return False
    low, high = choice.range
    return (low is None or number >= low) and (high is None or number <= high)


def choice_for_number(choices: Sequence[ChoiceDef], text: str) -> str | None:
    """The one choice whose range holds the typed number; None if none or several do."""
    number = typed_number(text)
    if number is None:
        return None
    hits = [choice.id for choice in choices if contains(choice, number)]
    return hits[0] if len(hits) == 1 else None


def example(choices: Sequence[ChoiceDef]) -> int | None:
    """A value to show in the re-prompt: the middle of a middle closed range, beyond the option
    numbers so it cannot be mistaken for one (37 for the ages of the needs survey)."""
    count = len(choices)
    middles = [(c.range[0] + c.range[1]) // 2 for c in choices
               if c.range is not None and c.range[0] is not None and c.range[1] is not None]
    middles = [m for m in middles if m > count]
    if middles:
        return middles[len(middles) // 2]
    ends = [end for c in choices if c.range is not None for end in c.range if end is not None and end > count]
    return ends[0] if ends else None


def range_problems(choices: Sequence[ChoiceDef]) -> Iterator[tuple[int | None, str]]:
    """(index of the choice or None, what is wrong) for ranges that run backwards or overlap."""
    kept: list[ChoiceDef] = []
    for index, choice in enumerate(choices):
        if choice.range is None:
            continue
        low, high = choice.range
        if low is not None and high is not None and low > high:
            yield index, f"the range of {choice.id!r} starts after it ends ({low} > {high})"
            continue
        for other in kept:
            shared = _overlap(other, choice)
            if shared is not None:
                yield None, f"the ranges of {other.id!r} and {choice.id!r} overlap: {shared} would fit both"
        kept.append(choice)


def _overlap(first: ChoiceDef, second: ChoiceDef) -> int | None:
    """A number both ranges hold, or None."""
    assert first.range is not None and second.range is not None
    lows = [end for end in (first.range[0], second.range[0]) if end is not None]
    highs = [end for end in (first.range[1], second.range[1]) if end is not None]
    low = max(lows) if lows else None
    high = min(highs) if highs else None
    if low is not None and high is not None and low > high:
        return None
    return low if low is not None else high if high is not None else 0
