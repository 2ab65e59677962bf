"""Every flow the bot ships, as the engine sees them (the pure half of ``bot.features``)."""

from __future__ import annotations

from flows.courses.browse import COURSES
from flows.courses.manage import MANAGE
from flows.courses.mine import MY_ENROLMENTS
from flows.events import CentreOption, Localized
from flows.forget import FORGET
from flows.questionnaire.runner import SURVEY
from flows.registry import FlowRegistry

FLOWS = FlowRegistry.of([FORGET, SURVEY, COURSES, MY_ENROLMENTS, MANAGE])

# The demo centre as the centre choice sees it (``storage.contacts.centre_options``).
DEMO = CentreOption(
    slug="demo", name=Localized(kk="Ақсу ауылының оқу орталығы", ru="Центр обучения села Аксу"),
    settlement="Ақсу", district="Еңбекшіқазақ ауданы",
)
