"""The facilitators' side: ``/manage`` in the bot and ``clc-admin facilitator``."""

from __future__ import annotations

from bot.admin import facilitator
from bot.effects import Applier
from bot.facts import FactsLoader
from bot.feature import Feature
from bot.features import manage
from flows.courses.manage import MANAGE as MANAGE_FLOW
from flows.courses.staff import (
    COURSES_KEY,
    FACTS_GROUP,
    MarkAttendance,
    MoveLearner,
    RemoveLearner,
    SetCourseStatus,
)

MANAGE = Feature(
    name="manage",
    flows=(MANAGE_FLOW,),
    facts=(FactsLoader(FACTS_GROUP, (COURSES_KEY,), manage.load_staff_facts),),
    appliers=(
        Applier(MarkAttendance, manage.mark_attendance),
        Applier(RemoveLearner, manage.remove_learner),
        Applier(MoveLearner, manage.move_learner),
        Applier(SetCourseStatus, manage.set_course_status),
    ),
    cli=(("facilitator", facilitator.app),),
)
