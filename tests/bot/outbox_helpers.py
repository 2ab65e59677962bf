"""Delivering what the outbox holds to in-process villagers (the simulator channel)."""

from __future__ import annotations

from bot.clock import FakeClock
from bot.i18n import Catalogs
from storage.db import Database
from tests.bot.test_outbox import RecordingSender
from tests.built import outbox_sender


async def deliver(database: Database, catalogs: Catalogs, clock: FakeClock) -> list[tuple[str, str]]:
    """Send everything due to simulator addresses; (address, rendered text) in sending order."""
    sender = RecordingSender("simulator")
    await outbox_sender(database, catalogs, {"simulator": sender}, clock=clock).send_due()
    return sender.sent
