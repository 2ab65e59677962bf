"""Courses from definitions: create one, or apply an edited definition to a stored course.

Both ``course add`` (flags or ``--file``) and ``course edit`` go through
:class:`flows.courses.definition.CourseDefinition`, so a flag and a file are checked alike.
Times in a definition are the centre's local time. An edit changes only what differs: capacity
through ``storage.courses.set_capacity`` (new seats are offered at once), sessions matched by
their start time, and a session with attendance marks is never deleted.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any, overload
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from flows.courses.definition import CourseDefinition, load_course_file
from flows.errors import CourseFileError
from storage import courses as repo
from storage.models import Centre
from storage.models.courses import Attendance, Course, CourseSession, Enrolment

FIELDS = ("title_kk", "title_ru", "description_kk", "description_ru", "tags", "policy", "offer_hours",
          "enrol_opens_at", "enrol_closes_at")


@cache
def known_tags() -> frozenset[str]:
    """The needs survey's interest ids: the vocabulary course tags share with it."""
    from bot.features.surveys import shipped_default

    return frozenset(choice.id for choice in shipped_default().choice_lists.get("interests", ()))


def read_definition(path: Path) -> CourseDefinition:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CourseFileError(f"{path}: cannot be read ({exc})") from None
    return load_course_file(text, str(path), known_tags())


@overload
def _utc(value: dt.datetime, zone: ZoneInfo) -> dt.datetime: ...
@overload
def _utc(value: dt.datetime | None, zone: ZoneInfo) -> dt.datetime | None: ...
def _utc(value: dt.datetime | None, zone: ZoneInfo) -> dt.datetime | None:
    if value is None:
        return None
    aware = value if value.tzinfo is not None else value.replace(tzinfo=zone)
    return aware.astimezone(dt.UTC)


def _local(value: dt.datetime | None, zone: ZoneInfo) -> str | None:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value is not None else None


def _columns(definition: CourseDefinition, zone: ZoneInfo) -> dict[str, Any]:
    description = definition.description
    return {
        "title_kk": definition.title.kk, "title_ru": definition.title.ru,
        "description_kk": description.kk if description else "",
        "description_ru": description.ru if description else "",
        "tags": list(definition.tags), "policy": definition.policy, "offer_hours": definition.offer_hours,
        "enrol_opens_at": _utc(definition.enrol_opens, zone),
        "enrol_closes_at": _utc(definition.enrol_closes, zone),
    }


async def create_course(
    session: AsyncSession, centre: Centre, definition: CourseDefinition, now: dt.datetime, *, actor: str
) -> Course:
    """A new course, as a draft (opening it is a separate, deliberate step)."""
    taken = await session.scalar(select(Course.id).where(Course.centre_id == centre.id,
                                                         Course.code == definition.code))
    if taken is not None:
        raise repo.CourseError(f"centre {centre.slug!r} already has a course {definition.code!r}; "
                               "use `clc-admin course edit`")
    zone = ZoneInfo(centre.timezone)
    course = Course(centre_id=centre.id, code=definition.code, capacity=definition.capacity, status="draft",
                    created_at=now, updated_at=now, **_columns(definition, zone))
    course.sessions = [
        CourseSession(starts_at=_utc(s.start, zone), minutes=s.minutes, place_kk=s.place.kk,
                      place_ru=s.place.ru)
        for s in definition.sessions
    ]
    session.add(course)
    await session.flush()
    await repo.audit(session, course.id, actor, "add", now)
    return course


async def definition_of(session: AsyncSession, course: Course, zone: ZoneInfo) -> dict[str, Any]:
    """The stored course as a definition's fields (local times), to edit a few of them."""
    lessons = (await session.scalars(select(CourseSession).where(CourseSession.course_id == course.id)
                                     .order_by(CourseSession.starts_at))).all()
    return {
        "code": course.code, "title": {"kk": course.title_kk, "ru": course.title_ru},
        "description": {"kk": course.description_kk, "ru": course.description_ru}
        if course.description_kk.strip() and course.description_ru.strip() else None,
        "tags": list(course.tags), "capacity": course.capacity, "policy": course.policy,
        "offer_hours": course.offer_hours, "enrol_opens": _local(course.enrol_opens_at, zone),
        "enrol_closes": _local(course.enrol_closes_at, zone),
        "sessions": [{"start": _local(s.starts_at, zone), "minutes": s.minutes,
                      "place": {"kk": s.place_kk, "ru": s.place_ru}} for s in lessons],
    }


async def apply_definition(
    session: AsyncSession, course_id: int, definition: CourseDefinition, zone: ZoneInfo, now: dt.datetime,
    *, actor: str,
) -> tuple[list[str], list[Enrolment]]:
    """Change what differs; (names of what changed, offers made by a capacity increase)."""
    course = await repo.lock_course(session, course_id)
    changed = []
    for name, value in _columns(definition, zone).items():
        if getattr(course, name) != value:
            setattr(course, name, value)
            changed.append(name)
    changed += await _sync_sessions(session, course, definition, zone)
    offers: list[Enrolment] = []
    if definition.capacity != course.capacity:
        changed.append("capacity")
        offers = await repo.set_capacity(session, course.id, definition.capacity, now, actor=actor)
    if changed:
        course.updated_at = now
        await repo.audit(session, course.id, actor, "edit", now, details={"changed": changed})
    return changed, offers


async def _sync_sessions(
    session: AsyncSession, course: Course, definition: CourseDefinition, zone: ZoneInfo
) -> list[str]:
    stored = {s.starts_at: s for s in (await session.scalars(
        select(CourseSession).where(CourseSession.course_id == course.id))).all()}
    wanted = {_utc(s.start, zone): s for s in definition.sessions}
    changed = []
    for start, lesson in stored.items():
        if start in wanted:
            new = wanted[start]
            fields = (new.minutes, new.place.kk, new.place.ru)
            if (lesson.minutes, lesson.place_kk, lesson.place_ru) != fields:
                lesson.minutes, lesson.place_kk, lesson.place_ru = fields
                changed.append(f"session {_local(start, zone)}")
            continue
        marks = await session.scalar(select(func.count()).select_from(Attendance)
                                     .where(Attendance.session_id == lesson.id))
        if marks:
            raise repo.CourseError(f"the session of {_local(start, zone)} has attendance marks; "
                                   "it cannot be removed")
        await session.delete(lesson)
        changed.append(f"session {_local(start, zone)} removed")
    for start, new in wanted.items():
        if start not in stored:
            session.add(CourseSession(course_id=course.id, starts_at=start, minutes=new.minutes,
                                      place_kk=new.place.kk, place_ru=new.place.ru))
            changed.append(f"session {_local(start, zone)} added")
    return changed
