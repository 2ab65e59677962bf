"""Importing this package registers every feature's effect appliers and facts loaders."""

import bot.features.course_feedback
import bot.features.courses
import bot.features.manage
import bot.features.sms
import bot.features.surveys  # noqa: F401
from bot.features import core  # noqa: F401
