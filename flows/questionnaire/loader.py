"""Questionnaire YAML → a checked :class:`Questionnaire`, or problems that name where and what.

Pure: the caller reads the file and passes its text and name. Each problem carries the file,
the line (from the YAML parser's node marks), the question id and the problem in plain words,
so a facilitator can fix a file without reading Python.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError

from flows.errors import ExpressionError, Problem, QuestionnaireError
from flows.questionnaire.expr import (
    CURRENT,
    Compare,
    Contains,
    InList,
    Node,
    parse_expression,
    references,
)
from flows.questionnaire.expr import Literal as ExprLiteral
from flows.questionnaire.expr import Ref as ExprRef
from flows.questionnaire.lenient import lenient_form
from flows.questionnaire.ranges import has_ranges, range_problems
from flows.questionnaire.schema import QUESTION_TYPES, Question, Questionnaire
from flows.yamlfile import YamlMapping, read_mapping
from flows.yamlkeys import repeated_keys

LANGUAGE_NAMES = {"kk": "Kazakh", "ru": "Russian"}
Loc = tuple[str | int, ...]


def load_questionnaire(text: str, source: str) -> Questionnaire:
    """Parse and check; raises :class:`QuestionnaireError` listing every problem found.

    All of them in one run: keys written twice, the schema, and the checks across questions
    (references, duplicates, expressions), which also run on what can be read of a file that
    failed the schema (:mod:`flows.questionnaire.lenient`). Only text that is not YAML at all
    stops at its first problem.
    """
    document = read_mapping(text, source, expected="id, title, questions")
    if isinstance(document, Problem):
        raise QuestionnaireError([document])
    locator = Locator(source, document)
    problems = [
        Problem(source, repeated.line, locator.question_id(repeated.loc),
                f"{_path(repeated.loc)} is given twice; only the last one counts")
        for repeated in repeated_keys(document.root)
    ]
    try:
        form = Questionnaire.model_validate(document.data)
    except ValidationError as exc:
        problems += locator.from_pydantic(exc)
        form = lenient_form(document.data)
    problems += check_logic(form, locator)
    if problems:
        raise QuestionnaireError(sorted(problems, key=lambda problem: problem.line or 0))
    return form


class Locator:
    """Finds the YAML line and question id behind a location like ('questions', 3, 'label')."""

    def __init__(self, source: str, document: YamlMapping) -> None:
        self.source = source
        self.document = document
        self.data = document.data

    def problem(self, loc: Loc, message: str) -> Problem:
        return Problem(self.source, self.line(loc), self.question_id(loc), message)

    def line(self, loc: Loc) -> int:
        return self.document.line(loc)

    def question_id(self, loc: Loc) -> str | None:
        if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
            questions = self.data.get("questions")
            if isinstance(questions, list) and loc[1] < len(questions):
                item = questions[loc[1]]
                ident = item.get("id") if isinstance(item, dict) else None
                if isinstance(ident, str):
                    return ident
                return f"#{loc[1] + 1}"
        return None

    def from_pydantic(self, error: ValidationError) -> list[Problem]:
        problems: list[Problem] = []
        seen: set[str] = set()
        errors = error.errors()
        deeper = {tuple(item["loc"][:n]) for item in errors for n in range(1, len(item["loc"]))}
        for item in errors:
            if item["type"] == "too_short" and tuple(item["loc"]) in deeper:
                continue  # pydantic also counts the items that failed: their own errors say why
            loc, raw, branch = self.resolve(tuple(item["loc"]))
            if branch == "str" and not isinstance(raw, str):
                continue  # the other shape of ``choices`` explains the real problem
            message = _explain(item, loc, raw)
            problem = self.problem(loc, message)
            if str(problem) not in seen:
                seen.add(str(problem))
                problems.append(problem)
        return problems

    def resolve(self, loc: Loc) -> tuple[Loc, Any, str | None]:
        """Drop pydantic's union branch names from a location, keeping the data's own keys."""
        kept: list[str | int] = []
        current: Any = self.data
        branch: str | None = None
        for part in loc:
            if isinstance(current, dict) and part in current:
                current = current[part]
                kept.append(part)
            elif isinstance(current, list) and isinstance(part, int) and part < len(current):
                current = current[part]
                kept.append(part)
            elif isinstance(current, dict | list) and part not in ("str",) and not str(part).startswith(
                "tuple["
            ):
                kept.append(part)  # a missing key: point at its parent's line
                current = None
            else:
                branch = str(part)
        return tuple(kept), current, branch


def _path(loc: Loc) -> str:
    parts = [str(p) for p in loc[2:]] if len(loc) >= 2 and loc[0] == "questions" else [str(p) for p in loc]
    return ".".join(parts)


def _explain(item: Any, loc: Loc, raw: Any) -> str:
    kind = item["type"]
    field = loc[-1] if loc else ""
    where = _path(loc)
    prefix = f"{where}: " if where else ""
    if kind == "missing" and field in LANGUAGE_NAMES:
        return f"{prefix}the {LANGUAGE_NAMES[str(field)]} text is missing"
    if kind in ("string_too_short", "value_error") and field in LANGUAGE_NAMES:
        return f"{prefix}the {LANGUAGE_NAMES[str(field)]} text is empty"
    if kind == "missing":
        return f"{prefix}is required"
    if kind == "literal_error" and field == "type":
        return f"unknown question type {raw!r}; use one of: {', '.join(QUESTION_TYPES)}"
    if kind == "extra_forbidden":
        return f"unknown field {field!r}"
    if kind == "string_pattern_mismatch" and field == "id" and not {"choices", "choice_lists"} & set(loc):
        return f"id {raw!r} must start with a small latin letter and use only a-z, 0-9 and _ (at most 32)"
    if kind == "string_pattern_mismatch":
        return f"{prefix}choice id {raw!r} must use only a-z, 0-9 and _ (at most 24)"
    message = str(item["msg"]).removeprefix("Value error, ")
    return f"{prefix}{message}"


# ---- checks across questions: references, duplicates, choice lists ----


def check_logic(form: Questionnaire, locator: Locator) -> Iterator[Problem]:
    yield from _check_choice_lists(form, locator)
    seen: dict[str, Question] = {}
    later = {q.id for q in form.questions}
    for number, question in enumerate(form.questions):
        loc: Loc = ("questions", number)
        if question.id in seen:
            yield locator.problem((*loc, "id"), f"duplicate question id {question.id!r}")
        later.discard(question.id)
        if isinstance(question.choices, str) and question.choices not in form.choice_lists:
            yield locator.problem((*loc, "choices"), f"unknown choice list {question.choices!r}")
        choices = form.choices_of(question)
        if isinstance(question.choices, tuple):
            yield from _duplicates([c.id for c in choices], locator, (*loc, "choices"), "choices")
        yield from _check_ranges(form, question, locator, loc)
        if question.type == "multi" and choices and question.min is not None and question.min > len(choices):
            message = f"min {question.min:g} is more than the {len(choices)} choices"
            yield locator.problem((*loc, "min"), message)
        for field in ("relevant", "constraint", "end_if"):
            source = getattr(question, field)
            if source:
                yield from _check_expression(form, question, field, source, seen, later, locator, loc)
        seen[question.id] = question


def _check_choice_lists(form: Questionnaire, locator: Locator) -> Iterator[Problem]:
    for name, choices in form.choice_lists.items():
        if not choices:
            yield locator.problem(("choice_lists", name), f"choice list {name!r} is empty")
        ids = [c.id for c in choices]
        yield from _duplicates(ids, locator, ("choice_lists", name), f"choice list {name!r}")


def _check_ranges(form: Questionnaire, question: Question, locator: Locator, loc: Loc) -> Iterator[Problem]:
    choices = form.choices_of(question)
    if not has_ranges(choices):
        return
    where: Loc = (*loc, "choices") if not isinstance(question.choices, str) else (
        "choice_lists", question.choices)
    if question.type != "single":
        yield locator.problem((*loc, "choices"), "ranges apply to single-choice questions only")
        return
    for index, message in range_problems(choices):
        yield locator.problem((*where, index, "range") if index is not None else where, message)


def _duplicates(ids: list[str], locator: Locator, loc: Loc, what: str) -> Iterator[Problem]:
    for position, choice_id in enumerate(ids):
        if choice_id in ids[:position]:
            yield locator.problem((*loc, position, "id"), f"{what} has duplicate id {choice_id!r}")


def _check_expression(
    form: Questionnaire,
    question: Question,
    field: str,
    source: str,
    seen: dict[str, Question],
    later: set[str],
    locator: Locator,
    loc: Loc,
) -> Iterator[Problem]:
    here = (*loc, field)
    try:
        tree = parse_expression(source)
    except ExpressionError as exc:
        yield locator.problem(here, f"{field}: {exc} in {source!r}")
        return
    own_answer_allowed = field != "relevant"  # relevant is decided before the answer exists
    for name in sorted(references(tree)):
        if name in (CURRENT, question.id):
            if not own_answer_allowed:
                yield locator.problem(here, f"{field} cannot refer to this question's own answer")
            continue
        if name in later:
            message = f"{field} refers to {name!r}, which comes later; only earlier answers are known"
            yield locator.problem(here, message)
        elif name not in seen:
            yield locator.problem(here, f"{field} refers to unknown question {name!r}")
        elif not seen[name].answerable:
            yield locator.problem(here, f"{field} refers to note {name!r}, which has no answer")
    known = {**seen, question.id: question}
    for ref, value in _compared_literals(tree):
        target = known.get(question.id if ref == CURRENT else ref)
        if target is None or not isinstance(value, str):
            continue
        allowed = _allowed_values(form, target)
        if allowed is not None and value not in allowed:
            listed = ", ".join(sorted(allowed))
            yield locator.problem(here, f"{field}: {value!r} is not a choice of {target.id!r} ({listed})")


def _compared_literals(node: Node) -> Iterator[tuple[str, object]]:
    """(question id, literal) pairs an expression compares, to catch misspelt choice ids."""
    if isinstance(node, Compare) and node.op in ("=", "!="):
        for ref, other in ((node.left, node.right), (node.right, node.left)):
            if isinstance(ref, ExprRef) and isinstance(other, ExprLiteral):
                yield ref.name, other.value
    elif isinstance(node, InList) and isinstance(node.item, ExprRef):
        for option in node.options:
            yield node.item.name, option.value
    elif isinstance(node, Contains) and isinstance(node.collection, ExprRef):
        if isinstance(node.item, ExprLiteral):
            yield node.collection.name, node.item.value
    for child in getattr(node, "operands", ()) or ():
        yield from _compared_literals(child)
    operand = getattr(node, "operand", None)
    if operand is not None:
        yield from _compared_literals(operand)


def _allowed_values(form: Questionnaire, question: Question) -> set[str] | None:
    if question.type == "yes_no":
        return {"yes", "no"}
    if question.type in ("single", "multi"):
        return {c.id for c in form.choices_of(question)}
    return None
