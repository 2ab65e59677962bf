"""The facilitators' side in the bot: their centre's courses as facts, and their changes.

Facts load only inside the ``manage`` flow and only for a contact with a facilitator role
(``clc-admin facilitator add``); an administrator (``--admin``) sees every centre's courses.
Every applier checks again that the course belongs to one of the facilitator's centres, then
changes it through the same repository functions as the CLI, with ``contact:<id>`` as the actor
in the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.effects import EffectContext
from bot.features.course_feedback import invite_late_attendee
from bot.features.courses import change_status, move_on_list, remove_from_course
from flows.courses.staff import (
    COURSES_KEY,
    Learner,
    Lesson,
    MarkAttendance,
    MoveLearner,
    RemoveLearner,
    SetCourseStatus,
    StaffCourse,
)
from flows.errors import StaleFacts
from flows.events import Localized
from storage import courses as repo
from storage.centres import all_centre_ids, staff_scope
from storage.models import Centre, ChannelIdentity, Contact
from storage.models.courses import Attendance, Course, CourseSession, Enrolment
from storage.surveys import same_person


async def facilitated_centres(session: AsyncSession, contact_id: int) -> set[int]:
    """The centres whose courses this person manages: their roles', or all for an administrator."""
    scope = await staff_scope(session, await same_person(session, contact_id))
    return await all_centre_ids(session) if scope.administrator else set(scope.centre_ids)


async def _names(session: AsyncSession, contact_ids: list[int]) -> dict[int, str]:
    names = {cid: f"#{cid}" for cid in contact_ids}
    rows = await session.execute(select(Contact.id, Contact.name).where(Contact.id.in_(contact_ids)))
    phones = await session.execute(
        select(ChannelIdentity.contact_id, ChannelIdentity.address)
        .where(ChannelIdentity.contact_id.in_(contact_ids), ChannelIdentity.channel == "sms")
    )
    for contact_id, address in phones:
        names[contact_id] = address.removeprefix("tel:")
    for contact_id, name in rows:
        if name:
            names[contact_id] = name
    return names


async def _staff_course(session: AsyncSession, course: Course) -> StaffCourse:
    seated = await repo.seat_holders(session, course.id)
    waiting = await repo.waiting_list(session, course)
    names = await _names(session, [row.contact_id for row in seated] + [row.contact_id for _, row in waiting])
    by_seat = sorted(seated, key=lambda row: row.seat_no or 0)
    learners = [Learner(row.id, names[row.contact_id], row.status) for row in by_seat]
    learners += [Learner(row.id, names[row.contact_id], "waiting", position) for position, row in waiting]
    lessons = (await session.scalars(select(CourseSession).where(CourseSession.course_id == course.id)
                                     .order_by(CourseSession.starts_at))).all()
    marks: dict[int, dict[bool, set[int]]] = defaultdict(lambda: {True: set(), False: set()})
    if lessons:
        rows = await session.execute(
            select(Attendance.session_id, Attendance.enrolment_id, Attendance.present)
            .where(Attendance.session_id.in_([x.id for x in lessons]))
        )
        for lesson_id, enrolment_id, present in rows:
            marks[lesson_id][present].add(enrolment_id)
    return StaffCourse(
        id=course.id, title=Localized(course.title_kk, course.title_ru), status=course.status,
        capacity=course.capacity, learners=tuple(learners), policy=course.policy,
        lessons=tuple(Lesson(x.id, x.starts_at, frozenset(marks[x.id][True]), frozenset(marks[x.id][False]))
                      for x in lessons),
    )


async def load_staff_facts(session: AsyncSession, contact: Contact, now: dt.datetime) -> dict[str, Any]:
    centres = await facilitated_centres(session, contact.id)
    if not centres:
        return {COURSES_KEY: None}
    courses = (await session.scalars(
        select(Course).where(Course.centre_id.in_(centres), Course.status != "cancelled").order_by(Course.id)
    )).all()
    staff = [await _staff_course(session, course) for course in courses]
    if len({course.centre_id for course in courses}) > 1:
        # An administrator (or a facilitator of several centres) sees whose course each is:
        # two centres may well both run "Computer literacy".
        villages = dict((await session.execute(select(Centre.id, Centre.settlement))).tuples().all())
        staff = [replace(view, title=Localized(f"{view.title.kk} ({villages[course.centre_id]})",
                                               f"{view.title.ru} ({villages[course.centre_id]})"))
                 for view, course in zip(staff, courses, strict=True)]
    return {COURSES_KEY: tuple(staff)}


async def _checked(ctx: EffectContext, enrolment_id: int) -> Enrolment:
    """The enrolment, if its course is at one of this facilitator's centres."""
    row = await ctx.session.get(Enrolment, enrolment_id)
    course = await ctx.session.get(Course, row.course_id) if row is not None else None
    if course is None or course.centre_id not in await facilitated_centres(ctx.session, ctx.contact.id):
        raise StaleFacts("not a course of this facilitator's centre")
    assert row is not None
    return row


def _actor(ctx: EffectContext) -> str:
    return f"contact:{ctx.contact.id}"


async def mark_attendance(ctx: EffectContext, effect: MarkAttendance) -> None:
    row = await _checked(ctx, effect.enrolment_id)
    try:
        await repo.mark_attendance(ctx.session, effect.lesson_id, effect.enrolment_id, effect.present,
                                   ctx.now, actor=_actor(ctx))
    except repo.CourseError:
        raise StaleFacts("the session or the learner changed meanwhile") from None
    if effect.present:
        await invite_late_attendee(ctx.session, row.course_id, row.contact_id, ctx.now)


async def remove_learner(ctx: EffectContext, effect: RemoveLearner) -> None:
    await _checked(ctx, effect.enrolment_id)
    try:
        await remove_from_course(ctx.session, effect.enrolment_id, ctx.now, actor=_actor(ctx),
                                 reason=effect.reason)
    except repo.CourseError:
        raise StaleFacts("the learner left meanwhile") from None


async def move_learner(ctx: EffectContext, effect: MoveLearner) -> None:
    await _checked(ctx, effect.enrolment_id)
    try:
        _, after = await move_on_list(ctx.session, effect.enrolment_id, effect.position, ctx.now,
                                      actor=_actor(ctx), reason=effect.reason)
    except repo.CourseError:
        raise StaleFacts("the waiting list changed meanwhile") from None
    if after != effect.position:
        raise StaleFacts("the waiting list changed meanwhile")


async def set_course_status(ctx: EffectContext, effect: SetCourseStatus) -> None:
    course = await repo.lock_course(ctx.session, effect.course_id)
    if course.centre_id not in await facilitated_centres(ctx.session, ctx.contact.id):
        raise StaleFacts("not a course of this facilitator's centre")
    if course.status != effect.expected_from:
        raise StaleFacts("the course's status changed meanwhile")
    try:
        await change_status(ctx.session, course.id, effect.status, ctx.now, actor=_actor(ctx),
                            reason=effect.reason)
    except repo.CourseError:  # e.g. finishing before any session: the step, re-run, says why
        raise StaleFacts("the course cannot take that status now") from None
