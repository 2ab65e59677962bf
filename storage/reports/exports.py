"""What ``clc-admin export`` reads: survey runs with their answers, contacts, enrolments.

Each reader yields batches of plain rows, every batch read in a short transaction of its own
and found by keyset (``id > last``): an export of 100,000 runs holds one batch in memory, and
on SQLite, where a transaction holds the write lock, the bot keeps answering between batches.
Rows added while an export runs may or may not be in it; rows already read do not change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncGenerator, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, String, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from flows.errors import DataError
from flows.questionnaire.statuses import RunStatus
from flows.timezones import DEFAULT_TIMEZONE
from storage.courses.lists import waiting_positions
from storage.db import Database
from storage.models import Centre, ChannelIdentity, Contact
from storage.models.courses import Attendance, Course, CourseSession, Enrolment
from storage.models.surveys import (
    Questionnaire,
    QuestionnaireVersion,
    SurveyAnswer,
    SurveyInvitation,
    SurveyRun,
)

BATCH = 500


@dataclass(frozen=True)
class Where:
    """Where a row belongs: its centre (None for a person of no centre) and that centre's zone."""

    centre: str | None
    timezone: str

    @classmethod
    def of(cls, slug: str | None, timezone: str | None) -> Where:
        return cls(slug, timezone or DEFAULT_TIMEZONE)


@dataclass(frozen=True)
class Versions:
    slug: str
    questionnaire_id: int
    # version number → the stored definition (the checked questionnaire as JSON)
    definitions: dict[int, dict[str, Any]]


async def versions(session: AsyncSession, slug: str | None) -> Versions:
    """The questionnaire named (else the active one) with every stored version."""
    if slug is None:
        found = await session.scalar(select(Questionnaire).where(Questionnaire.active).limit(1))
        if found is None:
            raise DataError("no active questionnaire: name one with --questionnaire SLUG")
    else:
        found = await session.scalar(select(Questionnaire).where(Questionnaire.slug == slug))
        if found is None:
            slugs = await session.scalars(select(Questionnaire.slug).order_by(Questionnaire.slug))
            known = ", ".join(slugs.all())
            raise DataError(f"no questionnaire {slug!r} (known: {known or 'none yet'})")
    rows = await session.execute(
        select(QuestionnaireVersion.version, QuestionnaireVersion.definition)
        .where(QuestionnaireVersion.questionnaire_id == found.id).order_by(QuestionnaireVersion.version))
    return Versions(found.slug, found.id, {number: definition for number, definition in rows})


COMPLETED: tuple[RunStatus, ...] = ("completed",)


@dataclass(frozen=True)
class RunFilter:
    questionnaire_id: int
    centre_ids: frozenset[int] | None = None  # None: every centre, and people of none
    since: dt.datetime | None = None  # started at or after
    until: dt.datetime | None = None  # started before
    version: int | None = None
    statuses: Collection[RunStatus] = COMPLETED


@dataclass(frozen=True)
class AnswerRow:
    question_id: str
    value: Any
    raw_text: str | None
    answered_at: dt.datetime


@dataclass(frozen=True)
class RunRow:
    id: int
    contact_id: int
    where: Where
    channel: str
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    version: int
    answers: list[AnswerRow] = field(default_factory=list)


def _run_centre() -> ColumnElement[Any]:
    """The centre a run belongs to: a run answering an invitation about a course (feedback) is the
    course's centre's, whoever answered; any other run is its person's centre's."""
    course_centre = (
        select(Course.centre_id)
        .join(SurveyInvitation, SurveyInvitation.subject == literal("course:") + cast(Course.id, String))
        .where(SurveyInvitation.run_key == SurveyRun.run_key)
        .limit(1).scalar_subquery())
    return func.coalesce(course_centre, Contact.centre_id)


