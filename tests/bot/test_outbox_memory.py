"""One ``send_due`` over a large broadcast holds only what is in flight: the people whose rows
are being sent, not everyone it has served so far (a 100,000-message run grew to 282 MiB)."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Sequence

import pytest

from bot.clock import FakeClock
from bot.i18n import Catalogs, Translator
from bot.outbox import OutboxSender
from bot.outbox import sender as outbox_sender
from flows.events import Reply
from storage.db import Database
from tests.bot.outbox_crowd import BULK, KINDS, people_on_telegram, queue_each
from tests.built import FLOWS

PEOPLE = 400
WINDOW = 20


class Counting:
    """A channel that delivers at once and notes how many people's chains are alive each time."""

    channel = "telegram"

    def __init__(self) -> None:
        self.sent = 0
        self.most_chains = 0

    async def send(self, address: str, replies: Sequence[Reply], tr: Translator, **_: object) -> list[str]:
        self.sent += 1
        if self.sent % 50 == 0:  # gc.get_objects is slow: sample
            alive = sum(isinstance(found, outbox_sender._Chain) for found in gc.get_objects())
            self.most_chains = max(self.most_chains, alive)
        return [f"m{self.sent}"]


async def test_a_broadcast_keeps_only_the_people_in_flight(database: Database, clock: FakeClock) -> None:
    people = await people_on_telegram(database, clock, PEOPLE)
    await queue_each(database, clock, people, BULK, "Ярмарка в субботу")
    channel = Counting()
    outbox = OutboxSender(database, Catalogs.load(), {"telegram": channel}, kinds=KINDS, flows=FLOWS,
                          clock=clock, window=WINDOW)
    handled = 0
    while found := await outbox.send_due():
        handled += found
    assert channel.sent == PEOPLE and handled == PEOPLE
    assert 0 < channel.most_chains <= WINDOW  # finished people are let go (was up to PEOPLE)


class Blocking:
    """A channel that delivers its first message at once and holds every other one until
    released, counting those stopped by cancellation."""

    channel = "telegram"

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.started = 0
        self.stopped = 0

    async def send(self, address: str, replies: Sequence[Reply], tr: Translator, **_: object) -> list[str]:
        self.started += 1
        if self.started == 1:
            return ["m1"]  # an outcome to record: its flush is what fails
        try:
            await self.release.wait()
        except asyncio.CancelledError:
            self.stopped += 1
            raise
        return [f"m{self.started}"]


async def test_when_recording_fails_the_sends_under_way_stop(
    database: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nobody would record what they sent: they stop, and their rows' leases bring them back."""
    people = await people_on_telegram(database, clock, 30)
    await queue_each(database, clock, people, BULK, "Ярмарка в субботу")
    channel = Blocking()
    outbox = OutboxSender(database, Catalogs.load(), {"telegram": channel}, kinds=KINDS, flows=FLOWS,
                          clock=clock, window=WINDOW)

    async def broken(*_: object, **__: object) -> None:
        raise RuntimeError("the database is gone")

    monkeypatch.setattr(outbox_sender.store, "record", broken)
    sending = asyncio.create_task(outbox.send_due())
    for _ in range(200):  # bounded: until the first window's sends are under way
        if channel.started >= WINDOW:
            break
        await asyncio.sleep(0.01)
    assert channel.started == WINDOW
    with pytest.raises(RuntimeError, match="gone"):
        await asyncio.wait_for(sending, 5)  # the first outcome's flush fails after FLUSH_SECONDS
    assert channel.stopped == WINDOW - 1  # none left sending with nobody to record it
