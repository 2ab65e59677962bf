"""What can be read of a questionnaire that failed validation, so the checks across questions
(references, duplicates, expressions, choice lists) still run and every problem shows at once.

Each question and choice is validated on its own; one that fails is rebuilt field by field from
the fields that are valid by themselves, and a field that is not valid is left empty (``None``),
which the checks across questions skip. Its problem is already in the schema errors. Nothing
built here is ever used to run a survey: :func:`flows.questionnaire.loader.load_questionnaire`
raises whenever the schema failed.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar, cast

from pydantic import BaseModel, TypeAdapter, ValidationError

from flows.questionnaire.schema import ChoiceDef, Question, Questionnaire

Model = TypeVar("Model", bound=BaseModel)
_ANNOTATED = cast(Any, Annotated)  # built at run time from each field's type and constraints


def lenient_form(data: dict[str, Any]) -> Questionnaire:
    raw_lists = data.get("choice_lists")
    lists = {
        str(name): _choices(items) for name, items in raw_lists.items()
    } if isinstance(raw_lists, dict) else {}
    raw_questions = data.get("questions")
    questions = tuple(
        _question(item, number) for number, item in enumerate(raw_questions)
    ) if isinstance(raw_questions, list) else ()
    # Only questions and choice lists are read by the checks across questions.
    fields: dict[str, Any] = {"id": data.get("id"), "choice_lists": lists, "questions": questions}
    return Questionnaire.model_construct(**fields)


def _choices(items: object) -> tuple[ChoiceDef, ...]:
    if not isinstance(items, list):
        return ()
    return tuple(_lenient(ChoiceDef, item, f"#{number + 1}") for number, item in enumerate(items))


def _question(item: object, number: int) -> Question:
    question = _lenient(Question, item, f"#{number + 1}")
    raw = item.get("choices") if isinstance(item, dict) else None
    if isinstance(raw, list) and question.choices is None:  # one bad choice: keep the others
        question = question.model_copy(update={"choices": _choices(raw)})
    return question


def _lenient(model: type[Model], item: object, placeholder: str) -> Model:
    if isinstance(item, dict):
        try:
            return model.model_validate(item)
        except ValidationError:
            pass
    raw = item if isinstance(item, dict) else {}
    values: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if name in raw:
            try:
                adapter: TypeAdapter[Any] = TypeAdapter(_ANNOTATED[field.annotation, field])
                values[name] = adapter.validate_python(raw[name])
            except ValidationError:
                values[name] = None
        elif field.is_required():
            values[name] = None
    if not isinstance(values.get("id"), str):
        values["id"] = raw.get("id") if isinstance(raw.get("id"), str) else placeholder
    return model.model_construct(**values)
