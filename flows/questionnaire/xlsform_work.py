"""One XLSForm import under way: the sheets, what was found, and the choices of its questions.

Part of :mod:`flows.questionnaire.xlsform`. A list asked by name stays a named choice list; one
marked ``bot_choices: inline``, or narrowed by a fixed ``choice_filter``, becomes the question's
own choices; a list of exactly ``yes`` and ``no`` makes a yes/no question.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flows.errors import ExpressionError, Problem
from flows.questionnaire.expr import CURRENT, Node, evaluate, parse_expression
from flows.questionnaire.xlsform_columns import ENGINE_COLUMNS, SheetProblem
from flows.questionnaire.xlsform_place import Places
from flows.questionnaire.xlsform_texts import Texts
from flows.questionnaire.xpath import Choices, from_xpath, to_xpath

Row = Mapping[str, str]


@dataclass(frozen=True)
class Sheets:
    """An XLSForm's sheets as rows of column → text; row i of a list is the sheet's row i + 2."""

    source: str
    survey: Sequence[Row]
    choices: Sequence[Row] = ()
    settings: Sequence[Row] = ()


@dataclass
class Work:
    sheets: Sheets
    skip_unsupported: bool
    texts: Texts
    places: Places = field(default_factory=Places)
    problems: list[Problem] = field(default_factory=list)
    unsupported: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    used_lists: dict[str, set[str]] = field(default_factory=dict)  # list → how questions use it
    dropped: dict[str, str] = field(default_factory=dict)  # name → which row it was and why it went

    def problem(self, sheet: str, row: int | None, column: str | None, message: str,
                question: str | None = None) -> None:
        self.problems.append(
            SheetProblem(self.sheets.source, row, question, message, sheet=sheet, column=column))


def choices_of(work: Work, row: Row, number: int, list_name: str, question: dict[str, Any]) -> Any:
    rows = [(i + 2, r) for i, r in enumerate(work.sheets.choices)
            if r.get("list_name", "").strip() == list_name]
    if not rows:
        work.problem("survey", number, "type", f"the choices sheet has no list '{list_name}'")
        return list_name
    names = sorted(r.get("name", "").strip() for _, r in rows)
    inline = row.get("bot_choices", "").strip().lower() == "inline"
    static_filter = row.get("choice_filter", "").strip()
    if question["type"] == "single" and names == ["no", "yes"] and not row.get("bot_type", "").strip():
        question["type"] = "yes_no"
        work.used_lists.setdefault(list_name, set()).add("yes_no")
        return None
    if not inline and not static_filter:
        work.used_lists.setdefault(list_name, set()).add("named")
        return list_name
    work.used_lists.setdefault(list_name, set()).add("inline")
    if static_filter:
        try:
            keep = from_xpath(static_filter, columns=True)
        except ExpressionError as exc:
            work.problem("survey", number, "choice_filter", f"{exc} in {static_filter!r}")
            keep = None
        rows = [(n, r) for n, r in rows if keep is None or evaluate(keep, _values(r))]
    work.places.inline_choice_rows[len(work.places.question_rows)] = [n for n, _ in rows]
    return [work.texts.choice(r, n) for n, r in rows]


def _values(row: Row) -> dict[str, Any]:
    """A choice's columns as a choice_filter compares them: numbers as numbers."""
    values: dict[str, Any] = {}
    for key, value in row.items():
        try:
            values[key] = float(value) if "." in value else int(value)
        except ValueError:
            values[key] = value
    return values


def choice_lists(work: Work) -> dict[str, list[dict[str, Any]]]:
    """Lists asked by name, and lists no question uses (kept as the form has them); a list only
    inlined or read as yes/no is not repeated."""
    lists: dict[str, list[dict[str, Any]]] = {}
    for index, row in enumerate(work.sheets.choices):
        name = row.get("list_name", "").strip()
        if not name or not row:
            continue
        uses = work.used_lists.get(name)
        if uses is not None and "named" not in uses:
            continue
        lists.setdefault(name, []).append(work.texts.choice(row, index + 2))
        work.places.list_rows.setdefault(name, []).append(index + 2)
    return lists


def normal_type(raw: str) -> tuple[str, str | None, str]:
    """'select one  colours' → ('select_one', 'colours', rest); 'begin group' → ('begin_group', …)."""
    words = raw.strip().split()
    text = " ".join(words).lower()
    text = re.sub(r"^(begin|end) (group|repeat|loop)\b", r"\1_\2", text)
    text = re.sub(r"^select (one|multiple)( from file| external)?\b",
                  lambda m: f"select_{m.group(1)}{(m.group(2) or '').replace(' ', '_')}", text)
    text = re.sub(r"^select all that apply\b", "select_multiple", text)
    head, _, rest = text.partition(" ")
    if head in ("select_one", "select_multiple"):
        original = raw.strip().split()
        list_name = original[1] if len(original) > 1 else None
        return head, list_name, " ".join(original[2:]).lower()
    return {"trigger": "acknowledge", "begin group": "begin_group"}.get(head, head), None, rest


def choice_questions(sheets: Sheets) -> Choices:
    """The choice questions, for reading expressions: which answer a choice id, their choices."""
    texts: set[str] = set()
    names: dict[str, list[str]] = {}
    acknowledged: set[str] = set()
    for row in sheets.survey:
        kind, list_name, _ = normal_type(row.get("type", ""))
        name = str(row.get("name", "")).strip()
        if kind in ("select_one", "select_multiple"):
            texts.add(name)
        if kind == "select_one":
            names[name] = [c.get("name", "").strip() for c in sheets.choices
                           if c.get("list_name", "").strip() == list_name]
        if kind == "acknowledge":
            acknowledged.add(name)
    return Choices(texts, names, acknowledged)


def choice_questions_for(choices: Choices, name: str, kind: str) -> Choices:
    """In a question's own constraint, "." is its answer: ". != 1" means the choice named 1."""
    if kind not in ("select_one", "select_multiple", "acknowledge"):
        return choices
    names = {**choices.names, CURRENT: choices.names[name]} if name in choices.names else choices.names
    acknowledged = {*choices.acknowledged, CURRENT} if kind == "acknowledge" else choices.acknowledged
    texts = {*choices.texts, CURRENT} if kind != "acknowledge" else choices.texts
    return Choices(texts, names, acknowledged)


def expression(work: Work, row: Row, number: int, column: str, choices: Choices) -> Node | None:
    """A row's expression: the engine's own text while its XPath is as exported, else the XPath."""
    source = row.get(column, "").strip()
    if not source:
        return None
    engine = row.get(ENGINE_COLUMNS.get(column, ""), "").strip()
    try:
        if engine and to_xpath(parse_expression(engine)) == source:
            return parse_expression(engine)
        if engine:
            work.warnings.append(f"{work.sheets.source}: survey sheet, row {number}: {column} was edited; "
                                 f"{ENGINE_COLUMNS[column]} is not used")
    except ExpressionError as exc:
        work.problem("survey", number, ENGINE_COLUMNS[column], f"{exc} in {engine!r}",
                     row.get("name") or None)
        return None
    try:
        return from_xpath(source, choices=choices)
    except ExpressionError as exc:
        work.problem("survey", number, column, f"{exc} in {source!r}", row.get("name") or None)
        return None
