"""Results for facilitators (issue 17) as one feature value: ``clc-admin export`` and
``clc-admin report``. The logic is in ``bot.results``; the commands in ``bot.admin``."""

from __future__ import annotations

from bot.admin import export, report
from bot.feature import Feature

RESULTS = Feature(name="results", cli=(("export", export.app), ("report", report.app)))