def _runs_query(flt: RunFilter) -> Select[Any]:
    centre_id = _run_centre()
    query = (
        select(SurveyRun.id, SurveyRun.contact_id, SurveyRun.channel, SurveyRun.status, SurveyRun.started_at,
               SurveyRun.finished_at, QuestionnaireVersion.version, Centre.slug, Centre.timezone)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == SurveyRun.version_id)
        .join(Contact, Contact.id == SurveyRun.contact_id)
        .outerjoin(Centre, Centre.id == centre_id)
        .where(QuestionnaireVersion.questionnaire_id == flt.questionnaire_id,
               SurveyRun.status.in_(list(flt.statuses)))
    )
    if flt.centre_ids is not None:
        query = query.where(centre_id.in_(flt.centre_ids))
    if flt.since is not None:
        query = query.where(SurveyRun.started_at >= flt.since)
    if flt.until is not None:
        query = query.where(SurveyRun.started_at < flt.until)
    if flt.version is not None:
        query = query.where(QuestionnaireVersion.version == flt.version)
    return query


async def count_runs(db: Database, flt: RunFilter) -> int:
    async with db.transaction() as session:
        total = await session.scalar(select(func.count()).select_from(_runs_query(flt).subquery()))
    return int(total or 0)


async def runs(db: Database, flt: RunFilter, batch: int = BATCH) -> AsyncGenerator[list[RunRow], None]:
    """The runs the filter selects, oldest first, each with its answers in the order given."""
    after = 0
    while True:
        async with db.transaction() as session:
            found = [
                RunRow(row.id, row.contact_id, Where.of(row.slug, row.timezone), row.channel, row.status,
                       row.started_at, row.finished_at, row.version)
                for row in await session.execute(
                    _runs_query(flt).where(SurveyRun.id > after).order_by(SurveyRun.id).limit(batch))
            ]
            by_id = {run.id: run for run in found}
            if by_id:
                answers = await session.execute(
                    select(SurveyAnswer.run_id, SurveyAnswer.question_id, SurveyAnswer.value,
                           SurveyAnswer.raw_text, SurveyAnswer.answered_at)
                    .where(SurveyAnswer.run_id.in_(list(by_id))).order_by(SurveyAnswer.id))
                for run_id, question_id, value, raw_text, answered_at in answers:
                    by_id[run_id].answers.append(AnswerRow(question_id, value, raw_text, answered_at))
        if not found:
            return
        yield found
        after = found[-1].id


@dataclass(frozen=True)
class Addresses:
    phones: list[str] = field(default_factory=list)  # E.164, "+7701…"
    telegram: list[str] = field(default_factory=list)  # "telegram:<user id>"


async def _addresses(session: AsyncSession, contact_ids: Sequence[int]) -> dict[int, Addresses]:
    found: dict[int, Addresses] = {}
    rows = await session.execute(
        select(ChannelIdentity.contact_id, ChannelIdentity.address)
        .where(ChannelIdentity.contact_id.in_(list(contact_ids))).order_by(ChannelIdentity.id))
    for contact_id, address in rows:
        held = found.setdefault(contact_id, Addresses())
        if address.startswith("tel:"):
            held.phones.append(address.removeprefix("tel:"))
        elif address.startswith("telegram:"):
            held.telegram.append(address)
    return found


@dataclass(frozen=True)
class ContactRow:
    id: int
    name: str | None
    language: str | None
    where: Where
    settlement: str | None
    addresses: Addresses
    created_at: dt.datetime
    consent: bool | None
    contact_consent: bool | None


def _contacts_query(centre_ids: frozenset[int] | None) -> Select[Any]:
    # Tombstones of forgotten people and contacts merged into another are not people to list.
    query = (select(Contact, Centre.slug, Centre.timezone).outerjoin(Centre, Centre.id == Contact.centre_id)
             .where(Contact.deleted_at.is_(None), Contact.merged_into_id.is_(None)))
    if centre_ids is not None:
        query = query.where(Contact.centre_id.in_(centre_ids))
    return query


async def count_contacts(db: Database, centre_ids: frozenset[int] | None) -> int:
    async with db.transaction() as session:
        total = await session.scalar(select(func.count()).select_from(_contacts_query(centre_ids).subquery()))
    return int(total or 0)


