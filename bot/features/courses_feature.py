"""Courses, enrolment, fair waiting lists and seat offers, as one feature value."""

from __future__ import annotations

from bot.admin.course_define import course_app
from bot.effects import Applier
from bot.facts import FactsLoader
from bot.feature import Feature, TelegramCommand
from bot.features import course_changes, courses
from bot.features.courses_demo import seed_demo_courses
from bot.outbox import OutboxKind
from bot.scheduler import PeriodicJob
from flows.courses import facts as view
from flows.courses.browse import COURSES as COURSES_FLOW
from flows.courses.mine import MY_ENROLMENTS
from flows.events import N_

COURSES = Feature(
    name="courses",
    flows=(COURSES_FLOW, MY_ENROLMENTS),
    telegram_commands=(TelegramCommand("courses", N_("Courses")), TelegramCommand("my", N_("My enrolments"))),
    facts=(FactsLoader(view.FACTS_GROUP, (view.OPEN_KEY, view.MINE_KEY), courses.load_course_facts),),
    appliers=(
        Applier(view.Enrol, courses.enrol),
        Applier(view.LeaveCourse, courses.leave),
        Applier(view.AcceptOffer, courses.accept),
        Applier(view.DeclineOffer, courses.decline),
    ),
    jobs=(PeriodicJob("expire_offers", 60, courses.expire_offers_job),),
    outbox_kinds=(
        OutboxKind("offer", courses.offer_still_open),
        OutboxKind("moved"),
        OutboxKind("removed"),
        OutboxKind("cancelled"),
        OutboxKind("expired"),
        OutboxKind(course_changes.WITHDRAWN_KIND),
        OutboxKind(course_changes.SCHEDULE_KIND),
    ),
    demo=(seed_demo_courses,),
    cli=(("course", course_app()),),
)
