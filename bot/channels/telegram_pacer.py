"""One pacer for all of one bot's outgoing Telegram traffic.

Telegram lets a bot send about 30 messages a second overall and about one a second to one chat
(short bursts pass); beyond that it answers 429 with ``retry_after`` and expects silence that
long. ``TelegramPacer`` is python-telegram-bot's rate-limiter hook, plugged in with
``ApplicationBuilder().rate_limiter(TelegramPacer(limits))``, so every Bot API call of that bot
passes through it: replies, edits and the outbox alike.

- A call with a ``chat_id`` (sending, editing) waits until its chat may receive (its burst,
  then one every ``1 / per_chat_per_second`` s), then for one of the bot's overall slots (an
  ``aiolimiter.AsyncLimiter``: one slot every ``1 / overall_per_second`` s, evenly, no burst,
  so the jitter of the network never adds up to more than Telegram allows).
- Calls without a chat (answering a button press, ``getMe``, ``setWebhook``) are not paced;
  ``getUpdates`` never reaches a rate limiter at all.
- Replies go first. A call made with ``rate_limit_args=BACKGROUND`` (the outbox) is given a
  slot only when no reply that may be sent now is waiting; it uses the slots replies leave.
- A 429 stops the whole channel (every chat, every method) for ``retry_after``; then the call
  is made again, ahead of the others of its priority, up to ``max_retries`` times, after which
  its ``RetryAfter`` goes to the caller (the silence holds all the same). A BACKGROUND call is
  not made again here: its ``RetryAfter`` goes to the outbox at once, which keeps the row. A reply waits its
  turn; nothing here replaces it. Any other error goes to the caller unchanged, at once.
- Several processes sending for one bot each pace at their share (``PacerLimits.shared``).

One task (the pump) hands out the slots in that order; each caller waits on a future. A call
that finds nobody waiting, its chat ready and an overall slot free takes it at once instead.
A chat's pace is one number, its theoretical arrival time (GCRA, the leaky bucket in closed
form), not a limiter object: the pump must know *when* a chat may receive without using up its
allowance, which ``AsyncLimiter`` cannot say. A chat whose allowance is full again is forgotten (it is
then the same as a new one), so the table holds only the chats of the last seconds.

Priority between a reply and a background call to the same chat follows the same rule. Use one
pacer per bot and one event loop; it is not shared between processes (each process behind the
load balancer paces its own share: ``CLC_SENDER_PROCESSES``).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import warnings
from collections import deque
from collections.abc import Callable, Coroutine, Hashable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

from aiolimiter import AsyncLimiter
from telegram.error import NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger(__name__)

Result = bool | dict[str, Any] | list[dict[str, Any]]
RateLimitArgs = Mapping[str, str]


class Priority(StrEnum):
    """Who goes first when the channel is busy: ``rate_limit_args={"priority": ...}``."""

    REPLY = "reply"  # the default: an answer someone is waiting for
    BACKGROUND = "background"  # queued traffic (the outbox): sent in the slots replies leave


# What the outbox passes: ``bot.send_message(..., rate_limit_args=BACKGROUND)``.
BACKGROUND: Final[RateLimitArgs] = MappingProxyType({"priority": Priority.BACKGROUND.value})


def priority_of(args: RateLimitArgs | None) -> Priority:
    """The call's priority; an unknown one raises ``ValueError`` (a bug in the caller)."""
    return Priority(args.get("priority", Priority.REPLY)) if args else Priority.REPLY


@dataclass(frozen=True)
class PacerLimits:
    """How fast one bot may send. The defaults are Telegram's; tests scale the rates."""

    overall_per_second: float = 30
    per_chat_per_second: float = 1
    per_chat_burst: int = 3  # messages one chat may get at once before the 1/s pace applies
    max_retries: int = 5  # 429s one call may meet before its RetryAfter goes to the caller
    forget_above: int = 1000  # idle chats are forgotten once more than this many are known

    def __post_init__(self) -> None:
        if self.overall_per_second <= 0 or self.per_chat_per_second <= 0:
            raise ValueError(f"rates must be positive: {self}")
        if self.per_chat_burst < 1 or self.max_retries < 0 or self.forget_above < 1:
            raise ValueError(f"burst and forget_above must be at least 1, retries at least 0: {self}")

    def shared(self, processes: int) -> PacerLimits:
        """One process's share when ``processes`` send for one bot: the bot's overall rate is
        divided; a chat's pace is not (a person's messages rarely come from two at once)."""
        return replace(self, overall_per_second=self.overall_per_second / processes)

    def scaled(self, factor: float) -> PacerLimits:
        """The same limits ``factor`` times faster (bursts and retries unchanged)."""
        return replace(self, overall_per_second=self.overall_per_second * factor,
                       per_chat_per_second=self.per_chat_per_second * factor)


