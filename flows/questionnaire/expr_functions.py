"""The XLSForm functions of :mod:`flows.questionnaire.expr`: ``count-selected()``,
``string-length()`` and ``regex()``, their checks at parse time and their values.

``regex()`` runs on villagers' answers, synchronously, inside the bot's only event loop: a
pattern that backtracks (``\\d*\\d*x``, ``(a|a)(a|a)…x``, ``[0-9]{0,99}`` repeated) would stop
every conversation for minutes on one long answer. So patterns are compiled and matched with
RE2 (``google-re2``), whose matching time grows linearly with the answer whatever the pattern;
Python's ``re`` never sees a pattern from a form. RE2 has no look-arounds or back-references, so
a form using them is refused when it is loaded, not when a villager answers.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import re2  # type: ignore[import-untyped]

from flows.errors import ExpressionError

FUNCTIONS = {"count-selected": 1, "string-length": 1, "regex": 2}  # name → number of arguments
MAX_PATTERN = 200
MAX_SUBJECT = 10_000  # characters of an answer a pattern is matched against; answers are shorter


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False  # RE2 would print its refusal on stderr, besides raising it
    options.max_mem = 1 << 20
    return options


_OPTIONS = _options()


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> Any:
    return re2.compile(pattern, _OPTIONS)


def pattern_problem(pattern: str) -> str | None:
    """Why a regex() pattern cannot be used, or None."""
    if len(pattern) > MAX_PATTERN:
        return f"longer than {MAX_PATTERN} characters"
    if "(?=" in pattern or "(?!" in pattern or "(?<" in pattern:
        return "look-arounds are not supported"
    try:
        _compiled(pattern)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        text = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
        if re2.search(r"\\[1-9]", pattern) and "escape sequence" in text:
            return "back-references are not supported"
        return f"not a valid pattern ({text})"
    return None


def check_call(name: str, count: int, pattern: str | None) -> None:
    """A call to one of :data:`FUNCTIONS` with ``count`` arguments, the second of them ``pattern``
    when it is a text in quotes: :class:`ExpressionError` says what is wrong with it."""
    if count != FUNCTIONS[name]:
        expected = FUNCTIONS[name]
        raise ExpressionError(f"{name}() takes {expected} argument{'s' if expected > 1 else ''}")
    if name == "regex":
        if pattern is None:
            raise ExpressionError("the pattern of regex() must be a text in quotes")
        problem = pattern_problem(pattern)
        if problem is not None:
            raise ExpressionError(f"regex pattern {pattern!r}: {problem}")


def call_value(name: str, args: list[Any]) -> Any:
    """XLSForm's functions; an unanswered question counts as an empty text, as in ODK."""
    value = args[0]
    if name == "count-selected":
        if isinstance(value, list | tuple):
            return len(value)
        return len(str(value).split()) if value is not None else 0
    text = "" if value is None else as_text(value)
    if name == "string-length":
        return len(text)
    return _compiled(str(args[1])).search(text[:MAX_SUBJECT]) is not None


def as_text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return " ".join(str(item) for item in value)  # as ODK stores a multiple choice
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
