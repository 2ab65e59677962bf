"""The questionnaire schema: close to XLSForm so that an XLSForm importer needs no new engine.

XLSForm's ``survey`` sheet is our ``questions`` (``name`` → ``id``, ``label``, ``hint``,
``required``, ``required_message``, ``relevant``, ``constraint``, ``constraint_message``), its
``choices`` sheet is ``choice_lists`` (or choices given inline), and its types map one to one:
``select_one`` → ``single``, ``select_multiple`` → ``multi``, ``integer``, ``decimal``, ``text``, ``date``,
``note``; ``yes_no`` and ``phone`` are conveniences. ``end_if`` ends the questionnaire after a
question (``end_as: declined`` also throws away what was given, for a refused consent).

Every text exists in Kazakh and Russian: a missing one is a validation error. Any text may
also carry ``sms: {kk: …, ru: …}``, its shorter SMS wording.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from flows.events import Localized

QuestionType = Literal["single", "multi", "yes_no", "integer", "decimal", "text", "phone", "date", "note"]
QUESTION_TYPES: tuple[QuestionType, ...] = get_args(QuestionType)
CHOICE_TYPES = frozenset({"single", "multi"})
ID_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"
CHOICE_ID_PATTERN = r"^[a-z0-9][a-z0-9_]{0,23}$"  # short: it travels in Telegram callback data
DEFAULT_TEXT_LENGTH = 500


class ShortText(BaseModel):
    """A text in both languages: the ``sms:`` wording of a longer text."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kk: str = Field(min_length=1)
    ru: str = Field(min_length=1)

    @field_validator("kk", "ru")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is blank")
        return value.strip()


class Bilingual(ShortText):
    """A text in both languages; ``sms:`` optionally says it shorter for SMS, where every
    70 Cyrillic characters are one paid message (Telegram and the terminal show the full text)."""

    # ``sms: ""`` leaves the text out of SMS (an introduction the first question already says).
    sms: ShortText | Literal[""] | None = None

    def localized(self) -> Localized:
        if self.sms is None:
            return Localized(kk=self.kk, ru=self.ru)
        short = Localized("", "") if self.sms == "" else Localized(kk=self.sms.kk, ru=self.sms.ru)
        return Localized(kk=self.kk, ru=self.ru, short=short)

    def full(self) -> Localized:
        """The full text on every channel (asked for with «толығырақ» / «подробнее»)."""
        return Localized(kk=self.kk, ru=self.ru)


class ChoiceDef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=CHOICE_ID_PATTERN)
    label: Bilingual
    # Other words a villager may type for this choice ("ПК", "комп").
    aliases: tuple[str, ...] = ()
    # Cannot be chosen together with other choices ("nothing stops me").
    exclusive: bool = False
    # single: the numbers this choice stands for, both ends included, null for open ("60 and
    # older": [60, null]); a typed "62" then selects it (flows/questionnaire/answers.py).
    range: tuple[int | None, int | None] | None = None

    @model_validator(mode="after")
    def _said_over_sms(self) -> ChoiceDef:
        if self.label.sms == "":
            raise ValueError("a choice cannot be left out of SMS: give a short sms text instead")
        return self


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    type: QuestionType
    label: Bilingual
    hint: Bilingual | None = None
    required: bool = True
    # Said instead of "This question cannot be skipped" when a required question is skipped.
    required_message: Bilingual | None = None
    choices: str | tuple[ChoiceDef, ...] | None = None
    # multi: number of selections; integer/decimal: the value.
    min: float | None = None
    max: float | None = None
    max_length: int = Field(default=DEFAULT_TEXT_LENGTH, ge=1, le=4000)
    relevant: str | None = None
    constraint: str | None = None
    constraint_message: Bilingual | None = None
    end_if: str | None = None
    end_message: Bilingual | None = None
    end_as: Literal["completed", "declined"] = "completed"
    # How many SMS segments this question may cost, when it cannot fit the usual budget
    # (``clc-admin questionnaire validate --sms-budget``).
    sms_budget: int | None = Field(default=None, ge=1, le=10)

    @model_validator(mode="after")
    def _fits_its_type(self) -> Question:
        if self.label.sms == "":
            raise ValueError("a question cannot be left out of SMS: give a short sms text instead")
        if self.type in CHOICE_TYPES and not self.choices:
            raise ValueError(f"a {self.type} question needs choices (a list name or a list)")
        if self.type not in CHOICE_TYPES and self.choices is not None:
            raise ValueError(f"a {self.type} question takes no choices")
        if (self.min is not None or self.max is not None) and self.type not in (
            "multi", "integer", "decimal"
        ):
            raise ValueError("min and max apply to multi, integer and decimal questions only")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min:g}) is greater than max ({self.max:g})")
        if self.required_message is not None and not self.required:
            raise ValueError("required_message applies to required questions only")
        if self.constraint and self.constraint_message is None:
            raise ValueError("a constraint needs a constraint_message saying what is expected")
        if self.end_if and self.end_message is None:
            raise ValueError("end_if needs an end_message to say goodbye")
        if self.type == "note" and (self.end_if or self.constraint or not self.required):
            raise ValueError("a note expects no answer: no end_if, constraint or required: false")
        return self

    @property
    def answerable(self) -> bool:
        return self.type != "note"


class Questionnaire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    title: Bilingual
    intro: Bilingual | None = None
    thanks: Bilingual
    choice_lists: dict[str, tuple[ChoiceDef, ...]] = Field(default_factory=dict)
    questions: tuple[Question, ...] = Field(min_length=1)

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def index(self, question_id: str) -> int:
        for number, question in enumerate(self.questions):
            if question.id == question_id:
                return number
        raise KeyError(question_id)

    def choices_of(self, question: Question) -> tuple[ChoiceDef, ...]:
        if isinstance(question.choices, str):
            return self.choice_lists.get(question.choices, ())
        return question.choices or ()


@dataclass(frozen=True)
class Published:
    """A questionnaire as stored: the definition and the version its answers point at."""

    form: Questionnaire
    version: int

    @property
    def id(self) -> str:
        return self.form.id


@dataclass(frozen=True)
class RunFacts:
    """A contact's unfinished run, as the database knows it (to resume after a detour)."""

    run_key: str
    published: Published
    answers: dict[str, object]
