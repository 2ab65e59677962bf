"""A course described in a YAML file, for ``clc-admin course add --file`` and ``course edit --file``.

Example (times are the centre's local time)::

    code: embroidery-1
    title: {kk: Кесте тігу, ru: Вышивка}
    description: {kk: Ұлттық өрнектер, ru: Национальные узоры}
    tags: [crafts]
    capacity: 8
    policy: priority:unemployed,women
    offer_hours: 48
    enrol_closes: 2026-12-10 18:00
    sessions:
      - {start: 2026-12-12 15:00, minutes: 120, place: {kk: Клуб, ru: Клуб}}

Every problem is reported with the file and line, all at once, like a questionnaire's.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Sequence
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from flows.courses.policy import parse_policy
from flows.errors import CourseFileError, PolicyError, Problem
from flows.questionnaire.schema import Bilingual
from flows.yamlfile import YamlMapping, read_mapping
from flows.yamlkeys import dotted, repeated_keys

CODE_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
_TIME: TypeAdapter[dt.datetime] = TypeAdapter(dt.datetime)


class SessionDef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    start: dt.datetime
    minutes: int = Field(ge=10, le=600)
    place: Bilingual


class CourseDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=CODE_PATTERN)
    title: Bilingual
    description: Bilingual | None = None
    tags: tuple[str, ...] = ()
    capacity: int = Field(ge=1, le=1000)
    policy: str = "fcfs"
    offer_hours: int = Field(default=48, ge=1, le=24 * 14)
    enrol_opens: dt.datetime | None = None
    enrol_closes: dt.datetime | None = None
    sessions: tuple[SessionDef, ...] = ()

    @field_validator("policy")
    @classmethod
    def _known_policy(cls, value: str) -> str:
        try:
            return str(parse_policy(value))
        except PolicyError as exc:
            raise ValueError(str(exc)) from None

    @model_validator(mode="after")
    def _dates_in_order(self) -> CourseDefinition:
        # Said with its line by _order_problems; kept here so no definition escapes the rule.
        if self.enrol_opens and self.enrol_closes and self.enrol_closes <= self.enrol_opens:
            raise ValueError("enrol_closes must come after enrol_opens")
        starts = [s.start for s in self.sessions]
        if len(set(starts)) != len(starts):
            raise ValueError("two sessions start at the same time")
        return self



def load_course_file(text: str, source: str, known_tags: Collection[str]) -> CourseDefinition:
    document = read_mapping(text, source, expected="code, title, capacity")
    if isinstance(document, Problem):
        raise CourseFileError(str(document))
    return _validated(document.data, source, known_tags, document)


def course_from_fields(data: dict[str, Any], source: str, known_tags: Collection[str]) -> CourseDefinition:
    """Check a definition built another way (command-line flags): the same rules as a file."""
    return _validated(data, source, known_tags, None)


def _validated(
    data: dict[str, Any], source: str, known_tags: Collection[str], document: YamlMapping | None
) -> CourseDefinition:
    """The definition, or every problem at once (keys given twice, each field, unknown tags,
    dates out of order), each with its file and line."""
    def where(loc: Sequence[int | str]) -> str:
        return f"{source}:{document.line(loc)}" if document is not None else source

    problems = [f"{source}:{repeated.line}: {dotted(repeated.loc)}: is given twice; only the last one counts"
                for repeated in (repeated_keys(document.root) if document is not None else ())]
    _stringify_times(data)
    course: CourseDefinition | None = None
    try:
        course = CourseDefinition.model_validate(data)
    except ValidationError as exc:
        # The checks across fields (below) also run when a field failed: skip pydantic's own.
        problems += [f"{where(error['loc'])}: {_path(error['loc'])}: {_message(error)}"
                     for error in exc.errors() if error["loc"]]
    tags = data.get("tags")
    unknown = [index for index, tag in enumerate(tags if isinstance(tags, list | tuple) else ())
               if isinstance(tag, str) and tag not in known_tags]
    for index in unknown:
        assert isinstance(tags, list | tuple)
        problems.append(f"{where(('tags', index))}: tags: unknown interest id {tags[index]!r}")
    if unknown:
        problems.append(f"{where(('tags',))}: tags: the interest ids are {', '.join(sorted(known_tags))}")
    problems += [f"{where(loc)}: {_path(loc)}: {message}" for loc, message in _order_problems(data)]
    if problems or course is None:
        raise CourseFileError("\n".join(sorted(problems, key=_line_of)))
    return course


def _line_of(problem: str) -> int:
    """Problems in the order of the file ("file:12: …"); flags have no line and keep their order."""
    parts = problem.split(":")
    return int(parts[1]) if len(parts) > 1 and re.fullmatch(r"[0-9]{1,9}", parts[1]) else 0


def _order_problems(data: dict[str, Any]) -> list[tuple[tuple[int | str, ...], str]]:
    """Dates in the wrong order, two sessions at one time: checked on whichever of those fields
    are valid by themselves, so they are reported even when another field has a problem."""
    found: list[tuple[tuple[int | str, ...], str]] = []
    opens, closes = _time(data.get("enrol_opens")), _time(data.get("enrol_closes"))
    if opens is not None and closes is not None and closes <= opens:
        found.append((("enrol_closes",), "must come after enrol_opens"))
    sessions = data.get("sessions")
    starts: dict[dt.datetime, int] = {}
    for index, item in enumerate(sessions if isinstance(sessions, list) else ()):
        start = _time(item.get("start")) if isinstance(item, dict) else None
        if start is None:
            continue
        if start in starts:
            found.append((("sessions", index, "start"),
                          f"starts at the same time as session {starts[start] + 1}"))
        starts.setdefault(start, index)
    return found


def _time(value: object) -> dt.datetime | None:
    try:
        return _TIME.validate_python(value) if value is not None else None
    except ValidationError:
        return None


def _stringify_times(data: dict[str, Any]) -> None:
    """YAML reads ``2026-12-10`` as a date; a course time is always read as the text written."""
    for key in ("enrol_opens", "enrol_closes"):
        if isinstance(data.get(key), dt.date):
            data[key] = data[key].isoformat()
    for item in data.get("sessions") or []:
        if isinstance(item, dict) and isinstance(item.get("start"), dt.date):
            item["start"] = item["start"].isoformat()


def _message(error: Any) -> str:
    if error["type"] == "string_pattern_mismatch" and error["loc"] == ("code",):
        return "use lowercase Latin letters, digits, '-' and '_', e.g. computer-1"
    return str(error["msg"])


def _path(loc: Sequence[int | str]) -> str:
    return ".".join(str(part) for part in loc) or "course"
