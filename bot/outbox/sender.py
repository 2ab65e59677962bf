"""Sending what is due: claim in batches, send concurrently at the channels' pace, record in
batches.

``OutboxSender.send_due`` keeps up to ``window`` rows in flight: it claims (``store.claim``,
most urgent first), checks them in one transaction (``prepare``), and hands each to its
person's chain, one task per person, so one person's messages arrive in order and one at a
time while many people's go out at once; the channel's own pacer (``TelegramPacer``, the SMS
pacer) decides how fast. When half the window is free it claims again, so an offer due while
a broadcast drains waits behind at most one window. Outcomes are written ``FLUSH_AT`` at a
time, or every ``FLUSH_SECONDS``, in one transaction (``store.record``).

A ``RetryLater`` pauses the message's channel for this process (``ChannelPauses``): the row
and every other row for that channel wait until the pause ends, and nothing is claimed for it
meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.channels.base import Sender
from bot.channels.pause import ChannelPaused, queued_traffic
from bot.clock import Clock, system_clock
from bot.i18n import Catalogs
from bot.outbox import store
from bot.outbox.pauses import ChannelPauses
from bot.outbox.prepare import Ready, backoff, prepare
from bot.outbox.rows import Claimed, OutboxKind, Outcome
from bot.outbox.store import LEASE
from flows.errors import PermanentFailure, RetryLater, Unreachable
from flows.registry import FlowRegistry
from storage.db import Database

log = logging.getLogger(__name__)
WINDOW = 50  # rows claimed and not yet sent, at most, per process
FLUSH_AT = 10  # outcomes recorded together
FLUSH_SECONDS = 0.2  # ... or after this long (what a kill -9 can make be sent twice)
STALE = LEASE / 2  # a claim not sent by then goes back: its lease must not run out mid-send


@dataclass
class _Chain:
    """One person's rows in flight, sent one after another."""

    contact_id: int
    queue: deque[Ready]
    task: asyncio.Task[None] | None = None


@dataclass
class _Run:
    """One ``send_due``: what is in flight and what is done but not yet recorded."""

    # Only the people with rows in flight, and only their rows whose sending began: a broadcast
    # to 100,000 people kept every finished chain and row id until its end (peak memory 282 MiB,
    # bench.outbox_rate, issue 18).
    chains: dict[int, _Chain] = field(default_factory=dict)
    in_flight: int = 0
    started: set[int] = field(default_factory=set)
    done: list[Outcome] = field(default_factory=list)
    progress: asyncio.Event = field(default_factory=asyncio.Event)


