"""The texts of an XLSForm's rows, in Kazakh and Russian, and the rows where one is missing.

A text given in one language only is a problem of the whole column, listed once with every row
that lacks it (a form written in Russian alone gets one line per column, not one per row). Its
place is filled with the other language's text, so that the schema check does not say it again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flows.errors import Problem
from flows.questionnaire.xlsform_columns import (
    BOT_FIELDS,
    LANGUAGE_NAMES,
    LANGUAGES,
    Columns,
    SheetProblem,
    language_header,
    truthy,
)

Row = Mapping[str, str]
NO_SMS = "-"  # in both bot_sms_… columns: the text is left out of SMS


def column_base(field: str) -> str:
    """The column (before ``::``) that holds a questionnaire field."""
    return f"bot_{field}" if field in (*BOT_FIELDS, "title", "intro", "thanks") else field


def sms_base(field: str) -> str:
    return f"bot_sms_{field}"


def sms_header(field: str, language: str) -> str:
    return language_header(sms_base(field), language)


class Texts:
    def __init__(self, source: str, survey: Columns, choices: Columns) -> None:
        self.source = source
        self.survey = survey
        self.choices = choices
        self.missing: dict[tuple[str, str, str], list[int]] = {}  # (sheet, column, language) → rows

    def _bilingual(self, sheet: str, columns: Columns, row: Row, number: int, field: str,
                   fallback: str | None = None) -> dict[str, Any] | None:
        found = columns.texts(row, column_base(field))
        if not found and fallback:
            found = {language: fallback for language in LANGUAGES}
        if not found:
            return None
        for language in LANGUAGES:
            if language not in found:
                key = (sheet, columns.header(column_base(field), language), language)
                self.missing.setdefault(key, []).append(number)
                found[language] = next(iter(found.values()))
        text: dict[str, Any] = dict(found)
        short = columns.texts(row, sms_base(field))
        if short and set(short.values()) == {NO_SMS}:
            text["sms"] = ""
        elif short:
            text["sms"] = short
        return text

    def question(self, row: Row, number: int, field: str) -> dict[str, Any] | None:
        return self._bilingual("survey", self.survey, row, number, field)

    def settings(self, row: Row, columns: Columns, field: str, fallback: str | None) -> dict[str, Any] | None:
        return self._bilingual("settings", columns, row, 2, field, fallback)

    def choice(self, row: Row, number: int) -> dict[str, Any]:
        choice: dict[str, Any] = {"id": row.get("name", "").strip()}
        label = self._bilingual("choices", self.choices, row, number, "label")
        if label is not None:
            choice["label"] = label
        aliases = [alias.strip() for alias in row.get("bot_aliases", "").split(";") if alias.strip()]
        if aliases:
            choice["aliases"] = aliases
        if truthy(row.get("bot_exclusive")):
            choice["exclusive"] = True
        bounds = row.get("bot_range", "").strip()
        if bounds:
            low, _, high = bounds.partition("..")
            choice["range"] = [low.strip() or None, high.strip() or None] if _ else bounds
        return choice

    @property
    def problems(self) -> list[Problem]:
        found: list[Problem] = []
        for (sheet, column, language), rows in self.missing.items():
            listed = ", ".join(str(row) for row in rows[:20]) + (" …" if len(rows) > 20 else "")
            message = f"the {LANGUAGE_NAMES[language]} text is missing in rows {listed}"
            found.append(SheetProblem(self.source, None, None, message, sheet=sheet, column=column))
        for sheet, columns in (("survey", self.survey), ("choices", self.choices)):
            for base, header in columns.unplaced.items():
                use = " and ".join(language_header(base, language) for language in LANGUAGES)
                message = f"the column names no language: use {use}, or set default_language"
                found.append(SheetProblem(self.source, None, None, message, sheet=sheet, column=header))
        return found
