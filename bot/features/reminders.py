"""Reminders of course sessions, open seat offers and an unfinished needs survey, as one feature.

Restart-safe by construction: nothing is scheduled in memory. Each minute the job derives the
reminders due now from the rows they are about (``flows.reminders`` computes the times in the
centre's zone and quiet hours) and queues each once: its key (``storage.models.reminders``)
is inserted with the outbox row, in one transaction, so running the job again, after a restart
or in a second process, queues nothing twice. Just before sending, each kind's ``still_wanted``
checks again what the reminder was made for (the session still starts at that time, the offer
is still open, the survey still untouched), so a moved or cancelled session is not reminded at
its old time; the moved one gets reminders of its own (its key names the new start).

Restart rule: a reminder that fell due while the service was down is queued when it comes back
if still useful: a session reminder while the session has not started and no later reminder of
it is due (so after a long outage only the latest one goes), an offer reminder while the offer
is open, a survey nudge while the run is untouched (runs idle for over a week are left alone).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.feature import Feature
from bot.outbox import Awaits, OutboxKind, Priority, enqueue
from bot.scheduler import JobContext, PeriodicJob
from flows.courses.facts import EnrolmentInfo
from flows.courses.mine import offer_context, offer_data, offer_reply
from flows.courses.statuses import LIVE_COURSE_STATUSES
from flows.events import Localized, Reply
from flows.reminders import (
    LOOKAHEAD,
    NUDGE_AFTER,
    OFFER_REMINDER,
    SESSION_EVE,
    SESSION_SOON,
    SURVEY_NUDGE,
    Planned,
    is_due,
    offer_reminder,
    offer_reminder_reply,
    session_reminder_reply,
    session_reminders,
    survey_nudge,
    survey_nudge_reply,
)
from storage import reminders as repo
from storage.centres import centre_zone, quiet_hours
from storage.models.courses import Course, CourseSession, Enrolment
from storage.models.surveys import SurveyRun

PAYLOAD = "reminder"
# An unfinished run idle for longer than this is not nudged: after an upgrade (or a long
# outage) nobody is reminded of a survey they left weeks ago.
NUDGE_AT_MOST_AFTER = dt.timedelta(days=7)


async def _queue(
    session: AsyncSession, planned: Planned, *, subject_id: int, contact_id: int, slot: str,
    reply: Reply, details: dict[str, Any], now: dt.datetime, awaits: Awaits | None = None,
) -> bool:
    key = await repo.take_key(session, kind=planned.kind, subject_id=subject_id, contact_id=contact_id,
                              slot=slot, due_at=planned.due, now=now)
    if key is None:
        return False
    row = await enqueue(session, contact_id=contact_id, replies=[reply], kind=planned.kind, now=now,
                        due_at=planned.due, awaits=awaits)
    row.payload = {**row.payload, PAYLOAD: {**details, "until": planned.until.isoformat()}}
    key.outbox_id = row.id
    await session.flush()
    return True


def _slot(lesson: CourseSession) -> str:
    return f"{lesson.id}@{lesson.starts_at.isoformat()}"


async def queue_session_reminders(session: AsyncSession, now: dt.datetime) -> int:
    """Queue the session reminders due now to everyone holding a seat; how many were queued."""
    queued = 0
    for found in await repo.sessions_starting(session, now, now + LOOKAHEAD):
        lesson, course, centre = found.lesson, found.course, found.centre
        due = [p for p in session_reminders(lesson.starts_at, centre_zone(centre), quiet_hours(centre))
               if is_due(p, now)]
        if not due:
            continue
        holders = await repo.enrolled(session, course.id)
        for planned in due:
            done = await repo.queued_keys(session, planned.kind, [row.id for row in holders])
            reply = session_reminder_reply(planned.kind, Localized(course.title_kk, course.title_ru),
                                           lesson.starts_at, Localized(lesson.place_kk, lesson.place_ru))
            for row in holders:
                # Who took the seat after this reminder's time heard the schedule just then.
                if (row.id, _slot(lesson)) in done or row.updated_at > planned.due:
                    continue
                details = {"session": lesson.id, "starts_at": lesson.starts_at.isoformat(),
                           "enrolment": row.id}
                queued += await _queue(session, planned, subject_id=row.id, contact_id=row.contact_id,
                                       slot=_slot(lesson), reply=reply, details=details, now=now)
    return queued


async def queue_offer_reminders(session: AsyncSession, now: dt.datetime) -> int:
    queued = 0
    offers = await repo.open_offers(session, now)
    done = await repo.queued_keys(session, OFFER_REMINDER, [row.id for row, _, _ in offers])
    for row, course, centre in offers:
        assert row.offered_at is not None and row.offer_deadline is not None  # by the query
        planned = offer_reminder(row.offered_at, row.offer_deadline, centre_zone(centre), quiet_hours(centre))
        slot = row.offered_at.isoformat()
        if planned is None or not is_due(planned, now) or (row.id, slot) in done:
            continue
        title = Localized(course.title_kk, course.title_ru)
        info = EnrolmentInfo(id=row.id, course_id=course.id, title=title, status="offered",
                             offer_deadline=row.offer_deadline)
        # The offer's own choices and view, so "1" accepts from the reminder as from the offer.
        reply = replace(offer_reply(info), body=offer_reminder_reply(info.title, row.offer_deadline).body)
        queued += await _queue(
            session, planned, subject_id=row.id, contact_id=row.contact_id, slot=slot, reply=reply,
            details={"enrolment": row.id, "offered_at": slot}, now=now,
            awaits=Awaits("my", offer_data(row.id), offer_context(row.id)),
        )
    return queued


async def queue_survey_nudges(session: AsyncSession, now: dt.datetime) -> int:
    queued = 0
    runs = await repo.idle_survey_runs(session, now - NUDGE_AFTER, now - NUDGE_AT_MOST_AFTER)
    done = {subject for subject, _ in await repo.queued_keys(session, SURVEY_NUDGE, [r.id for r, _ in runs])}
    for run, centre in runs:
        planned = survey_nudge(run.updated_at, centre_zone(centre), quiet_hours(centre))
        if run.id in done or not is_due(planned, now):
            continue  # one nudge per run, ever
        queued += await _queue(session, planned, subject_id=run.id, contact_id=run.contact_id, slot="once",
                               reply=survey_nudge_reply(), now=now,
                               details={"run": run.id, "idle_since": run.updated_at.isoformat()})
    return queued


async def reminders_job(ctx: JobContext) -> int:
    """Each tick: queue what fell due since the last one (or while the service was down)."""
    now = ctx.clock()
    async with ctx.db.transaction() as session:
        return (await queue_session_reminders(session, now) + await queue_offer_reminders(session, now)
                + await queue_survey_nudges(session, now))


def _details(payload: Mapping[str, Any]) -> Mapping[str, Any]:
    found = payload.get(PAYLOAD)
    return found if isinstance(found, Mapping) else {}


def _before_until(details: Mapping[str, Any], now: dt.datetime) -> bool:
    until = details.get("until")
    return isinstance(until, str) and now < dt.datetime.fromisoformat(until)


async def session_still_wanted(session: AsyncSession, payload: Mapping[str, Any], now: dt.datetime) -> bool:
    """The session still starts when the reminder says, its course goes on, the seat is still
    theirs, and it is not yet time for the next reminder (or the start)."""
    details = _details(payload)
    lesson = await session.get(CourseSession, details.get("session", -1))
    row = await session.get(Enrolment, details.get("enrolment", -1))
    if lesson is None or row is None or row.status != "enrolled" or not _before_until(details, now):
        return False
    course = await session.get(Course, lesson.course_id)
    return (course is not None and course.status in LIVE_COURSE_STATUSES
            and lesson.starts_at.isoformat() == details.get("starts_at"))


async def offer_reminder_still_wanted(
    session: AsyncSession, payload: Mapping[str, Any], now: dt.datetime
) -> bool:
    details = _details(payload)
    row = await session.get(Enrolment, details.get("enrolment", -1))
    if row is None or row.status != "offered" or row.offered_at is None:
        return False
    if row.offer_deadline is None or now >= row.offer_deadline:
        return False
    course = await session.get(Course, row.course_id)
    return (course is not None and course.status in LIVE_COURSE_STATUSES
            and row.offered_at.isoformat() == details.get("offered_at"))


async def nudge_still_wanted(session: AsyncSession, payload: Mapping[str, Any], now: dt.datetime) -> bool:
    """Not finished, left or taken up again since the nudge was queued."""
    details = _details(payload)
    run = await session.get(SurveyRun, details.get("run", -1))
    return (run is not None and run.status == "in_progress"
            and run.updated_at.isoformat() == details.get("idle_since"))


# Session and offer reminders are acted on soon; the survey nudge can wait behind the rest.
KINDS: Sequence[OutboxKind] = (
    OutboxKind(SESSION_EVE, session_still_wanted, Priority.URGENT),
    OutboxKind(SESSION_SOON, session_still_wanted, Priority.URGENT),
    OutboxKind(OFFER_REMINDER, offer_reminder_still_wanted, Priority.URGENT),
    OutboxKind(SURVEY_NUDGE, nudge_still_wanted, Priority.NORMAL),
)

REMINDERS = Feature(
    name="reminders",
    jobs=(PeriodicJob("reminders", 60, reminders_job),),
    outbox_kinds=tuple(KINDS),
)
