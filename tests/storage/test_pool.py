"""How many PostgreSQL connections a process keeps (``CLC_DATABASE_POOL_SIZE``): enough that a
burst of steps reuses them instead of connecting again for most steps."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event, text

from bot.service import database_of
from bot.settings import load_settings
from storage.db import Database
from tests.conftest import PG_ENV, _pg_url


async def test_a_burst_of_transactions_reuses_the_pool_s_connections() -> None:
    url = _pg_url()
    if url is None:
        pytest.skip(f"PostgreSQL: {PG_ENV} is not set")
    db = Database.from_url(url)
    connects = 0

    def connected(*_: object) -> None:
        nonlocal connects
        connects += 1

    event.listen(db.engine.sync_engine, "connect", connected)
    try:
        async def step() -> None:
            async with db.transaction() as session:
                await session.execute(text("SELECT pg_sleep(0.01)"))

        for _ in range(5):  # five bursts of 15 steps at once, as villagers answering together
            await asyncio.gather(*(step() for _ in range(15)))
    finally:
        await db.dispose()
    assert connects == 15  # opened once, then kept (SQLAlchemy's default kept 5 and reopened 10 per burst)


async def test_the_setting_sizes_the_service_s_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    url = _pg_url()
    if url is None:
        pytest.skip(f"PostgreSQL: {PG_ENV} is not set")
    monkeypatch.setenv("CLC_DATABASE_URL", url)
    monkeypatch.setenv("CLC_DATABASE_POOL_SIZE", "7")
    db = database_of(load_settings())
    try:
        assert db.engine.pool.size() == 7  # type: ignore[attr-defined]
    finally:
        await db.dispose()
