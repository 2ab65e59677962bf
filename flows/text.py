"""Tolerant matching of what villagers type: case, spacing, Latin look-alikes, Kazakh letters.

People type on whatever keyboard their phone has. ``fold`` maps a text to a loose key so that
"Комек", "көмек" and "KOMEK"-style look-alikes compare equal; both sides of every comparison
are folded the same way, so the mapping only has to be consistent, not reversible.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

# Latin letters that look like Cyrillic ones, typed by mistake on a mixed keyboard.
_LOOKALIKES = str.maketrans(
    {
        "a": "а", "b": "в", "c": "с", "e": "е", "h": "н", "i": "і", "k": "к", "m": "м",
        "n": "п", "o": "о", "p": "р", "t": "т", "u": "и", "x": "х", "y": "у",
    }
)
# Kazakh letters folded to their nearest Russian-keyboard letter: many phones lack them.
_KAZAKH_TO_BASIC = str.maketrans(
    {"ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х", "і": "и",
     "ё": "е", "й": "и"}
)
_PUNCTUATION_EDGES = re.compile(r"^[\s\W_]+|[\s\W_]+$")
_SPACES = re.compile(r"\s+")
_NUMBER_ANSWER = re.compile(r"^\s*(\d{1,3})\s*[.)]?\s*$")


def fold(text: str) -> str:
    """A loose comparison key: NFKC, case-folded, look-alikes and Kazakh letters simplified."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _PUNCTUATION_EDGES.sub("", text)
    text = _SPACES.sub(" ", text)
    return text.translate(_LOOKALIKES).translate(_KAZAKH_TO_BASIC)


def parse_option_number(text: str) -> int | None:
    """"2", "2.", "2)" and " 2 " all mean option 2; anything else is not a number answer."""
    match = _NUMBER_ANSWER.match(unicodedata.normalize("NFKC", text))
    return int(match.group(1)) if match else None


def match_option(text: str, options: Sequence[tuple[str, Iterable[str]]]) -> str | None:
    """Find which option a typed answer means: its 1-based number or any of its labels.

    ``options`` are ``(id, labels)`` pairs in display order; labels may be in any language.
    """
    number = parse_option_number(text)
    if number is not None:
        return options[number - 1][0] if 1 <= number <= len(options) else None
    key = fold(text)
    if not key:
        return None
    for option_id, labels in options:
        if any(fold(label) == key for label in labels):
            return option_id
    return None
