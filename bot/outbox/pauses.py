"""A channel paused for the whole process after a 429 (or the provider out of reach), by the
injected clock: nothing more is sent on it until the pause ends, and rows due meanwhile wait."""

from __future__ import annotations

import datetime as dt
import logging

from bot.clock import Clock

log = logging.getLogger(__name__)


class ChannelPauses:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._until: dict[str, dt.datetime] = {}

    def pause(self, channel: str, seconds: float) -> dt.datetime:
        """Silence ``channel`` for ``seconds`` from now (a pause already longer stays)."""
        until = self.clock() + dt.timedelta(seconds=seconds)
        if until > self._until.get(channel, until - dt.timedelta(seconds=1)):
            self._until[channel] = until
            log.warning("outbox: %s paused for %.0f s; its messages wait", channel, seconds)
        return self._until[channel]

    def until(self, channel: str) -> dt.datetime | None:
        """When ``channel`` may send again; None: it may now."""
        until = self._until.get(channel)
        if until is not None and until <= self.clock():
            del self._until[channel]
            return None
        return until
