"""Telegram's flood limits as the fake Bot API enforces them (``FakeTelegram(limits=...)``)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class ApiLimits:
    """Telegram's flood limits as the fake enforces them, on every call that names a chat.

    Each limit is a leaky bucket (GCRA): ``burst`` calls at once, then one every
    ``1 / per_second`` s. A call over a limit gets 429 with ``parameters.retry_after`` (whole
    seconds, at least 1), and, as Telegram expects silence that long, every call in that time
    gets 429 too: to every chat for the overall limit, to that chat for its own.
    """

    overall_per_second: float = 30
    overall_burst: int = 10  # a third of a second of traffic at once
    per_chat_per_second: float = 1
    per_chat_burst: int = 4  # "short bursts pass"

    def scaled(self, factor: float) -> ApiLimits:
        """``factor`` times faster. The overall burst is a share of a second's traffic, so it
        grows with the rate; a chat's burst is a number of messages and stays."""
        return replace(self, overall_per_second=self.overall_per_second * factor,
                       overall_burst=max(1, round(self.overall_burst * factor)),
                       per_chat_per_second=self.per_chat_per_second * factor)


class _Bucket:
    """One GCRA leaky bucket with the silence that follows a 429 (time.monotonic seconds)."""

    def __init__(self, per_second: float, burst: int) -> None:
        self.interval, self.tolerance = 1 / per_second, (burst - 1) / per_second
        self.due = 0.0  # theoretical arrival time
        self.silent_until = 0.0

    def refuse(self, now: float) -> int | None:
        """None if a call may pass now, else its ``retry_after``. A call over the rate starts a
        silence that long; calls during it are told what is left (they do not lengthen it)."""
        if now < self.silent_until:
            return max(1, math.ceil(self.silent_until - now))
        if (wait := max(self.due, now) - self.tolerance - now) > 0:
            retry_after = max(1, math.ceil(wait))
            self.silent_until = now + retry_after
            return retry_after
        return None

    def take(self, now: float) -> None:
        self.due = max(self.due, now) + self.interval


class FloodGate:
    """The overall bucket and one per chat; records when each accepted call passed."""

    def __init__(self, limits: ApiLimits) -> None:
        self.limits = limits
        self.overall = _Bucket(limits.overall_per_second, limits.overall_burst)
        self.chats: dict[int, _Bucket] = {}
        self.sends: dict[int, list[float]] = defaultdict(list)

    def silence(self, now: float, seconds: float) -> None:
        """As after a 429: every call to every chat gets 429 for ``seconds``."""
        self.overall.silent_until = max(self.overall.silent_until, now + seconds)

    def check(self, chat_id: int, now: float) -> int | None:
        """None if the call passes (and it is counted), else its ``retry_after`` (silence starts)."""
        limits = self.limits
        own = self.chats.setdefault(chat_id, _Bucket(limits.per_chat_per_second, limits.per_chat_burst))
        for bucket in (self.overall, own):
            if (retry_after := bucket.refuse(now)) is not None:
                return retry_after
        self.overall.take(now)
        own.take(now)
        self.sends[chat_id].append(now)
        return None
