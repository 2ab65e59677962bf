"""Who a broadcast goes to, as plain data: the ``Audience`` value, its checks, and who is never
reached (``SkipReason``).

An audience is always one centre's people (``storage.audiences`` selects them), narrowed by
every filter that is set (they combine with "and"): a language, a channel, a condition over
the person's latest completed needs-survey answers (the questionnaires' own safe expression
language, ``flows.questionnaire.expr``), one group of a course (seat holders, offers, waiting
list, attended), or ``for_course``: people whose survey interests match the course's tags and
who are not on it yet.

Pure: the bot's ``/announce`` flow builds an ``Audience`` and the CLI parses its options into
one; both store ``to_json()`` with the broadcast.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from flows.errors import DataError
from flows.questionnaire.expr import Node, evaluate, parse_expression

CourseGroup = Literal["seated", "offered", "waiting", "attended"]
COURSE_GROUPS: tuple[CourseGroup, ...] = get_args(CourseGroup)
LANGUAGES = ("kk", "ru")
# Telegram's limit for one message; SMS has none of its own but costs per segment.
MAX_TEXT = 4096
# The needs survey's question and choice that mean "do not contact me", and its interests.
CONTACT_QUESTION = "contact_channel"
NO_CONTACT = "no_contact"
INTERESTS_QUESTION = "interests"

# Why someone the audience names gets nothing, in the order they are checked.
SkipReason = Literal["do not contact me", "no consent", "opted out", "unreachable"]
SKIP_REASONS: tuple[SkipReason, ...] = get_args(SkipReason)


@dataclass(frozen=True)
class Audience:
    """The filters of one broadcast; None means "not narrowed by this"."""

    language: str | None = None
    channel: str | None = None
    survey: str | None = None  # a condition over needs-survey answers
    course_id: int | None = None
    course_group: CourseGroup | None = None
    for_course_id: int | None = None

    def __post_init__(self) -> None:
        if self.language is not None and self.language not in LANGUAGES:
            raise DataError(f"language {self.language!r}: give kk or ru")
        if (self.course_id is None) != (self.course_group is None):
            raise DataError("a course group needs its course, and a course its group "
                            f"({', '.join(COURSE_GROUPS)})")
        if self.course_group is not None and self.course_group not in COURSE_GROUPS:
            raise DataError(f"course group {self.course_group!r}: give one of {', '.join(COURSE_GROUPS)}")
        if self.survey is not None:
            survey_condition(self.survey)

    def to_json(self) -> dict[str, Any]:
        return {key: value for key, value in self.__dict__.items() if value is not None}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Audience:
        known = {key: data[key] for key in cls.__dataclass_fields__ if key in data}
        return cls(**known)

    @property
    def course_of_announcement(self) -> int | None:
        """The course a ``for_course`` broadcast announces (enrolment straight from it)."""
        return self.for_course_id


def survey_condition(source: str) -> Node:
    """The parsed condition; a ``DataError`` saying where it does not parse."""
    if not source.strip():
        raise DataError("the survey condition is empty")
    try:
        return parse_expression(source)
    except DataError as exc:
        raise DataError(f"survey condition {source!r}: {exc}") from None


def matches_survey(condition: Node, answers: Mapping[str, Any]) -> bool:
    """Whether one person's latest needs-survey answers meet the condition (no answers: no)."""
    return bool(answers) and evaluate(condition, answers)


def wants_no_contact(answers: Mapping[str, Any]) -> bool:
    return answers.get(CONTACT_QUESTION) == NO_CONTACT


def interested_in(answers: Mapping[str, Any], tags: Sequence[str]) -> bool:
    """A survey's chosen interests share a tag with the course (tags are interest ids)."""
    chosen = answers.get(INTERESTS_QUESTION)
    if isinstance(chosen, str):
        chosen = [chosen]
    return isinstance(chosen, list) and bool(set(chosen) & set(tags))


def text_problem(text: str) -> str | None:
    """Why a broadcast text cannot be sent, in English for the CLI (the bot says its own)."""
    if not text.strip():
        return "the text is empty"
    if len(text) > MAX_TEXT:
        return f"the text has {len(text)} characters; Telegram takes at most {MAX_TEXT}"
    return None
