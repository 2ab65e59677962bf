"""An XLSForm, already read into rows (by pyxform, in ``bot.xlsform``), as a checked questionnaire.

Pure: rows in, a :class:`Questionnaire` and warnings out, or :class:`QuestionnaireError` with
every problem naming its sheet, row and column. Groups are flattened, their ``relevant``
joined to their questions' own; ``relevant`` and ``constraint`` are translated from XPath
(:mod:`flows.questionnaire.xpath`); the result is checked exactly as a YAML questionnaire is
(the schema, then :func:`flows.questionnaire.loader.check_logic`).

What a chat cannot ask (a photo, a place, a repeat …) is refused, every such row listed at
once, unless ``skip_unsupported`` drops them with a warning. ``calculate`` rows are dropped
with a warning; metadata (``start``, ``today``, ``deviceid`` …) silently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic import ValidationError

from flows.errors import Problem, QuestionnaireError
from flows.questionnaire.expr import BoolOp, Node
from flows.questionnaire.lenient import lenient_form
from flows.questionnaire.loader import check_logic
from flows.questionnaire.schema import Questionnaire
from flows.questionnaire.xlsform_columns import (
    FALSE_WORDS,
    TRUE_WORDS,
    Columns,
    SheetProblem,
    truthy,
)
from flows.questionnaire.xlsform_place import SheetLocator
from flows.questionnaire.xlsform_texts import Texts
from flows.questionnaire.xlsform_work import (
    Row,
    Sheets,
    Work,
    choice_lists,
    choice_questions,
    choice_questions_for,
    choices_of,
    expression,
    normal_type,
)
from flows.questionnaire.xpath import Choices, to_source

META = frozenset({
    "start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username",
    "email", "audit", "start-geopoint", "background-geopoint", "imei", "uri:deviceid", "instanceid",
})
NOTED = frozenset({"calculate", "hidden", "xml-external", "csv-external"})
UNSUPPORTED = frozenset({
    "geopoint", "geotrace", "geoshape", "image", "photo", "audio", "video", "file", "barcode",
    "background-audio", "select_one_from_file", "select_multiple_from_file", "select_one_external",
    "select_multiple_external", "rank", "time", "datetime", "begin_repeat", "begin_loop",
})
PLAIN = {"text": "text", "string": "text", "integer": "integer", "int": "integer", "decimal": "decimal",
         "date": "date", "note": "note"}
ACKNOWLEDGED = ({"id": "ok", "label": {"kk": "Жарайды", "ru": "Хорошо"}},)
MAX_QUESTIONS = 300  # a chat survey; every step of the bot reads the whole questionnaire
DEFAULT_THANKS = {"kk": "Рақмет! Жауаптарыңыз сақталды.", "ru": "Спасибо! Ваши ответы сохранены."}
DEFAULT_CONSTRAINT = {"kk": "Бұл жауап сәйкес келмейді, басқасын жіберіңіз.",
                      "ru": "Этот ответ не подходит, отправьте другой."}


@dataclass(frozen=True)
class Imported:
    form: Questionnaire
    warnings: tuple[str, ...]


@dataclass
class _Group:
    row: int
    relevant: Node | None


def size_problem(sheets: Sheets) -> Problem | None:
    """A form too long for a chat survey, said before anything else is done with it."""
    count = sum(1 for row in sheets.survey if row.get("type", "").strip() and normal_type(row["type"])[0]
                not in (*META, *NOTED, "begin_group", "end_group"))
    if count <= MAX_QUESTIONS:
        return None
    return SheetProblem(sheets.source, None, None, f"{count} questions; a questionnaire may have at most "
                        f"{MAX_QUESTIONS}: split the form", sheet="survey")


def import_xlsform(sheets: Sheets, *, questionnaire_id: str | None = None,
                   skip_unsupported: bool = False) -> Imported:
    """The questionnaire an XLSForm describes; raises :class:`QuestionnaireError` with every problem."""
    too_long = size_problem(sheets)
    if too_long is not None:
        raise QuestionnaireError([too_long])
    settings: Row = sheets.settings[0] if sheets.settings else {}
    default_language = settings.get("default_language")
    survey_columns = Columns(_headers(sheets.survey), default_language)
    choice_columns = Columns(_headers(sheets.choices), default_language)
    settings_columns = Columns(settings.keys(), default_language)
    work = Work(sheets, skip_unsupported, Texts(sheets.source, survey_columns, choice_columns))
    for columns in (survey_columns, choice_columns, settings_columns):
        work.warnings += [f"{sheets.source}: column '{h}' is not in Kazakh or Russian: not used"
                          for h in columns.ignored]
    questions = _questions(work, choice_questions(sheets))
    lists = choice_lists(work)
    data: dict[str, Any] = {
        "id": questionnaire_id or settings.get("form_id") or _stem(sheets.source),
        "title": work.texts.settings(settings, settings_columns, "title", settings.get("form_title")
                                     or settings.get("form_id") or _stem(sheets.source)),
        "thanks": work.texts.settings(settings, settings_columns, "thanks", None) or dict(DEFAULT_THANKS),
        "choice_lists": lists,
        "questions": questions,
    }
    intro = work.texts.settings(settings, settings_columns, "intro", None)
    if intro is not None:
        data["intro"] = intro
    work.places.settings_columns = settings_columns
    work.places.id_from = "option" if questionnaire_id else "settings" if settings.get("form_id") else "file"
    work.places.survey_columns = survey_columns
    work.places.choice_columns = choice_columns
    problems = [*work.problems, *work.texts.problems, *work.unsupported]
    if work.skip_unsupported:
        problems = [*work.problems, *work.texts.problems]
        work.warnings += [f"{p} (dropped)" for p in work.unsupported]
    locator = SheetLocator(sheets.source, data, work.places)
    try:
        form = Questionnaire.model_validate(data)
    except ValidationError as exc:
        problems += locator.from_pydantic(exc)
        form = lenient_form(data)
    problems += [_why_unknown(problem, work.dropped) for problem in check_logic(form, locator)]
    if problems:
        raise QuestionnaireError(problems)
    return Imported(form, tuple(work.warnings))


def _why_unknown(problem: Problem, dropped: Mapping[str, str]) -> Problem:
    """"refers to unknown question 'x'" says which row 'x' was, when the import left it out."""
    match = re.search(r"refers to unknown question '([^']*)'$", problem.message)
    if match is None or match.group(1) not in dropped:
        return problem
    return replace(problem, message=f"{problem.message}: {dropped[match.group(1)]}")


def _headers(rows: Sequence[Row]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)


def _stem(source: str) -> str:
    name = re.split(r"[\\/]", source)[-1]
    return name.rsplit(".", 1)[0].lower()


def _questions(work: Work, choices: Choices) -> list[dict[str, Any]]:
    questions: list[dict[str, Any]] = []
    groups: list[_Group] = []
    skipping: list[int] = []  # the rows of the repeats being dropped
    for index, row in enumerate(work.sheets.survey):
        number = index + 2
        if not row or not row.get("type", "").strip():
            continue
        kind, list_name, rest = normal_type(row["type"])
        name = row.get("name", "").strip()
        if skipping:
            if kind in ("begin_repeat", "begin_loop"):
                skipping.append(number)
            elif kind in ("end_repeat", "end_loop"):
                skipping.pop()
            continue
        if kind in META:
            continue
        if kind in NOTED:
            work.warnings.append(f"{work.sheets.source}: survey sheet, row {number}: {kind} '{name}' is "
                                 "not used (the bot computes nothing)")
            work.dropped[name] = f"the {kind} of row {number}, which the bot does not use"
            continue
        if kind == "begin_group":
            groups.append(_Group(number, expression(work, row, number, "relevant", choices)))
            continue
        if kind == "end_group":
            if not groups:
                work.problem("survey", number, "type", "end_group without a begin_group")
            else:
                groups.pop()
            continue
        refusal = _refusal(kind, row, rest)
        if refusal is not None:
            work.unsupported.append(SheetProblem(
                work.sheets.source, number, name or None, refusal, sheet="survey", column="type"))
            work.dropped[name] = f"the question of row {number}, which a chat cannot ask"
            if kind in ("begin_repeat", "begin_loop"):
                skipping.append(number)
            continue
        question = _question(work, row, number, kind, list_name, choices, groups)
        if question is not None:
            work.places.question_rows.append(number)
            questions.append(question)
    for group in groups:
        work.problem("survey", group.row, "type", "begin_group without an end_group")
    return questions


def _refusal(kind: str, row: Row, rest: str) -> str | None:
    if kind in ("begin_repeat", "begin_loop"):
        return "repeat groups cannot be asked in a chat"
    if kind in UNSUPPORTED:
        return f"'{kind}' questions cannot be asked in a chat"
    if kind == "range" and row.get("appearance", "").strip():
        return f"a range with the '{row['appearance'].strip()}' widget cannot be shown in a chat"
    if "or_other" in rest.split():
        return "or_other is not supported: add an 'other' choice and a text question"
    if row.get("choice_filter", "").strip() and "${" in row["choice_filter"]:
        return "a choice_filter that depends on other answers is not supported"
    if kind not in (*PLAIN, "select_one", "select_multiple", "acknowledge", "range"):
        return f"unknown question type '{kind}'"
    return None


def _question(work: Work, row: Row, number: int, kind: str, list_name: str | None,
              choices: Choices, groups: list[_Group]) -> dict[str, Any] | None:
    texts = work.texts
    question: dict[str, Any] = {"id": row.get("name", "").strip(), "type": PLAIN.get(kind, kind)}
    for name in ("label", "hint", "required_message", "constraint_message", "end_message"):
        value = texts.question(row, number, name)
        if value is not None:
            question[name] = value
    if kind != "note":
        question["required"] = truthy(row.get("required"))
        given = row.get("required", "").strip()
        if given.lower() not in TRUE_WORDS | FALSE_WORDS:
            work.warnings.append(f"{work.sheets.source}: survey sheet, row {number}: required {given!r} is "
                                 "an expression; the bot asks the question as optional")
        if not question["required"] and "required_message" in question:
            work.warnings.append(f"{work.sheets.source}: survey sheet, row {number}: required_message of an "
                                 "optional question is not used")
            del question["required_message"]
    if kind in ("select_one", "select_multiple"):
        question["type"] = "single" if kind == "select_one" else "multi"
        question["choices"] = choices_of(work, row, number, list_name or "", question)
    elif kind == "acknowledge":
        question.update(type="single", choices=list(ACKNOWLEDGED))
    elif kind == "range":
        _range(work, row, number, question)
    bot_type = row.get("bot_type", "").strip()
    if bot_type:
        question["type"] = bot_type
        if bot_type not in ("single", "multi"):
            question.pop("choices", None)
    _bot_fields(work, row, number, question, choices)
    own = expression(work, row, number, "relevant", choices)
    conditions = [g.relevant for g in groups if g.relevant is not None] + ([own] if own is not None else [])
    if conditions:
        joined = conditions[0] if len(conditions) == 1 else BoolOp("and", tuple(conditions))
        question["relevant"] = to_source(joined)
    own_choices = choice_questions_for(choices, question["id"], kind)
    constraint = expression(work, row, number, "constraint", own_choices)
    if constraint is not None:
        question["constraint"] = to_source(constraint)
        if "constraint_message" not in question:
            question["constraint_message"] = dict(DEFAULT_CONSTRAINT)
            work.warnings.append(f"{work.sheets.source}: survey sheet, row {number}: no constraint_message; "
                                 f"the bot says «{DEFAULT_CONSTRAINT['ru']}»")
    return question


def _range(work: Work, row: Row, number: int, question: dict[str, Any]) -> None:
    """A range without a widget: a number between its start and end."""
    parameters = dict(part.split("=", 1) for part in row.get("parameters", "").split() if "=" in part)
    start, end, step = (parameters.get(key, default).strip()
                        for key, default in (("start", "1"), ("end", "10"), ("step", "1")))
    whole = all(re.fullmatch(r"-?\d+", v) for v in (start, end, step))
    question.update(type="integer" if whole else "decimal", min=start, max=end)


def _bot_fields(
    work: Work, row: Row, number: int, question: dict[str, Any], choices: Choices
) -> None:
    for name in ("min", "max", "max_length", "end_as", "sms_budget"):
        value = row.get(f"bot_{name}", "").strip()
        if value:
            question[name] = value
    end_if = expression(work, row, number, "bot_end_if", choices)
    if end_if is not None:
        question["end_if"] = to_source(end_if)
