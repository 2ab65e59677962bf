"""The one list of the bot's features. ``clc-bot`` and ``clc-admin`` are built from it.

Each feature is a :class:`bot.feature.Feature` value declared in its own module. Importing a
module registers nothing; a bot or a test built from a subset of these has exactly that subset
(``FeatureSet.of([core_feature(), SURVEYS])``).
"""

from __future__ import annotations

import datetime as dt

from bot.feature import FeatureSet
from bot.features.announce import announce_feature
from bot.features.broadcasts import BROADCASTS
from bot.features.core import core_feature
from bot.features.course_feedback import COURSE_FEEDBACK
from bot.features.courses_feature import COURSES
from bot.features.manage_feature import MANAGE
from bot.features.privacy import privacy_feature
from bot.features.reminders import REMINDERS
from bot.features.results import RESULTS
from bot.features.surveys_feature import surveys_feature
from flows.sms_session import DEFAULT_RESUME_AFTER
from storage.retention import DEFAULT_RETENTION_DAYS


def standard_features(
    *, sms_resume_after: dt.timedelta = DEFAULT_RESUME_AFTER, retention_days: int = DEFAULT_RETENTION_DAYS,
    sms_transliterate: bool = False,
) -> FeatureSet:
    """Every feature, in menu order: survey, courses, my enrolments (then language, help).

    ``retention_days`` is how long personal data is kept (the daily retention job) and the
    period the survey's consent states; ``sms_transliterate`` makes ``/announce`` count SMS
    segments in Latin letters, as the SMS channel will send them.
    """
    core = core_feature(sms_resume_after=sms_resume_after)
    surveys = surveys_feature(retention_days)
    return FeatureSet.of(
        [core, surveys, COURSES, COURSE_FEEDBACK, MANAGE, privacy_feature(retention_days), REMINDERS,
         BROADCASTS, announce_feature(sms_transliterate=sms_transliterate), RESULTS]
    )
