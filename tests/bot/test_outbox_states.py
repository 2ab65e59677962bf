"""What the outbox keeps per message: sent, failed or skipped with its reason; a probable loop
held; and two processes on one PostgreSQL outbox sending each message once."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Mapping
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import FakeClock
from bot.i18n import Catalogs
from bot.outbox import OutboxKind, OutboxSender
from bot.outbox.prepare import LOOP_LIMIT, PROBABLE_LOOP
from storage.db import Database
from tests.bot.outbox_crowd import KINDS, people_on_telegram, queue_each
from tests.bot.test_outbox import RecordingSender, contact_with, queue, status_of
from tests.built import FLOWS


async def withdrawn(_session: AsyncSession, _payload: Mapping[str, Any], _now: object) -> bool:
    return False


async def test_a_message_no_longer_wanted_is_skipped_with_that_reason(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    telegram = RecordingSender("telegram")
    outbox = OutboxSender(database, catalogs, {"telegram": telegram}, kinds=[*KINDS, OutboxKind("gone", withdrawn)],
                          flows=FLOWS, clock=clock)
    contact_id = await contact_with(database, clock, ("telegram", "telegram:5"))
    row_id = await queue(database, clock, contact_id, kind="gone")
    assert await outbox.send_due() == 1 and telegram.sent == []
    row = await status_of(database, row_id)
    assert (row.status, row.last_error) == ("skipped", "no longer relevant")


async def test_more_than_twenty_identical_messages_within_five_minutes_are_held_as_a_loop(
    database: Database, catalogs: Catalogs, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    telegram = RecordingSender("telegram")
    outbox = OutboxSender(database, catalogs, {"telegram": telegram}, kinds=KINDS, flows=FLOWS, clock=clock)
    looping, other = await contact_with(database, clock, ("telegram", "telegram:5")), \
        await contact_with(database, clock, ("telegram", "telegram:6"))
    for _ in range(LOOP_LIMIT - 5):  # a job gone wrong queues the same message again and again
        await queue(database, clock, looping)
        clock.advance(seconds=10)
        await outbox.send_due()
    rows = [await queue(database, clock, looping) for _ in range(10)]  # and then all at once
    different = await queue(database, clock, other)
    with caplog.at_level(logging.WARNING, logger="bot.outbox"):
        assert await outbox.send_due() == 11
    states = [(await status_of(database, row)) for row in rows]
    assert [(s.status, s.last_error) for s in states] == [("sent", None)] * 5 + [("skipped", PROBABLE_LOOP)] * 5
    assert (await status_of(database, different)).status == "sent"  # someone else's is no copy
    assert len([a for a, _ in telegram.sent if a == "telegram:5"]) == LOOP_LIMIT
    held = [r.getMessage() for r in caplog.records if "identical messages" in r.getMessage()]
    assert len(held) == 5 and all(f"to contact {looping} " in m and "telegram:5" not in m for m in held)
    clock.advance(minutes=5)  # the copies sent in the last five minutes are what count
    again = await queue(database, clock, looping)
    await outbox.send_due()
    assert (await status_of(database, again)).status == "sent"


async def test_two_senders_on_one_postgresql_outbox_send_each_message_once(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    if database.is_sqlite:
        pytest.skip("SQLite has one process by design; row locks are PostgreSQL's")
    people = await people_on_telegram(database, clock, 400)
    rows = await queue_each(database, clock, people, "test-bulk", "Собрание")
    first, second = RecordingSender("telegram"), RecordingSender("telegram")
    outboxes = [OutboxSender(database, catalogs, {"telegram": sender}, kinds=KINDS, flows=FLOWS, clock=clock,
                             window=20) for sender in (first, second)]
    handled = await asyncio.gather(*(outbox.send_due() for outbox in outboxes))
    assert sum(handled) == len(rows) and all(handled)  # both took part
    sent = Counter(address for address, _ in first.sent + second.sent)
    assert len(sent) == len(rows) and set(sent.values()) == {1}
    assert {(await status_of(database, row)).status for row in rows} == {"sent"}
