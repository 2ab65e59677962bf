"""What the monitoring report reads for one centre (``flows.reports.monitoring`` computes it).

One query per kind of fact, each bounded by the centre and the period's end, so the cost grows
with the centre's courses and the period, not with the whole database.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from flows.events import Localized
from flows.reports.monitoring import (
    SATISFACTION_QUESTIONS,
    Announcements,
    CentreFacts,
    CourseEvent,
    CourseFacts,
    FeedbackFacts,
    Mark,
    Period,
    RunFacts,
)
from storage.audiences import needs_profiles
from storage.models import Centre, Contact, OutboxMessage
from storage.models.broadcasts import Broadcast, BroadcastRecipient
from storage.models.courses import Attendance, Course, CourseAudit, CourseSession, Enrolment
from storage.models.surveys import (
    Questionnaire,
    QuestionnaireVersion,
    SurveyAnswer,
    SurveyInvitation,
    SurveyRun,
)
from storage.outbox_report import DELIVERED

FEEDBACK = "course_feedback"  # the shipped satisfaction questionnaire's id (flows/questionnaires)
WAITING_EVENTS = ("join_waiting", "offer", "accept", "declined", "expired")


async def centre_facts(session: AsyncSession, centre: Centre, period: Period) -> CentreFacts:
    courses = await _courses(session, centre.id)
    course_ids = [course.id for course in courses]
    marks = await _marks(session, course_ids, period)
    profiles = await needs_profiles(session, sorted({mark.contact_id for mark in marks}))
    return CentreFacts(
        centre_id=centre.id, slug=centre.slug, name=Localized(centre.name_kk, centre.name_ru),
        zone=centre.timezone,
        courses=courses, marks=marks, events=await _events(session, course_ids, period),
        feedback=await _feedback(session, course_ids, period), runs=await _runs(session, centre.id, period),
        announcements=await _announcements(session, centre.id, period),
        waiting_now=await _waiting_now(session, centre.id),
        profiles=profiles,
    )


async def _waiting_now(session: AsyncSession, centre_id: int) -> int:
    """On the waiting lists of courses still to come or going on (a finished or cancelled
    course keeps its list's rows, but nobody waits for it any more)."""
    return int(await session.scalar(
        select(func.count()).select_from(Enrolment).join(Course, Course.id == Enrolment.course_id)
        .where(Course.centre_id == centre_id, Course.status.in_(("draft", "open", "running")),
               Enrolment.status == "waiting")) or 0)


async def _courses(session: AsyncSession, centre_id: int) -> tuple[CourseFacts, ...]:
    """The centre's courses but the cancelled ones (their sessions were never held)."""
    of_centre = (select(Course).where(Course.centre_id == centre_id, Course.status != "cancelled")
                 .order_by(Course.id))
    rows = (await session.scalars(of_centre)).all()
    starts: dict[int, list[dt.datetime]] = {row.id: [] for row in rows}
    if rows:
        for course_id, starts_at in await session.execute(
            select(CourseSession.course_id, CourseSession.starts_at)
            .where(CourseSession.course_id.in_(list(starts))).order_by(CourseSession.starts_at)
        ):
            starts[course_id].append(starts_at)
    return tuple(CourseFacts(row.id, row.code, Localized(row.title_kk, row.title_ru), tuple(starts[row.id]))
                 for row in rows)


async def _marks(session: AsyncSession, course_ids: list[int], period: Period) -> tuple[Mark, ...]:
    if not course_ids:
        return ()
    rows = await session.execute(
        select(CourseSession.course_id, Enrolment.contact_id, CourseSession.starts_at, Attendance.present)
        .join(CourseSession, CourseSession.id == Attendance.session_id)
        .join(Enrolment, Enrolment.id == Attendance.enrolment_id)
        .where(CourseSession.course_id.in_(course_ids), CourseSession.starts_at < period.end))
    return tuple(Mark(course, contact, start, present) for course, contact, start, present in rows)


async def _events(session: AsyncSession, course_ids: list[int], period: Period) -> tuple[CourseEvent, ...]:
    if not course_ids:
        return ()
    rows = await session.execute(
        select(CourseAudit.course_id, CourseAudit.contact_id, CourseAudit.action, CourseAudit.at)
        .where(CourseAudit.course_id.in_(course_ids), CourseAudit.action.in_(WAITING_EVENTS),
               CourseAudit.at < period.end))
    return tuple(CourseEvent(course_id, contact_id, action, at) for course_id, contact_id, action, at in rows)


async def _feedback(
    session: AsyncSession, course_ids: list[int], period: Period
) -> tuple[FeedbackFacts, ...]:
    subjects = {f"course:{course_id}": course_id for course_id in course_ids}
    if not subjects:
        return ()
    invitations = (await session.execute(
        select(SurveyInvitation.subject, SurveyInvitation.created_at, SurveyRun.id)
        .outerjoin(SurveyRun, (SurveyRun.run_key == SurveyInvitation.run_key)
                   & (SurveyRun.status == "completed"))
        .where(SurveyInvitation.slug == FEEDBACK, SurveyInvitation.subject.in_(list(subjects)),
               SurveyInvitation.created_at >= period.start, SurveyInvitation.created_at < period.end)
    )).all()
    answers: dict[int, dict[str, Any]] = {run_id: {} for *_, run_id in invitations if run_id is not None}
    if answers:
        for run_id, question_id, value in await session.execute(
            select(SurveyAnswer.run_id, SurveyAnswer.question_id, SurveyAnswer.value)
            .where(SurveyAnswer.run_id.in_(list(answers)),
                   SurveyAnswer.question_id.in_(SATISFACTION_QUESTIONS))
        ):
            answers[run_id][question_id] = value
    return tuple(FeedbackFacts(subjects[subject], sent_at, None if run_id is None else answers[run_id])
                 for subject, sent_at, run_id in invitations)


async def _runs(session: AsyncSession, centre_id: int, period: Period) -> tuple[RunFacts, ...]:
    """Needs-survey runs (any questionnaire but the course feedback) by the centre's people."""
    rows = await session.execute(
        select(SurveyRun.channel, SurveyRun.started_at, SurveyRun.status)
        .join(Contact, Contact.id == SurveyRun.contact_id)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == SurveyRun.version_id)
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .where(Contact.centre_id == centre_id, Questionnaire.slug != FEEDBACK,
               SurveyRun.started_at >= period.start, SurveyRun.started_at < period.end))
    return tuple(RunFacts(channel, started_at, status == "completed") for channel, started_at, status in rows)


async def _announcements(session: AsyncSession, centre_id: int, period: Period) -> Announcements:
    in_period = (Broadcast.centre_id == centre_id, Broadcast.queued_at >= period.start,
                 Broadcast.queued_at < period.end)
    broadcasts = int(await session.scalar(select(func.count()).select_from(Broadcast).where(*in_period)) or 0)
    sent, delivered = (await session.execute(
        select(func.count(OutboxMessage.id),
               func.count(OutboxMessage.id).filter(OutboxMessage.delivery_status.in_(DELIVERED)))
        .select_from(BroadcastRecipient)
        .join(Broadcast, Broadcast.id == BroadcastRecipient.broadcast_id)
        .join(OutboxMessage, OutboxMessage.id == BroadcastRecipient.outbox_id)
        .where(*in_period, OutboxMessage.status == "sent"))).one()
    return Announcements(broadcasts, int(sent), int(delivered))