async def contacts(
    db: Database, centre_ids: frozenset[int] | None, batch: int = BATCH
) -> AsyncGenerator[list[ContactRow], None]:
    after = 0
    while True:
        async with db.transaction() as session:
            rows = (await session.execute(
                _contacts_query(centre_ids).where(Contact.id > after).order_by(Contact.id).limit(batch)
            )).all()
            held = await _addresses(session, [contact.id for contact, _, _ in rows]) if rows else {}
            found = [
                ContactRow(contact.id, contact.name, contact.language, Where.of(slug, zone),
                           contact.settlement, held.get(contact.id, Addresses()), contact.created_at,
                           contact.consent, contact.contact_consent)
                for contact, slug, zone in rows
            ]
        if not found:
            return
        yield found
        after = found[-1].id


@dataclass(frozen=True)
class EnrolmentRow:
    id: int
    course_code: str
    course_title_kk: str
    course_title_ru: str
    where: Where
    contact_id: int
    name: str | None
    addresses: Addresses
    status: str
    seat_no: int | None
    position: int | None  # on the waiting list, derived as the bot derives it
    joined_at: dt.datetime
    attended: int  # sessions marked present
    sessions: int  # sessions the course has


def _courses_query(centre_ids: frozenset[int] | None) -> Select[Any]:
    query = select(Course.id).join(Centre, Centre.id == Course.centre_id)
    if centre_ids is not None:
        query = query.where(Course.centre_id.in_(centre_ids))
    return query.order_by(Centre.slug, Course.code)


async def count_enrolments(db: Database, centre_ids: frozenset[int] | None) -> int:
    async with db.transaction() as session:
        total = await session.scalar(select(func.count()).select_from(Enrolment).where(
            Enrolment.course_id.in_(_courses_query(centre_ids).order_by(None))))
    return int(total or 0)


async def _enrolment_batch(
    session: AsyncSession, course: Course, where: Where, sessions: int, after: int, batch: int
) -> list[EnrolmentRow]:
    rows = (await session.execute(
        select(Enrolment, Contact.name).join(Contact, Contact.id == Enrolment.contact_id)
        .where(Enrolment.course_id == course.id, Enrolment.id > after).order_by(Enrolment.id).limit(batch)
    )).all()
    if not rows:
        return []
    positions = await waiting_positions(session, course)
    held = await _addresses(session, [row.contact_id for row, _ in rows])
    attended = dict((await session.execute(
        select(Attendance.enrolment_id, func.count()).where(
            Attendance.enrolment_id.in_([row.id for row, _ in rows]), Attendance.present.is_(True))
        .group_by(Attendance.enrolment_id))).tuples().all())
    return [
        EnrolmentRow(row.id, course.code, course.title_kk, course.title_ru, where, row.contact_id, name,
                     held.get(row.contact_id, Addresses()), row.status, row.seat_no, positions.get(row.id),
                     row.joined_at, attended.get(row.id, 0), sessions)
        for row, name in rows
    ]


async def enrolments(
    db: Database, centre_ids: frozenset[int] | None, batch: int = BATCH
) -> AsyncGenerator[list[EnrolmentRow], None]:
    """Every enrolment (any status) of the centres' courses, course by course (centre, code)."""
    async with db.transaction() as session:
        course_ids = list((await session.scalars(_courses_query(centre_ids))).all())
    for course_id in course_ids:
        after = 0
        while True:
            async with db.transaction() as session:
                course = await session.get(Course, course_id)
                if course is None:
                    break  # deleted while exporting
                centre = await session.get(Centre, course.centre_id)
                where = Where.of(centre.slug if centre else None, centre.timezone if centre else None)
                sessions = int(await session.scalar(select(func.count()).select_from(CourseSession)
                                                    .where(CourseSession.course_id == course_id)) or 0)
                found = await _enrolment_batch(session, course, where, sessions, after, batch)
            if not found:
                break
            yield found
            after = found[-1].id