def retry_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that this becomes a timedelta; take either
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def chat_key(chat_id: object) -> Hashable:
    """``123`` and ``"123"`` are one chat; ``"@channel"`` stays a name."""
    try:
        return int(str(chat_id))
    except ValueError:
        return str(chat_id)


@dataclass(eq=False)
class _Waiter:
    chat: Hashable
    go: asyncio.Future[None]


class TelegramPacer(BaseRateLimiter[RateLimitArgs]):
    """python-telegram-bot's rate limiter for one bot: see the module's docstring."""

    def __init__(self, limits: PacerLimits | None = None) -> None:
        self.limits = limits or PacerLimits()
        self._overall = AsyncLimiter(1, 1 / self.limits.overall_per_second)
        self._interval = 1 / self.limits.per_chat_per_second
        self._tolerance = (self.limits.per_chat_burst - 1) * self._interval
        self._due: dict[Hashable, float] = {}  # chat -> theoretical arrival time (loop clock)
        self._forget_at = self.limits.forget_above
        self._queues: dict[Priority, deque[_Waiter]] = {priority: deque() for priority in Priority}
        self._arrived = asyncio.Event()
        self._resume_at = 0.0  # loop time until which the whole channel is silent (a 429)
        self._pump: asyncio.Task[None] | None = None
        self.pauses = 0  # how often a 429 started or lengthened the channel's silence

    @property
    def tracked_chats(self) -> int:
        """Chats whose pace is remembered (bounded: idle ones are forgotten)."""
        return len(self._due)

    async def initialize(self) -> None:
        """Nothing to open: the pump starts with the first call, in the loop that makes it."""

    async def shutdown(self) -> None:
        """Stop the pump; calls still waiting fail with ``NetworkError`` (sent later, or never)."""
        pump, self._pump = self._pump, None
        if pump is not None:
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pump
        self._fail_waiters(NetworkError("the Telegram channel stopped before this call was sent"))

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: RateLimitArgs | None,
    ) -> Result:
        priority = priority_of(rate_limit_args)
        chat = data.get("chat_id")
        # Queued traffic is not retried here: its outbox row is claimed for a limited time, and
        # several long pauses could outlast the claim, letting another process send it too. The
        # outbox takes the RetryAfter, pauses the channel and sends the row again itself.
        retries = 0 if priority is Priority.BACKGROUND else self.limits.max_retries
        for attempt in range(retries + 1):
            if chat is None:
                await self._until_resumed()
            else:
                await self._slot(chat_key(chat), priority, retry=attempt > 0)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                # Telegram asked for silence: it holds whether or not this call is tried again.
                self._pause(retry_seconds(exc), endpoint)
                if attempt == retries:
                    if retries:
                        log.warning("telegram: %s still throttled after %d retries", endpoint, attempt)
                    raise
        raise AssertionError("unreachable")

    # ---- the caller's side -----------------------------------------------------------------

    def _pause(self, seconds: float, endpoint: str) -> None:
        resume_at = asyncio.get_running_loop().time() + seconds
        if resume_at > self._resume_at:
            self._resume_at = resume_at
            self.pauses += 1
            log.warning("telegram: 429 on %s; every chat waits %.1f s", endpoint, seconds)

    async def _until_resumed(self) -> None:
        loop = asyncio.get_running_loop()
        # Sleeping to a deadline, not polling: a loop because another 429 may move it later.
        while (wait := self._resume_at - loop.time()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)

    async def _slot(self, chat: Hashable, priority: Priority, *, retry: bool) -> None:
        if await self._at_once(chat):
            return
        self._start_pump()
        waiter = _Waiter(chat, asyncio.get_running_loop().create_future())
        queue = self._queues[priority]
        if retry:
            queue.appendleft(waiter)  # it was the first; its chat's later messages stay behind it
        else:
            queue.append(waiter)
        self._arrived.set()
        await waiter.go  # cancelling the caller cancels this future; the pump skips it

    async def _at_once(self, chat: Hashable) -> bool:
        """Take the slot here when nobody waits for one, the channel is not paused, the chat may
        receive and an overall slot is free: what the pump would do, without the two trips
        through the event loop its hand-off costs every call (issue 18)."""
        now = asyncio.get_running_loop().time()
        if now < self._resume_at or any(self._queues.values()):
            return False  # waiting calls keep their order: the pump serves them first
        if self._ready_at(chat, now) > now or not self._overall.has_capacity():
            return False
        await self._overall.acquire()  # there is capacity: it returns without waiting
        self._stamp(chat, now)
        return True

    # ---- the pump --------------------------------------------------------------------------

    def _start_pump(self) -> None:
        if self._pump is None or self._pump.done():
            self._pump = asyncio.get_running_loop().create_task(self._hand_out(), name="telegram-pacer")
            self._pump.add_done_callback(self._pump_ended)

    def _pump_ended(self, pump: asyncio.Task[None]) -> None:
        if not pump.cancelled() and (error := pump.exception()) is not None:
            log.error("telegram pacer stopped; waiting calls fail and the next call restarts it",
                      exc_info=error)
            self._fail_waiters(NetworkError(f"the Telegram pacer failed: {error!r}"))

    def _fail_waiters(self, error: Exception) -> None:
        for queue in self._queues.values():
            while queue:
                waiter = queue.popleft()
                if not waiter.go.done():
                    waiter.go.set_exception(error)

    async def _hand_out(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._work_ready(loop)
            await self._overall.acquire()  # only the pump takes them while calls wait: order is ours
            now = loop.time()
            if now < self._resume_at:
                continue  # a 429 arrived while this slot was coming: the slot goes unused
            waiter = self._take_ready(now)
            if waiter is not None:
                self._stamp(waiter.chat, now)
                waiter.go.set_result(None)

    async def _work_ready(self, loop: asyncio.AbstractEventLoop) -> None:
        """Return once the channel is not paused and some waiter's chat may receive now."""
        while True:
            now = loop.time()
            if now < self._resume_at:
                await asyncio.sleep(self._resume_at - now)
                continue
            at = self._earliest(now)
            if at is not None and at <= now:
                return
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout_at(at):  # None: until the next call arrives
                    await self._arrived.wait()

    def _ready_at(self, chat: Hashable, now: float) -> float:
        return self._due.get(chat, now) - self._tolerance

    def _earliest(self, now: float) -> float | None:
        """When the first waiter may go (``<= now``: at once); None when nobody waits."""
        earliest: float | None = None
        for queue in self._queues.values():
            for waiter in queue:
                if waiter.go.done():
                    continue
                at = self._ready_at(waiter.chat, now)
                if at <= now:
                    return at
                earliest = at if earliest is None else min(earliest, at)
        return earliest

    def _take_ready(self, now: float) -> _Waiter | None:
        """The first reply whose chat may receive now, else the first such background call."""
        for priority in Priority:  # declaration order: REPLY first
            queue = self._queues[priority]
            while queue and queue[0].go.done():
                queue.popleft()  # callers that gave up
            for index, waiter in enumerate(queue):
                if not waiter.go.done() and self._ready_at(waiter.chat, now) <= now:
                    del queue[index]
                    return waiter
        return None

    def _stamp(self, chat: Hashable, now: float) -> None:
        self._due[chat] = max(self._due.get(chat, now), now) + self._interval
        if len(self._due) > self._forget_at:
            # A chat due by now has its whole burst again: the same as one never seen.
            self._due = {key: due for key, due in self._due.items() if due > now}
            self._forget_at = max(self.limits.forget_above, 2 * len(self._due))
