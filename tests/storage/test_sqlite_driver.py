"""``storage.sqlite_driver``: SQLAlchemy's aiosqlite adapter with one trip to SQLite's thread per
statement answers exactly as the stock adapter does, in one trip."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from storage.db import Database
from storage.sqlite_driver import OneTripConnection

SCHEMA = "CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, size INTEGER)"


async def observed(connection: AsyncConnection) -> list[Any]:
    """What SQLAlchemy reports for each kind of statement: rows and keys, row counts, ids."""
    seen: list[Any] = []
    await connection.execute(text(SCHEMA))
    inserted = await connection.execute(text("INSERT INTO things (name, size) VALUES (:n, :s)"), {"n": "a", "s": 1})
    seen += [inserted.rowcount, inserted.lastrowid]
    many = await connection.execute(text("INSERT INTO things (name, size) VALUES (:n, :s)"),
                                    [{"n": "b", "s": 2}, {"n": "c", "s": 3}])
    seen.append(many.rowcount)
    returned = await connection.execute(text("INSERT INTO things (name) VALUES ('d') RETURNING id, name"))
    seen.append([tuple(row) for row in returned])
    updated = await connection.execute(text("UPDATE things SET size = size + 1 WHERE size IS NOT NULL"))
    seen.append(updated.rowcount)
    selected = await connection.execute(text("SELECT id, name, size FROM things ORDER BY id"))
    seen += [list(selected.keys()), [tuple(row) for row in selected]]
    seen.append((await connection.execute(text("SELECT id FROM things WHERE name = 'zz'"))).first())
    seen.append([row async for row in await connection.stream(text("SELECT name FROM things ORDER BY id"))])
    with pytest.raises(IntegrityError):
        await connection.execute(text("INSERT INTO things (name) VALUES ('a')"))
    return seen


class Trips:
    def __init__(self, queue: Any) -> None:
        self.queue, self.count = queue, 0

    def put_nowait(self, item: Any) -> None:
        self.count += 1
        self.queue.put_nowait(item)


@pytest.fixture
async def engines(tmp_path: Path) -> AsyncIterator[tuple[AsyncEngine, AsyncEngine]]:
    ours = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'ours.db'}")
    stock = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'stock.db'}")
    try:
        yield ours.engine, stock
    finally:
        await ours.dispose()
        await stock.dispose()


async def test_the_same_answers_as_the_stock_adapter(engines: tuple[AsyncEngine, AsyncEngine]) -> None:
    ours, stock = engines
    async with ours.connect() as connection:
        raw = await connection.get_raw_connection()
        assert isinstance(raw.dbapi_connection, OneTripConnection)
        found = await observed(connection)
    async with stock.connect() as connection:
        expected = await observed(connection)
    assert found == expected
    assert found[0] == 1 and found[-1] == [("a",), ("b",), ("c",), ("d",)]


async def test_a_statement_is_one_trip_to_sqlites_thread(engines: tuple[AsyncEngine, AsyncEngine]) -> None:
    ours, stock = engines
    trips: dict[str, int] = {}
    for name, engine in (("ours", ours), ("stock", stock)):
        async with engine.connect() as connection:
            await connection.execute(text(SCHEMA))
            driver = (await connection.get_raw_connection()).driver_connection
            assert driver is not None
            queue = Trips(driver._tx)
            driver._tx = queue  # what aiosqlite's calls put on its thread's queue, counted
            try:
                rows = (await connection.execute(text("SELECT count(*) FROM things"))).all()
            finally:
                driver._tx = queue.queue
            assert rows == [(0,)]
            trips[name] = queue.count
    assert trips == {"ours": 1, "stock": 4}
