"""What reminders are derived from (sessions soon, open offers, idle survey runs), and the key
that queues each reminder once (``storage.models.reminders``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from flows.courses.statuses import LIVE_COURSE_STATUSES
from storage.models import Centre, Contact
from storage.models.courses import Course, CourseSession, Enrolment
from storage.models.reminders import Reminder
from storage.models.surveys import Questionnaire, QuestionnaireVersion, SurveyRun


@dataclass(frozen=True)
class SessionDue:
    lesson: CourseSession
    course: Course
    centre: Centre


async def sessions_starting(
    session: AsyncSession, after: dt.datetime, until: dt.datetime
) -> list[SessionDue]:
    """Sessions of live courses starting in (after, until], with their course and centre."""
    rows = await session.execute(
        select(CourseSession, Course, Centre)
        .join(Course, Course.id == CourseSession.course_id)
        .join(Centre, Centre.id == Course.centre_id)
        .where(CourseSession.starts_at > after, CourseSession.starts_at <= until,
               Course.status.in_(LIVE_COURSE_STATUSES))
        .order_by(CourseSession.starts_at, CourseSession.id)
    )
    return [SessionDue(lesson, course, centre) for lesson, course, centre in rows.all()]


async def enrolled(session: AsyncSession, course_id: int) -> list[Enrolment]:
    """Those holding a seat (not an open offer, not the waiting list)."""
    rows = await session.scalars(select(Enrolment).where(Enrolment.course_id == course_id,
                                                         Enrolment.status == "enrolled")
                                 .order_by(Enrolment.id))
    return list(rows.all())


async def open_offers(
    session: AsyncSession, now: dt.datetime
) -> list[tuple[Enrolment, Course, Centre]]:
    rows = await session.execute(
        select(Enrolment, Course, Centre)
        .join(Course, Course.id == Enrolment.course_id)
        .join(Centre, Centre.id == Course.centre_id)
        .where(Enrolment.status == "offered", Enrolment.offer_deadline > now,
               Enrolment.offered_at.is_not(None), Course.status.in_(LIVE_COURSE_STATUSES))
        .order_by(Enrolment.id)
    )
    return [(row, course, centre) for row, course, centre in rows.all()]


async def idle_survey_runs(
    session: AsyncSession, idle_since: dt.datetime, not_before: dt.datetime
) -> list[tuple[SurveyRun, Centre | None]]:
    """Unfinished runs of the needs survey (the active questionnaire) whose last activity was in
    [not_before, idle_since], of people not forgotten, with their centre."""
    rows = await session.execute(
        select(SurveyRun, Centre)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == SurveyRun.version_id)
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .join(Contact, Contact.id == SurveyRun.contact_id)
        .outerjoin(Centre, Centre.id == Contact.centre_id)
        .where(SurveyRun.status == "in_progress", Questionnaire.active.is_(True),
               SurveyRun.updated_at <= idle_since, SurveyRun.updated_at >= not_before,
               Contact.deleted_at.is_(None), Contact.merged_into_id.is_(None))
        .order_by(SurveyRun.id)
    )
    return [(run, centre) for run, centre in rows.all()]


async def queued_keys(session: AsyncSession, kind: str, subject_ids: Sequence[int]) -> set[tuple[int, str]]:
    """(subject, slot) of the reminders of ``kind`` already queued for these subjects."""
    if not subject_ids:
        return set()
    rows = await session.execute(select(Reminder.subject_id, Reminder.slot)
                                 .where(Reminder.kind == kind, Reminder.subject_id.in_(list(subject_ids))))
    return {(subject, slot) for subject, slot in rows.all()}


async def take_key(
    session: AsyncSession, *, kind: str, subject_id: int, contact_id: int, slot: str, due_at: dt.datetime,
    now: dt.datetime,
) -> Reminder | None:
    """The reminder's row, new; None when it was queued already (by this or another process)."""
    row = Reminder(kind=kind, subject_id=subject_id, contact_id=contact_id, slot=slot, due_at=due_at,
                   created_at=now)
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return None
    return row
