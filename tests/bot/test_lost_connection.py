"""PostgreSQL: a pooled connection the server dropped (a restart, an idle timeout) costs a
villager nothing. A step whose connection is gone runs again on a new one instead of ending in
an apology; a connection idle for a while is pinged before use (``storage.db``)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import create_async_engine

import storage.db as storage_db
from bot.clock import FakeClock
from bot.dispatcher import Dispatcher, apology
from flows.events import Inbound
from storage.db import Database
from tests.built import FEATURES


async def drop_our_connections(database: Database) -> int:
    """Ask the server, from a connection of its own, to end every backend this Database holds."""
    async with database.engine.connect() as connection:
        ours = int(await connection.scalar(text("SELECT pg_backend_pid()")) or 0)
    admin = create_async_engine(os.environ["CLC_TEST_DATABASE_URL"])
    try:
        async with admin.connect() as connection:
            return int(await connection.scalar(text("SELECT count(*) FROM pg_stat_activity, "
                                                    "LATERAL pg_terminate_backend(pid) AS done "
                                                    "WHERE pid = :pid AND done"), {"pid": ours}) or 0)
    finally:
        await admin.dispose()


@pytest.mark.parametrize("idle", [False, True], ids=["in use a moment ago", "idle"])
async def test_a_step_on_a_dropped_connection_is_served_not_apologised_for(
    database: Database, clock: FakeClock, idle: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if database.is_sqlite:
        pytest.skip("SQLite has no server connection to lose")
    dispatcher = Dispatcher(database, FEATURES, clock=clock)
    said = [await dispatcher.handle(Inbound("telegram", "telegram:901", text="/start", language_hint="ru"),
                                    provider_id="1")]
    said.append(await dispatcher.handle(Inbound("telegram", "telegram:901", text="2"), provider_id="2"))
    assert await drop_our_connections(database) == 1
    # "idle": every pooled connection counts as idle, so it is pinged, found gone and replaced
    # before the step; otherwise the step meets the dead connection and runs again.
    monkeypatch.setattr(storage_db, "PING_AFTER_IDLE_SECONDS", 0.0 if idle else 3600.0)
    failed_statements: list[object] = []
    event.listen(database.engine.sync_engine, "handle_error", failed_statements.append)
    after = await dispatcher.handle(Inbound("telegram", "telegram:901", text="меню"), provider_id="3")
    assert not after.failed and after.replies and apology() not in after.replies
    assert len(after.replies[-1].choices) > 3  # the main menu, served
    # Idle: the ping found it gone and the pool gave another before any statement ran. In use a
    # moment ago: a statement met the dead connection and the step ran again.
    assert (len(failed_statements) == 0) if idle else (len(failed_statements) >= 1)
