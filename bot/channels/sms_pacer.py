"""How fast one Twilio sender may send: segments per second, because carriers count segments.

A long code takes about one segment a second (``CLC_TWILIO_SEGMENTS_PER_SECOND``), so a
3-segment Cyrillic SMS uses three seconds of it. The pace is ``aiolimiter``'s leaky bucket with
room for one segment (no burst, so a pause is never followed by a rush), taken once per
segment. Replies go first: queued traffic (``queued_traffic``, set by the outbox) takes its
segments one sender at a time behind a lock, so a reply waits behind at most one queued SMS's
next segment, never behind the whole queue.

After a 429 (``pause``) the channel is silent for the whole process: every SMS is handed back
at once (``ChannelPaused``), a queued one to the outbox, which keeps it until the pause ends, and
a step's reply too, which the outbox then sends (waiting out a pause inside Twilio's webhook
request would outlast its timeout). Pauses go by the injected clock, as the outbox's do.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from aiolimiter import AsyncLimiter

from bot.channels.pause import ChannelPaused, queued_traffic
from bot.clock import Clock, system_clock

log = logging.getLogger(__name__)
LONG_CODE_SEGMENTS_PER_SECOND = 1.0


class SmsPacer:
    def __init__(self, segments_per_second: float | None = LONG_CODE_SEGMENTS_PER_SECOND, *,
                 clock: Clock = system_clock) -> None:
        """``segments_per_second`` None: no pace (pauses still hold)."""
        if segments_per_second is not None and segments_per_second <= 0:
            raise ValueError(f"segments per second must be positive, not {segments_per_second}")
        self.segments_per_second = segments_per_second
        self.clock = clock
        self._segments = AsyncLimiter(1, 1 / segments_per_second) if segments_per_second else None
        self._queued_turn = asyncio.Lock()
        self._paused_until: dt.datetime | None = None

    async def take(self, segments: int) -> None:
        """Wait until ``segments`` segments may be sent now (raises ``ChannelPaused`` for
        queued traffic while the channel is paused)."""
        # A paused channel hands every message back, a step's reply too: waiting out a 30 s
        # pause inside Twilio's webhook request would outlast its 15 s timeout, and the reply
        # left unsent goes out from the outbox, which waits by the injected clock.
        self._hand_back_if_paused()
        if queued_traffic.get():
            async with self._queued_turn:
                await self._acquire(segments)
            self._hand_back_if_paused()
        else:
            await self._acquire(segments)

    def pause(self, seconds: float) -> None:
        until = self.clock() + dt.timedelta(seconds=seconds)
        if self._paused_until is None or until > self._paused_until:
            self._paused_until = until
            log.warning("sms: 429 from Twilio; this process sends no SMS for %.0f s", seconds)

    def paused_for(self) -> float:
        """Seconds of silence left (0: none)."""
        if self._paused_until is None:
            return 0.0
        return max(0.0, (self._paused_until - self.clock()).total_seconds())

    async def _acquire(self, segments: int) -> None:
        if self._segments is None:
            return
        for _ in range(max(1, segments)):
            await self._segments.acquire()

    def _hand_back_if_paused(self) -> None:
        if (left := self.paused_for()) > 0:
            raise ChannelPaused(f"SMS paused for {left:.0f} s after a 429", retry_after=left)
