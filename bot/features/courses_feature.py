"""Courses, enrolment, fair waiting lists and seat offers, as one feature value."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.admin.course_define import course_app
from bot.effects import Applier
from bot.facts import FactsLoader
from bot.feature import Feature, TelegramCommand
from bot.features import course_changes, courses
from bot.features.courses_demo import seed_demo_courses
from bot.outbox import OutboxKind, Priority
from bot.scheduler import PeriodicJob
from flows.courses import facts as view
from flows.courses.browse import COURSES as COURSES_FLOW
from flows.courses.mine import MY_ENROLMENTS
from flows.courses.stake import at_stake
from flows.errors import StateError
from flows.events import N_
from flows.state import from_json
from storage import courses as repo
from storage.models import Contact, Conversation


async def load_facts_locked(session: AsyncSession, contact: Contact, now: dt.datetime) -> dict[str, Any]:
    """The courses facts, read only once the course the step may change is locked.

    Thirty villagers pressing «Записаться» for the last seat then queue on the course's row
    lock (PostgreSQL; SQLite's write lock already serialises steps) and each step reads the
    seats and the waiting list as the one before left them: what it tells is what its effect
    finds, so it runs once and nobody is told an apology or a place that is not theirs.
    """
    conversation = await session.get(Conversation, contact.id)  # loaded by the dispatcher already
    try:
        state = from_json(conversation.state) if conversation is not None else None
    except StateError:
        state = None  # the dispatcher starts such a conversation at the menu: nothing to enrol in
    stake = at_stake(state)
    if stake is not None:
        await repo.lock_stake(session, stake)
    return await courses.load_course_facts(session, contact, now)


COURSES = Feature(
    name="courses",
    flows=(COURSES_FLOW, MY_ENROLMENTS),
    telegram_commands=(TelegramCommand("courses", N_("Courses")), TelegramCommand("my", N_("My enrolments"))),
    facts=(FactsLoader(view.FACTS_GROUP, (view.OPEN_KEY, view.MINE_KEY), load_facts_locked),),
    appliers=(
        Applier(view.Enrol, courses.enrol),
        Applier(view.LeaveCourse, courses.leave),
        Applier(view.AcceptOffer, courses.accept),
        Applier(view.DeclineOffer, courses.decline),
    ),
    jobs=(PeriodicJob("expire_offers", 60, courses.expire_offers_job),),
    # URGENT kinds go first and are not held by quiet hours: a seat offer runs against its
    # deadline, and a session moved or a course cancelled tonight may concern tomorrow morning.
    outbox_kinds=(
        OutboxKind("offer", courses.offer_still_open, Priority.URGENT),
        OutboxKind("moved"),
        OutboxKind("removed"),
        OutboxKind("cancelled", None, Priority.URGENT),
        OutboxKind("expired"),
        OutboxKind(course_changes.WITHDRAWN_KIND),
        OutboxKind(course_changes.SCHEDULE_KIND, None, Priority.URGENT),
    ),
    demo=(seed_demo_courses,),
    cli=(("course", course_app()),),
)
