"""PostgreSQL: a pooled connection the server dropped (a restart, an idle timeout) costs a
villager nothing. A step whose connection is gone runs again on a new one instead of ending in
an apology (when its provider id makes a second run safe); a connection idle for a while is
pinged before use (``storage.db``); a broadcast's outcomes are recorded on a new connection, so
nothing sent goes again."""

from __future__ import annotations

import os
from collections.abc import Sequence

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.ext.asyncio import create_async_engine

import storage.db as storage_db
from bot.clock import FakeClock
from bot.dispatcher import Dispatcher, apology
from bot.i18n import Catalogs, Translator
from bot.outbox import OutboxSender
from flows.events import Inbound, Reply
from storage.db import Database
from storage.models import OutboxMessage
from tests.bot.outbox_crowd import BULK, KINDS, people_on_telegram, queue_each
from tests.built import FEATURES, FLOWS


async def drop_our_connections(database: Database) -> int:
    """Have the server end every connection resting in this Database's pool (as a restart
    would), from a connection of its own; how many it ended."""
    resting = list(database.engine.sync_engine.pool._pool._queue._queue)  # type: ignore[attr-defined]
    pids = [entry.dbapi_connection.driver_connection.get_server_pid() for entry in resting
            if entry.dbapi_connection is not None]
    admin = create_async_engine(os.environ["CLC_TEST_DATABASE_URL"])
    try:
        async with admin.connect() as connection:
            ended = [await connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                     for pid in pids]
    finally:
        await admin.dispose()
    return sum(1 for done in ended if done)


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
    assert await drop_our_connections(database) >= 1
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


async def test_without_a_provider_id_a_lost_connection_is_not_risked_twice(
    database: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing would tell a second run that the first one's commit reached the server."""
    if database.is_sqlite:
        pytest.skip("SQLite has no server connection to lose")
    dispatcher = Dispatcher(database, FEATURES, clock=clock)
    await dispatcher.handle(Inbound("telegram", "telegram:902", text="/start", language_hint="ru"))
    assert await drop_our_connections(database) >= 1
    monkeypatch.setattr(storage_db, "PING_AFTER_IDLE_SECONDS", 3600.0)
    after = await dispatcher.handle(Inbound("telegram", "telegram:902", text="2"))
    assert after.failed and after.replies == (apology(),)


class DropsTheDatabase:
    """A Telegram channel that delivers, and on the first delivery has the server end the
    outbox's connection: the outcomes are then recorded on a dead connection."""

    channel = "telegram"

    def __init__(self, database: Database) -> None:
        self.database, self.dropped, self.dropping = database, 0, False
        self.sent: list[str] = []

    async def send(self, address: str, replies: Sequence[Reply], tr: Translator, **_: object) -> list[str]:
        if not self.dropping:  # the chains send concurrently: the first one drops it
            self.dropping = True
            self.dropped = await drop_our_connections(self.database)
        self.sent.append(address)
        return [f"m{len(self.sent)}"]


async def test_a_broadcast_recorded_on_a_lost_connection_is_not_sent_again(
    database: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    if database.is_sqlite:
        pytest.skip("SQLite has no server connection to lose")
    people = await people_on_telegram(database, clock, 30)
    await queue_each(database, clock, people, BULK, "Ярмарка в субботу")
    monkeypatch.setattr(storage_db, "PING_AFTER_IDLE_SECONDS", 3600.0)
    channel = DropsTheDatabase(database)
    outbox = OutboxSender(database, Catalogs.load(), {"telegram": channel}, kinds=KINDS, flows=FLOWS, clock=clock)
    assert await outbox.send_due() == 30
    assert channel.dropped >= 1
    clock.advance(hours=1)  # every lease long run out: nothing unrecorded is left to go again
    assert await outbox.send_due() == 0
    assert sorted(channel.sent) == sorted(set(channel.sent)) and len(channel.sent) == 30
    async with database.transaction() as session:
        statuses = (await session.scalars(select(OutboxMessage.status))).all()
    assert statuses == ["sent"] * 30
