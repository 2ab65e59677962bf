"""Every flow the bot ships, as the engine sees them (the pure half of ``bot.features``)."""

from __future__ import annotations

from flows.courses.browse import COURSES
from flows.courses.manage import MANAGE
from flows.courses.mine import MY_ENROLMENTS
from flows.questionnaire.runner import SURVEY
from flows.registry import FlowRegistry

FLOWS = FlowRegistry.of([SURVEY, COURSES, MY_ENROLMENTS, MANAGE])
