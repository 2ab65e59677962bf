"""XLSForm's columns as this project reads and writes them: languages, aliases, bot-only columns.

A translated column is ``label::Kazakh (kk)``: the part after ``::`` names the language, by its
code in brackets or by its name alone (``Қазақша``, ``Русский``, ``kk``); a column without
``::`` is in the ``default_language`` of the ``settings`` sheet. Languages other than Kazakh and
Russian are not used.

What XLSForm cannot say (a short SMS wording, aliases, ranges, ``end_if`` …) travels in columns
named ``bot_…``, which KoBoToolbox and ODK ignore, so that a bot questionnaire exported and
imported again is the same questionnaire. Their language is a suffix (``bot_sms_label_kk``), not
``::``: pyxform would take ``::`` in the choices sheet for a translation it cannot place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flows.errors import Problem

LANGUAGES = ("kk", "ru")
LANGUAGE_COLUMNS = {"kk": "Kazakh (kk)", "ru": "Russian (ru)"}
LANGUAGE_NAMES = {"kk": "Kazakh", "ru": "Russian"}
_NAMES = {
    "kk": {"kk", "kaz", "kazakh", "қазақ", "қазақша", "қазақ тілі", "казахский", "kk-kz"},
    "ru": {"ru", "rus", "russian", "русский", "орысша", "ru-ru", "ru-kz"},
}
_CODE = re.compile(r"\(\s*([A-Za-z]{2,3})(?:[-_][A-Za-z]+)?\s*\)\s*$")
# pyxform's spellings of the same columns.
_ALIASES = {
    "jr:constraintmsg": "constraint_message",
    "constraining_message": "constraint_message",
    "jr:requiredmsg": "required_message",
    "list name": "list_name",
    "label": "label",
}
BILINGUAL_FIELDS = ("label", "hint", "required_message", "constraint_message")
BOT_FIELDS = ("min", "max", "max_length", "end_if", "end_message", "end_as", "sms_budget")
# An expression the XPath cannot say exactly (``in (…)``, a bare yes/no answer) also travels in
# the engine's own text, next to its XPath column, and is read from there while the XPath is unchanged.
ENGINE_COLUMNS = {"relevant": "bot_relevant", "constraint": "bot_constraint",
                  "bot_end_if": "bot_end_if_engine"}
TRUE_WORDS = frozenset({"yes", "true", "true()", "1", "y"})
FALSE_WORDS = frozenset({"", "no", "false", "false()", "0", "n"})


def language_of(name: str) -> str | None:
    """'Kazakh (kk)', 'Қазақша (kk)', 'Русский', 'ru' → 'kk' / 'ru'; another language → None."""
    match = _CODE.search(name)
    if match is not None:
        code = match.group(1).lower()
        return code if code in LANGUAGES else None
    folded = name.strip().lower()
    return next((code for code, names in _NAMES.items() if folded in names), None)


def split_header(header: str) -> tuple[str, str | None]:
    base, _, language = header.partition("::")
    base = base.strip().lower()
    if not language and base.startswith("bot_") and base[-3:] in ("_kk", "_ru"):
        return base[:-3], base[-2:]
    return _ALIASES.get(base, base), (language.strip() or None) if language else None


def language_header(base: str, language: str) -> str:
    """The column of a field in a language: ``label::Kazakh (kk)``, ``bot_end_message_kk``."""
    return f"{base}_{language}" if base.startswith("bot_") else f"{base}::{LANGUAGE_COLUMNS[language]}"


def truthy(value: str | None) -> bool:
    return value is not None and value.strip().lower() in TRUE_WORDS


@dataclass(frozen=True)
class SheetProblem(Problem):
    """A problem of an XLSForm file: its sheet, row and column, as KoBoToolbox names them."""

    sheet: str = "survey"
    column: str | None = None

    def __str__(self) -> str:
        where = [f"{self.sheet} sheet"]
        if self.line:
            where.append(f"row {self.line}")
        if self.column:
            where.append(f"column '{self.column}'")
        who = f" question '{self.question}':" if self.question else ""
        return f"{self.file}: {', '.join(where)}:{who} {self.message}"


class Columns:
    """The translated columns of one sheet: which header holds which field in which language."""

    def __init__(self, headers: Iterable[str], default_language: str | None) -> None:
        self.default = language_of(default_language) if default_language else None
        self.by_field: dict[tuple[str, str], str] = {}
        self.ignored: list[str] = []
        # A text column without ::language and no default_language (KoBoToolbox's usual "label"):
        # said once as a problem of the column; its texts stand in for both languages meanwhile,
        # so that every row does not say its label is missing.
        self.unplaced: dict[str, str] = {}
        for header in headers:
            base, language = split_header(header)
            code = language_of(language) if language is not None else self.default
            if language is None and code is None and base in BILINGUAL_FIELDS:
                if default_language:
                    self.ignored.append(header)  # the form's default is another language
                else:
                    self.unplaced.setdefault(base, header)
            elif language is not None and code is None:
                self.ignored.append(header)
            elif code is not None:
                self.by_field.setdefault((base, code), header)

    def header(self, field: str, language: str) -> str:
        """The column that holds (or would hold) a field in a language."""
        return self.by_field.get((field, language), language_header(field, language))

    def texts(self, row: Mapping[str, str], field: str) -> dict[str, str]:
        found: dict[str, str] = {}
        for language in LANGUAGES:
            header = self.by_field.get((field, language))
            value = row.get(header, "").strip() if header is not None else ""
            if value:
                found[language] = value
        plain = self.unplaced.get(field)
        if not found and plain is not None and row.get(plain, "").strip():
            found = dict.fromkeys(LANGUAGES, row[plain].strip())
        return found
