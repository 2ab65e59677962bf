"""The one list of the bot's features. ``clc-bot`` and ``clc-admin`` are built from it.

Each feature is a :class:`bot.feature.Feature` value declared in its own module. Importing a
module registers nothing; a bot or a test built from a subset of these has exactly that subset
(``FeatureSet.of([core_feature(), SURVEYS])``).
"""

from __future__ import annotations

import datetime as dt

from bot.feature import FeatureSet
from bot.features.core import core_feature
from bot.features.course_feedback import COURSE_FEEDBACK
from bot.features.courses_feature import COURSES
from bot.features.manage_feature import MANAGE
from bot.features.surveys_feature import SURVEYS
from flows.sms_session import DEFAULT_RESUME_AFTER


def standard_features(*, sms_resume_after: dt.timedelta = DEFAULT_RESUME_AFTER) -> FeatureSet:
    """Every feature, in menu order: survey, courses, my enrolments (then language, help)."""
    core = core_feature(sms_resume_after=sms_resume_after)
    return FeatureSet.of([core, SURVEYS, COURSES, COURSE_FEEDBACK, MANAGE])
