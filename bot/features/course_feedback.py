"""The satisfaction questionnaire after a course: invite those who attended, once.

A periodic job looks for courses whose last session is over (or that a facilitator marked
finished) and, under the course's row lock, records one invitation per learner who was present
at least once, queues the invitation through the outbox at a decent hour in the centre's time
zone, and stamps ``feedback_sent_at``, all in one transaction. The unique invitation row
keeps "once" true even if two processes run the job together. The answers are collected by
the ordinary survey flow, on whatever channel the learner uses.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.surveys import SHIPPED_DIR, publish_form, published, read_questionnaire
from bot.outbox import enqueue
from bot.scheduler import JobContext, periodic
from flows.courses.feedback import feedback_due, last_session_end, polite_time
from flows.events import Localized
from flows.questionnaire.invitations import answerable_count, invitation_reply, invite_context, invite_data
from flows.questionnaire.schema import Questionnaire
from storage import courses as repo
from storage import invitations, surveys
from storage.models import Centre, Conversation
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
    rows = (await session.scalars(
        select(Course).where(Course.feedback_sent_at.is_(None), Course.status.in_(WATCHED_STATUSES))
        .order_by(Course.id)
    )).all()
    due = []
    for course in rows:
        sessions = (await session.execute(
            select(CourseSession.starts_at, CourseSession.minutes).where(CourseSession.course_id == course.id)
        )).all()
        if feedback_due(course.status, last_session_end(sessions), now):
            due.append(course.id)
    return due


async def send_feedback(session: AsyncSession, course_id: int, now: dt.datetime) -> int | None:
    """Invite the course's attendees; how many were invited, or None if it had been sent already."""
    course = await repo.lock_course(session, course_id)
    if course.feedback_sent_at is not None:
        return None
    version = await feedback_version(session, now)
    form = published(shipped_feedback().id, version)
    centre = await session.get(Centre, course.centre_id)
    due_at = polite_time(now, centre.timezone if centre is not None else "Asia/Almaty")
    about = Localized(course.title_kk, course.title_ru)
    invited = 0
    for contact_id in await repo.attendees(session, course.id):
        row = await invitations.invite(
            session, contact_id=contact_id, slug=form.id, subject=f"course:{course.id}",
            about=(course.title_kk, course.title_ru), now=now,
        )
        if row is None:
            continue
        reply = invitation_reply(row.id, about, answerable_count(form))
        await enqueue(session, contact_id=contact_id, replies=[reply], kind="feedback", now=now,
                      due_at=due_at)
        await _await_answer(session, contact_id, row.id, now)
        invited += 1
    course.feedback_sent_at = now
    await repo.audit(session, course.id, "system", "feedback", now, details={"invited": invited})
    return invited


async def _await_answer(session: AsyncSession, contact_id: int, invitation_id: int, now: dt.datetime) -> None:
    """An idle conversation waits for the invitation's answer, so a typed "1" over SMS starts it."""
    conversation = await session.get(Conversation, contact_id)
    if conversation is not None and conversation.state.get("stage") == "menu":
        conversation.state = {**conversation.state, "stage": "flow", "flow": "survey",
                              "data": invite_data(invitation_id), "ctx": invite_context(invitation_id)}
        conversation.updated_at = now


async def send_due_feedback(session: AsyncSession, now: dt.datetime) -> int:
    """Invite the attendees of every course that is due; how many people were invited."""
    total = 0
    for course_id in await courses_due(session, now):
        total += await send_feedback(session, course_id, now) or 0
    return total


@periodic("course_feedback", seconds=300)
async def course_feedback_job(ctx: JobContext) -> int:
    async with ctx.db.transaction() as session:
        return await send_due_feedback(session, ctx.clock())