class OutboxSender:
    def __init__(
        self,
        db: Database,
        catalogs: Catalogs,
        senders: Mapping[str, Sender],
        *,
        kinds: Iterable[OutboxKind],
        flows: FlowRegistry,
        clock: Clock = system_clock,
        window: int = WINDOW,
        only_contact: int | None = None,
    ) -> None:
        self.db = db
        self.catalogs = catalogs
        self.senders = dict(senders)
        self.kinds = {kind.kind: kind for kind in kinds}
        self.flows = flows
        self.clock = clock
        self.window = window
        # The terminal simulator is one person: it must not claim everyone else's messages on
        # the channel it stands in for (``--phone`` makes it "sms").
        self.only_contact = only_contact
        self.pauses = ChannelPauses(clock)
        self._stopping = False

    def stop(self) -> None:
        """Claim nothing more; a ``send_due`` under way finishes what it holds."""
        self._stopping = True

    async def send_due(self) -> int:
        """Send what is due now; returns how many rows were handled (sent, skipped, failed or
        put back to wait)."""
        run, handled, more = _Run(), 0, True
        loop = asyncio.get_running_loop()
        flushed_at = loop.time()
        try:
            while True:
                # Done but not yet recorded counts too: a kill repeats those, so a process never
                # has more than a window of rows it has claimed and not recorded.
                room = self.window - run.in_flight - len(run.done)
                if more and not self._stopping and room >= max(1, self.window // 2):
                    claimed = await self._claim(room)
                    more = len(claimed) == room
                    handled += len(claimed)
                    await self._start(run, claimed)
                if run.in_flight and len(run.done) < FLUSH_AT:
                    run.progress.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(run.progress.wait(), FLUSH_SECONDS)
                idle = not run.in_flight and (not more or self._stopping)
                due = (idle or not run.in_flight or len(run.done) >= FLUSH_AT
                       or loop.time() - flushed_at >= FLUSH_SECONDS)  # nothing to wait for: record
                if run.done and due:
                    done, run.done = run.done, []
                    await store.record(self.db, done, clock=self.clock, flows=self.flows)
                    flushed_at = loop.time()
                if idle:
                    return handled
        except asyncio.CancelledError:  # shutting down
            await asyncio.shield(self._abandon(run))
            raise
        except Exception:
            # Claiming or recording failed (the database gone for longer than a retry): the sends
            # under way stop, rather than go on with nobody to record them, and what can still
            # be recorded or put back is.
            with contextlib.suppress(Exception):
                await asyncio.shield(self._abandon(run))
            raise

    async def _claim(self, limit: int) -> list[Claimed]:
        channels = [channel for channel in self.senders if self.pauses.until(channel) is None]
        if not channels:
            return []
        return await store.claim(self.db, now=self.clock(), limit=limit, channels=channels, kinds=self.kinds,
                                 only_contact=self.only_contact)

    async def _start(self, run: _Run, claimed: list[Claimed]) -> None:
        if not claimed:
            return
        try:
            async with self.db.transaction() as session:
                prepared = await prepare(session, claimed, channels=list(self.senders), kinds=self.kinds,
                                         now=self.clock())
        except asyncio.CancelledError:
            await asyncio.shield(store.release(self.db, claimed, self.clock()))
            raise
        for item in prepared:
            if isinstance(item, Outcome):
                run.done.append(item)
                continue
            run.in_flight += 1
            chain = run.chains.get(item.row.contact_id)
            if chain is not None and chain.task is not None and not chain.task.done():
                chain.queue.append(item)  # its task takes it after the person's earlier rows
                continue
            chain = run.chains[item.row.contact_id] = _Chain(item.row.contact_id, deque([item]))
            chain.task = asyncio.create_task(self._send_chain(run, chain), name=f"outbox-{item.row.id}")

    async def _send_chain(self, run: _Run, chain: _Chain) -> None:
        queued_traffic.set(True)  # this task's own context: the channels pace it behind replies
        while chain.queue:
            ready = chain.queue[0]
            outcome = await self._send(run, ready)
            chain.queue.popleft()
            run.started.discard(ready.row.id)  # out of the queue: _abandon no longer asks
            run.done.append(outcome)
            run.in_flight -= 1
            run.progress.set()
        # Nothing awaited since the queue emptied, so _start cannot have added to it meanwhile.
        if run.chains.get(chain.contact_id) is chain:
            del run.chains[chain.contact_id]

    async def _send(self, run: _Run, ready: Ready) -> Outcome:
        row, target = ready.row, ready.target
        paused_until = self.pauses.until(target.channel)
        if paused_until is not None:
            return Outcome(row, "pending", "channel paused", due_at=paused_until, counted=False)
        if self.clock() - row.claimed_at > STALE:
            return Outcome(row, "pending", "claim too old to send", due_at=self.clock(), counted=False)
        sender = self.senders[target.channel]

        async def part_sent(done: int, total: int, provider_id: str) -> None:
            if done < total:  # the last part is recorded with the row's outcome
                await store.record_part(self.db, row.id, done, provider_id, target.address)

        run.started.add(row.id)
        try:
            tr = self.catalogs.translator(ready.language)
            provider_ids = await sender.send(target.address, ready.replies, tr, skip=ready.skip,
                                             on_part=part_sent)
        except Unreachable as exc:
            return Outcome(row, "failed", f"unreachable: {exc}", unreachable_identity=target.id)
        except ChannelPaused as exc:  # another message met the 429: this one was never tried
            until = self.pauses.pause(target.channel, exc.retry_after)
            return Outcome(row, "pending", str(exc), due_at=until, counted=False)
        except RetryLater as exc:
            until = self.pauses.pause(target.channel, exc.retry_after)
            return Outcome(row, "pending", str(exc), due_at=until)
        except PermanentFailure as exc:
            return Outcome(row, "failed", str(exc))
        except Exception as exc:  # network trouble we have no class for: back off and retry
            log.exception("outbox row %s: sending failed", row.id)
            return Outcome(row, "pending", repr(exc), due_at=self.clock() + backoff(row.attempts))
        parts = (ready.skip + len(provider_ids), target.address)
        return Outcome(row, "sent", provider_id=provider_ids[0] if provider_ids else None, parts=parts,
                       seq_when_sent=ready.seq_when_sent)

    async def _abandon(self, run: _Run) -> None:
        """Stopped: what was done is recorded, what never began is due again now, and a row
        interrupted mid-send stays claimed until its lease runs out (it may have arrived)."""
        untried = [ready.row for chain in run.chains.values() for ready in chain.queue
                   if ready.row.id not in run.started]
        tasks = [chain.task for chain in run.chains.values() if chain.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await store.record(self.db, run.done, clock=self.clock, flows=self.flows)
        await store.release(self.db, untried, self.clock())
