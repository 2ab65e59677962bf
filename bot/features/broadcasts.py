"""Broadcasts (issue 16) as one feature value: the outbox kind, the job that sends scheduled
broadcasts, and ``clc-admin broadcast``. The logic is in ``bot.features.broadcasting``."""

from __future__ import annotations

from bot.admin import broadcast
from bot.feature import Feature
from bot.features.broadcasting import KINDS, broadcasts_job
from bot.scheduler import PeriodicJob

BROADCASTS = Feature(
    name="broadcasts",
    jobs=(PeriodicJob("broadcasts", 30, broadcasts_job),),
    outbox_kinds=KINDS,
    cli=(("broadcast", broadcast.app),),
)
