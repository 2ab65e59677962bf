"""``Database.one_statement``: one write, committed when it returns; on PostgreSQL outside any
transaction (no BEGIN or COMMIT round trip), which is why the Telegram poller records with it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from bot.dispatcher import Dispatcher
from flows.events import Inbound
from storage.db import Database
from storage.models import InboundMessage
from tests.built import FEATURES


async def test_on_postgresql_the_statement_is_its_own_transaction(database: Database) -> None:
    if database.is_sqlite:
        pytest.skip("SQLite: one statement is a transaction like any other (the write lock)")
    # Inside a transaction now() stands still; in autocommit each statement is a transaction of
    # its own, so the second, a few milliseconds later, sees a later now().
    twice = [text("SELECT now()"), text("SELECT now() FROM pg_sleep(0.005)")]
    server = text("SELECT pg_backend_pid()")
    async with database.one_statement() as session:
        first, second = [await session.scalar(statement) for statement in twice]
        autocommitted = await session.scalar(server)
    assert second > first
    async with database.transaction() as session:
        first, second = [await session.scalar(statement) for statement in twice]
        reused = await session.scalar(server)
    assert second == first  # the check can tell the two apart
    # The same connection (the only one the pool holds here): back to transactions once returned.
    assert reused == autocommitted


async def test_a_recorded_batch_is_kept_once_and_seen_from_another_session(
    database: Database,
) -> None:
    bot = Dispatcher(database, FEATURES)
    batch = [(Inbound("telegram", f"telegram:{n}", text="сәлем"), f"update-{n}") for n in range(3)]
    await bot.record(batch)
    await bot.record(batch[1:])  # Telegram sends unconfirmed updates again: skipped, no error
    other = Database(database.engine)  # a new session: it sees only what was committed
    async with other.sessions() as session:
        kept = await session.scalar(select(func.count()).select_from(InboundMessage)
                                    .where(InboundMessage.handled_at.is_(None)))
    assert kept == 3
