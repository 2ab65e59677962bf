"""Where in an XLSForm a questionnaire's field came from: sheet, row and column, for problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flows.errors import Problem
from flows.questionnaire.loader import Loc, Locator
from flows.questionnaire.xlsform_columns import LANGUAGES, Columns, SheetProblem, language_header
from flows.questionnaire.xlsform_texts import column_base, sms_header

_QUESTION_COLUMNS = {"id": "name", "choices": "type"}
_CHOICE_COLUMNS = {"id": "name"}


@dataclass
class Places:
    question_rows: list[int] = field(default_factory=list)
    inline_choice_rows: dict[int, list[int]] = field(default_factory=dict)  # question → its choices' rows
    list_rows: dict[str, list[int]] = field(default_factory=dict)
    survey_columns: Columns | None = None
    choice_columns: Columns | None = None
    settings_columns: Columns | None = None
    id_from: str = "settings"  # "settings" (form_id), "option" (--id) or "file" (the file's name)

    def where(self, loc: Loc) -> tuple[str, int | None, str | None]:
        if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
            number = loc[1]
            row = self.question_rows[number] if number < len(self.question_rows) else None
            rest = loc[2:]
            inline = self.inline_choice_rows.get(number)
            if len(rest) >= 2 and rest[0] == "choices" and isinstance(rest[1], int) and inline is not None:
                column = self._column(self.choice_columns, rest[2:], _CHOICE_COLUMNS)
                return "choices", _nth(inline, rest[1]), column
            return "survey", row, self._column(self.survey_columns, rest, _QUESTION_COLUMNS)
        if len(loc) >= 2 and loc[0] == "choice_lists":
            rows = self.list_rows.get(str(loc[1]), [])
            if len(loc) >= 3 and isinstance(loc[2], int):
                column = self._column(self.choice_columns, loc[3:], _CHOICE_COLUMNS)
                return "choices", _nth(rows, loc[2]), column
            return "choices", rows[0] if rows else None, "list_name"
        if loc and loc[0] in ("id", "title", "intro", "thanks"):
            names = {"id": "form_id"}
            return "settings", 2, self._column(self.settings_columns, loc, names)
        return "survey", None, None

    def _column(self, columns: Columns | None, rest: Loc, names: dict[str, str]) -> str | None:
        if not rest:
            return None
        name = str(rest[0])
        if len(rest) >= 3 and rest[1] == "sms" and rest[2] in LANGUAGES:
            return sms_header(name, str(rest[2]))
        if len(rest) >= 2 and rest[1] in LANGUAGES:
            base = column_base(name)
            language = str(rest[1])
            return columns.header(base, language) if columns else language_header(base, language)
        if name in names:
            return names[name]
        return column_base(name) if name not in ("label", "hint") else name


def _nth(rows: list[int], index: int) -> int | None:
    return rows[index] if index < len(rows) else None


class SheetLocator(Locator):
    """The YAML loader's locator, pointing at sheets, rows and columns instead of lines."""

    def __init__(self, source: str, data: dict[str, Any], places: Places) -> None:
        self.source = source
        self.data = data
        self.places = places

    def line(self, loc: Loc) -> int:
        return self.places.where(loc)[1] or 0

    def problem(self, loc: Loc, message: str) -> Problem:
        # The sheet, row and column say where: the model's own path ("choice_lists.yes_no.0.id: ")
        # would only puzzle a facilitator.
        for path in (".".join(str(p) for p in loc), ".".join(str(p) for p in loc[2:])):
            if path and message.startswith(f"{path}: "):
                message = message.removeprefix(f"{path}: ")
                break
        if loc == ("id",) and self.places.id_from != "settings":
            if self.places.id_from == "file":
                message += "; it comes from the file's name: give --id, or a form_id in a settings sheet"
            return Problem(self.source, None, None, message)
        if loc == ("id",):
            message += "; change form_id in the settings sheet, or give --id"
        sheet, row, column = self.places.where(loc)
        return SheetProblem(self.source, row, self.question_id(loc), message, sheet=sheet, column=column)
