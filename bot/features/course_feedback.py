"""The satisfaction questionnaire after a course: invite those who attended, once.

A periodic job looks for courses whose last session is over (or that a facilitator marked
finished) and, under the course's row lock, records one invitation per learner who was present
at least once, queues the invitation through the outbox at a decent hour in the centre's time
zone, and stamps ``feedback_sent_at``, all in one transaction. Only once the invitation is
delivered does an idle conversation wait for its answer (``bot.outbox.Awaits``). The unique invitation row
keeps "once" true even if two processes run the job together. The answers are collected by
the ordinary survey flow, on whatever channel the learner uses.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.feature import Feature
from bot.features.surveys import SHIPPED_DIR, publish_form, published, read_questionnaire
from bot.outbox import Awaits, OutboxKind, enqueue
from bot.scheduler import JobContext, PeriodicJob
from flows.courses.feedback import feedback_due, last_session_end, polite_time
from flows.events import Localized
from flows.questionnaire.invitations import answerable_count, invitation_reply, invite_context, invite_data
from flows.questionnaire.schema import Published, Questionnaire
from storage import courses as repo
from storage import invitations, surveys
from storage.models import Centre
from storage.models.courses import Course, CourseSession
from storage.models.surveys import Questionnaire as StoredQuestionnaire
from storage.models.surveys import QuestionnaireVersion

FEEDBACK_FILE: Path = SHIPPED_DIR / "course_feedback.yaml"
WATCHED_STATUSES = ("open", "running", "finished")


@cache
def shipped_feedback() -> Questionnaire:
    return read_questionnaire(FEEDBACK_FILE)


async def feedback_version(session: AsyncSession, now: dt.datetime) -> QuestionnaireVersion:
    """The stored feedback questionnaire's newest version; the shipped file the first time."""
    slug = shipped_feedback().id
    questionnaire_id = await session.scalar(
        select(StoredQuestionnaire.id).where(StoredQuestionnaire.slug == slug)
    )
    if questionnaire_id is not None:
        latest = await surveys.latest_version(session, questionnaire_id)
        if latest is not None:
            return latest
    version, _ = await publish_form(session, shipped_feedback(), source=FEEDBACK_FILE.name, now=now,
                                    invited_only=True)
    return version


async def courses_due(session: AsyncSession, now: dt.datetime) -> list[int]:
    courses = (await session.execute(
        select(Course.id, Course.status)
        .where(Course.feedback_sent_at.is_(None), Course.status.in_(WATCHED_STATUSES))
        .order_by(Course.id)
    )).all()
    sessions: dict[int, list[tuple[dt.datetime, int]]] = defaultdict(list)
    for course_id, starts_at, minutes in (await session.execute(
        select(CourseSession.course_id, CourseSession.starts_at, CourseSession.minutes)
        .where(CourseSession.course_id.in_([course_id for course_id, _ in courses]))
    )).all():
        sessions[course_id].append((starts_at, minutes))
    return [course_id for course_id, status in courses
            if feedback_due(status, last_session_end(sessions[course_id]), now)]


async def send_feedback(session: AsyncSession, course_id: int, now: dt.datetime) -> int | None:
    """Invite the course's attendees; how many were invited, or None if it had been sent already."""
    course = await repo.lock_course(session, course_id)
    if course.feedback_sent_at is not None:
        return None
    invited = 0
    form, due_at = await _prepare(session, course, now)
    for contact_id in await repo.attendees(session, course.id):
        invited += await _invite(session, course, contact_id, now, form, due_at)
    course.feedback_sent_at = now
    await repo.audit(session, course.id, "system", "feedback", now, details={"invited": invited})
    return invited


async def invite_late_attendee(
    session: AsyncSession, course_id: int, contact_id: int, now: dt.datetime
) -> bool:
    """Someone marked present after the questionnaire went out (the last session marked late)."""
    course = await repo.lock_course(session, course_id)
    if course.feedback_sent_at is None or course.status == "cancelled":
        return False  # not sent yet: the job will include them
    return await _invite(session, course, contact_id, now, *await _prepare(session, course, now))


async def _prepare(session: AsyncSession, course: Course, now: dt.datetime) -> tuple[Published, dt.datetime]:
    """What every invitation for this course shares: the questionnaire and a decent hour to send."""
    form = published(shipped_feedback().id, await feedback_version(session, now))
    centre = await session.get(Centre, course.centre_id)
    return form, polite_time(now, centre.timezone if centre is not None else "Asia/Almaty")


async def _invite(
    session: AsyncSession, course: Course, contact_id: int, now: dt.datetime,
    form: Published, due_at: dt.datetime,
) -> bool:
    """One invitation, unless this person already has one for this course."""
    row = await invitations.invite(
        session, contact_id=contact_id, slug=form.id, subject=f"course:{course.id}",
        about=(course.title_kk, course.title_ru), now=now,
    )
    if row is None:
        return False
    reply = invitation_reply(row.id, Localized(course.title_kk, course.title_ru), answerable_count(form))
    await enqueue(session, contact_id=contact_id, replies=[reply], kind="feedback", now=now,
                  due_at=due_at, awaits=Awaits("survey", invite_data(row.id), invite_context(row.id)))
    return True


async def send_due_feedback(session: AsyncSession, now: dt.datetime) -> int:
    """Invite the attendees of every course that is due; how many people were invited."""
    total = 0
    for course_id in await courses_due(session, now):
        total += await send_feedback(session, course_id, now) or 0
    return total


async def course_feedback_job(ctx: JobContext) -> int:
    async with ctx.db.transaction() as session:
        return await send_due_feedback(session, ctx.clock())


COURSE_FEEDBACK = Feature(
    name="course_feedback",
    jobs=(PeriodicJob("course_feedback", 300, course_feedback_job),),
    outbox_kinds=(OutboxKind("feedback"),),
)
