"""What the needs summary (``flows.reports.needs``) is computed from, in a handful of queries.

``storage.audiences.needs_profiles`` reads the same answers but has no ``since``; this reads
them the same way (the active questionnaire's runs, the latest by ``finished_at``).

The people are the live contacts (not erased, not merged into another) of the centres asked
for, with the answers of their latest completed run of the active needs questionnaire
(finished since ``since``, if given: an older survey then counts as none). The courses are
those of the centres that are not cancelled, with who holds a seat or an offer and who waits.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from flows.courses.statuses import SEAT_HOLDING
from flows.questionnaire.schema import Questionnaire as Form
from flows.reports.needs import CourseSeats, Person
from storage.models import Centre, Contact
from storage.models.courses import Course, Enrolment
from storage.models.surveys import Questionnaire, QuestionnaireVersion, SurveyAnswer, SurveyRun
from storage.surveys import active_version


@dataclass(frozen=True)
class NeedsData:
    centres: tuple[str, ...]  # slugs, sorted
    people: list[Person]
    courses: list[CourseSeats]
    form: Form | None  # the active needs questionnaire's newest version, for its labels


async def centre_slugs(session: AsyncSession, centre_ids: Collection[int] | None) -> dict[int, str]:
    query = select(Centre.id, Centre.slug).order_by(Centre.slug)
    if centre_ids is not None:
        query = query.where(Centre.id.in_(list(centre_ids)))
    return {centre_id: slug for centre_id, slug in await session.execute(query)}


async def latest_answers(
    session: AsyncSession, contact_ids: Collection[int], since: dt.datetime | None
) -> dict[int, dict[str, Any]]:
    """Each contact's answers from their latest completed needs survey (finished since ``since``)."""
    if not contact_ids:
        return {}
    query = (
        select(SurveyRun.id, SurveyRun.contact_id)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == SurveyRun.version_id)
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .where(SurveyRun.contact_id.in_(list(contact_ids)), SurveyRun.status == "completed",
               Questionnaire.active)
        .order_by(SurveyRun.finished_at, SurveyRun.id)
    )
    if since is not None:
        query = query.where(SurveyRun.finished_at >= since)
    latest = {contact_id: run_id for run_id, contact_id in await session.execute(query)}
    by_run = {run_id: contact_id for contact_id, run_id in latest.items()}
    answers: dict[int, dict[str, Any]] = {contact_id: {} for contact_id in latest}
    if by_run:
        rows = await session.execute(select(SurveyAnswer.run_id, SurveyAnswer.question_id, SurveyAnswer.value)
                                     .where(SurveyAnswer.run_id.in_(list(by_run))))
        for run_id, question_id, value in rows:
            answers[by_run[run_id]][question_id] = value
    return answers


async def course_seats(
    session: AsyncSession, centre_ids: Collection[int], *, with_centre: bool
) -> list[CourseSeats]:
    """The centres' courses but cancelled ones; codes as ``slug/code`` when ``with_centre``."""
    courses = (await session.execute(
        select(Course.id, Course.code, Course.status, Course.tags, Course.capacity, Centre.slug)
        .join(Centre, Centre.id == Course.centre_id)
        .where(Course.centre_id.in_(list(centre_ids)), Course.status != "cancelled")
        .order_by(Centre.slug, Course.code)
    )).all()
    seated: dict[int, set[int]] = defaultdict(set)
    waiting: dict[int, set[int]] = defaultdict(set)
    if courses:
        rows = await session.execute(
            select(Enrolment.course_id, Enrolment.contact_id, Enrolment.status)
            .where(Enrolment.course_id.in_([c.id for c in courses]),
                   Enrolment.status.in_([*SEAT_HOLDING, "waiting"])))
        for course_id, contact_id, status in rows:
            (waiting if status == "waiting" else seated)[course_id].add(contact_id)
    return [
        CourseSeats(f"{c.slug}/{c.code}" if with_centre else c.code, c.status, tuple(c.tags or ()),
                    c.capacity, frozenset(seated[c.id]), frozenset(waiting[c.id]))
        for c in courses
    ]


async def active_form(session: AsyncSession) -> Form | None:
    """The active questionnaire's newest version; None when there is none or it cannot be read."""
    active = await active_version(session)
    if active is None:
        return None
    try:
        return Form.model_validate(active[1].definition)
    except ValidationError:
        return None


async def load_needs(
    session: AsyncSession, centre_ids: Collection[int] | None, since: dt.datetime | None = None
) -> NeedsData:
    """Everything the summary needs, of ``centre_ids`` (every centre when None)."""
    centres = await centre_slugs(session, centre_ids)
    contacts = (await session.execute(
        select(Contact.id, Contact.settlement)
        .where(Contact.centre_id.in_(list(centres)), Contact.deleted_at.is_(None),
               Contact.merged_into_id.is_(None))
        .order_by(Contact.id)
    )).all()
    answers = await latest_answers(session, [c.id for c in contacts], since)
    people = [Person(c.id, answers.get(c.id), c.settlement) for c in contacts]
    courses = await course_seats(session, list(centres), with_centre=len(centres) > 1)
    return NeedsData(tuple(centres.values()), people, courses, await active_form(session))
