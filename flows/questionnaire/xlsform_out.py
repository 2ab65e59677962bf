"""A questionnaire as XLSForm sheets (rows of column → text), for KoBoToolbox, ODK or Excel.

Pure: the sheets are written to a file by ``bot.xlsform``. Everything XLSForm says is in its
own columns (types, names, labels and hints in ``label::Kazakh (kk)`` and
``label::Russian (ru)``, ``required``, ``relevant`` and ``constraint`` as XPath, their messages);
what only the bot knows is in ``bot_…`` columns (:mod:`flows.questionnaire.xlsform_columns`),
which other tools ignore and :func:`flows.questionnaire.xlsform.import_xlsform` reads back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flows.errors import ExpressionError
from flows.events import Localized
from flows.questionnaire.expr import parse_expression
from flows.questionnaire.schema import DEFAULT_TEXT_LENGTH, Bilingual, ChoiceDef, Question, Questionnaire
from flows.questionnaire.xlsform_columns import ENGINE_COLUMNS, LANGUAGE_COLUMNS, LANGUAGES, language_header
from flows.questionnaire.xlsform_texts import NO_SMS, column_base, sms_header
from flows.questionnaire.xlsform_work import choice_questions_for
from flows.questionnaire.xpath import Choices, from_xpath, plain_number, to_source, to_xpath

Row = dict[str, str]
YES_NO = (("yes", Localized(kk="Иә", ru="Да")), ("no", Localized(kk="Жоқ", ru="Нет")))
SURVEY_FIRST = ("type", "name", "label::Kazakh (kk)", "label::Russian (ru)")


@dataclass(frozen=True)
class SheetRows:
    name: str
    headers: tuple[str, ...]
    rows: tuple[Row, ...]


def _texts(row: Row, field: str, text: Bilingual | None) -> None:
    if text is None:
        return
    base = column_base(field)
    for language in LANGUAGES:
        row[language_header(base, language)] = getattr(text, language)
        if text.sms == "":
            row[sms_header(field, language)] = NO_SMS
        elif text.sms is not None:
            row[sms_header(field, language)] = getattr(text.sms, language)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else plain_number(value)


def _xpath(source: str) -> str:
    return to_xpath(parse_expression(source))


def _choice_questions(form: Questionnaire) -> Choices:
    """What the import will know of the choice questions, to foresee how it reads an XPath."""
    texts = {q.id for q in form.questions if q.type in ("single", "multi", "yes_no")}
    names = {q.id: [c.id for c in form.choices_of(q)]
             for q in form.questions if q.type in ("single", "yes_no")}
    return Choices(texts, names)


def _expression(row: Row, field: str, source: str, choices: Choices) -> None:
    """The XPath in its column; and the engine's own text in a ``bot_`` column when the XPath
    would not read back as the same (``in (…)``, a bare yes/no answer …)."""
    xpath = _xpath(source)
    column = column_base(field) if field == "end_if" else field
    row[column] = xpath
    try:
        same = to_source(from_xpath(xpath, choices=choices)) == to_source(parse_expression(source))
    except ExpressionError:
        same = False
    if not same:
        row[ENGINE_COLUMNS[column]] = source


def _free_name(wanted: str, taken: set[str]) -> str:
    name, number = wanted, 1
    while name in taken:
        name, number = f"{wanted}_{number}", number + 1
    taken.add(name)
    return name


def _choice_row(list_name: str, choice: ChoiceDef) -> Row:
    row: Row = {"list_name": list_name, "name": choice.id}
    _texts(row, "label", choice.label)
    if choice.aliases:
        row["bot_aliases"] = "; ".join(choice.aliases)
    if choice.exclusive:
        row["bot_exclusive"] = "yes"
    if choice.range is not None:
        low, high = ("" if end is None else str(end) for end in choice.range)
        row["bot_range"] = f"{low}..{high}"
    return row


def _question_row(form: Questionnaire, question: Question, list_name: str | None) -> Row:
    kinds = {"single": "select_one", "multi": "select_multiple", "yes_no": "select_one", "phone": "text"}
    kind = kinds.get(question.type, question.type)
    row: Row = {"type": f"{kind} {list_name}" if list_name else kind, "name": question.id}
    for field in ("label", "hint", "required_message", "constraint_message", "end_message"):
        _texts(row, field, getattr(question, field))
    if question.answerable and question.required:
        row["required"] = "yes"
    ids = sorted(c.id for c in form.choices_of(question))
    if question.type == "phone" or (question.type == "single" and ids == ["no", "yes"]):
        row["bot_type"] = question.type  # not to be read back as text or as yes/no
    if question.type == "phone":
        row["appearance"] = "numbers"
    if isinstance(question.choices, tuple):
        row["bot_choices"] = "inline"
    choices = _choice_questions(form)
    for field in ("relevant", "constraint", "end_if"):
        source = getattr(question, field)
        if source:
            own = choices if field != "constraint" else choice_questions_for(choices, question.id, kind)
            _expression(row, field, source, own)
    if question.end_as != "completed":
        row["bot_end_as"] = question.end_as
    for field in ("min", "max"):
        value = getattr(question, field)
        if value is not None:
            row[f"bot_{field}"] = _number(value)
    if question.max_length != DEFAULT_TEXT_LENGTH:
        row["bot_max_length"] = str(question.max_length)
    if question.sms_budget is not None:
        row["bot_sms_budget"] = str(question.sms_budget)
    return row


def export_xlsform(form: Questionnaire) -> tuple[SheetRows, ...]:
    """The ``survey``, ``choices`` and ``settings`` sheets of a questionnaire."""
    taken = set(form.choice_lists)
    choices: list[Row] = [_choice_row(name, choice)
                          for name, items in form.choice_lists.items() for choice in items]
    survey: list[Row] = []
    yes_no: str | None = None
    for question in form.questions:
        list_name: str | None = question.choices if isinstance(question.choices, str) else None
        if isinstance(question.choices, tuple):
            list_name = _free_name(question.id, taken)
            choices += [_choice_row(list_name, choice) for choice in question.choices]
        elif question.type == "yes_no":
            if yes_no is None:
                yes_no = _free_name("yes_no", taken)
                for choice_id, label in YES_NO:
                    choices.append({"list_name": yes_no, "name": choice_id,
                                    "label::Kazakh (kk)": label.kk, "label::Russian (ru)": label.ru})
            list_name = yes_no
        survey.append(_question_row(form, question, list_name))
    settings: Row = {"form_id": form.id, "form_title": form.title.kk,
                     "default_language": LANGUAGE_COLUMNS["kk"]}
    for field in ("title", "intro", "thanks"):
        _texts(settings, field, getattr(form, field))
    return (
        SheetRows("survey", _headers(survey, SURVEY_FIRST), tuple(survey)),
        SheetRows("choices", _headers(choices, ("list_name", "name", *SURVEY_FIRST[2:])), tuple(choices)),
        SheetRows("settings", _headers([settings], ()), (settings,)),
    )


def _headers(rows: list[Row], first: tuple[str, ...]) -> tuple[str, ...]:
    """The given columns first, then the others as they first appear, the bot's own last."""
    seen: dict[str, Any] = dict.fromkeys(first)
    for row in rows:
        seen.update(dict.fromkeys(row))
    names = list(seen)
    return tuple([n for n in names if not n.startswith("bot_")] + [n for n in names if n.startswith("bot_")])
