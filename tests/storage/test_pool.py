"""How many PostgreSQL connections a process keeps (``CLC_DATABASE_POOL_SIZE``): enough that a
burst of steps reuses them instead of connecting again for most steps."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event, text

from bot.settings import database_of, load_settings
from storage.db import Database


async def test_a_burst_of_transactions_reuses_the_pool_s_connections(database: Database) -> None:
    if database.is_sqlite:
        pytest.skip("SQLite: one writer at a time, on one connection")
    connects = 0

    def connected(*_: object) -> None:
        nonlocal connects
        connects += 1

    event.listen(database.engine.sync_engine, "connect", connected)

    async def step() -> None:
        async with database.transaction() as session:
            await session.execute(text("SELECT pg_sleep(0.01)"))

    async def burst() -> None:  # 15 steps at once, as villagers answering together
        await asyncio.gather(*(step() for _ in range(15)))

    await burst()
    opened = connects
    for _ in range(4):
        await burst()
    # Opened once, then kept; SQLAlchemy's default pool kept 5 and opened 10 again per burst.
    assert 0 < opened <= 15 and connects == opened


async def test_the_setting_sizes_the_service_s_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLC_DATABASE_URL", "postgresql+asyncpg://clc@db.example.org/clc")  # not connected
    monkeypatch.setenv("CLC_DATABASE_POOL_SIZE", "7")
    db = database_of(load_settings())
    try:
        pool = db.engine.pool
        assert (pool.size(), pool._max_overflow) == (7, 3)  # type: ignore[attr-defined]
    finally:
        await db.dispose()
