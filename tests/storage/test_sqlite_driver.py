"""``storage.sqlite_driver``: SQLAlchemy's aiosqlite adapter with one trip to SQLite's thread per
statement answers exactly as the stock adapter does, in one trip."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from storage import sqlite_driver
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


async def test_a_statement_is_one_trip_to_sqlites_thread_and_none_inside_a_transaction(
    engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    ours, stock = engines
    trips: dict[str, list[int]] = {}
    for name, engine in (("ours", ours), ("stock", stock)):
        async with engine.begin() as setup:
            await setup.execute(text(SCHEMA))
        async with engine.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
            assert driver is not None
            queue = Trips(driver._tx)
            driver._tx = queue  # what aiosqlite's calls put on its thread's queue, counted
            counts = []
            try:
                for _ in range(2):  # the transaction's first statement, then another
                    before = queue.count
                    rows = (await connection.execute(text("SELECT count(*) FROM things"))).all()
                    assert rows == [(0,)]
                    counts.append(queue.count - before)
            finally:
                driver._tx = queue.queue
            trips[name] = counts
    # Ours: the first statement takes the transaction's BEGIN IMMEDIATE with it; the next runs
    # in place, since the transaction holds SQLite's write lock. The stock adapter: 4 each.
    assert trips == {"ours": [1, 0], "stock": [4, 4]}


async def counted_trips(db: Database, work: Any) -> int:
    """Trips to SQLite's thread made by ``work(session)`` in one ``db.transaction()``, commit
    included."""
    async with db.engine.connect() as connection:  # the pool's one connection, warmed up
        driver = (await connection.get_raw_connection()).driver_connection
    assert driver is not None
    queue = Trips(driver._tx)
    driver._tx = queue
    try:
        async with db.transaction() as session:
            await work(session)
    finally:
        driver._tx = queue.queue
    return queue.count


@pytest.fixture
async def things(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'things.db'}")
    async with db.transaction() as session:
        await session.execute(text(SCHEMA))
    try:
        yield db
    finally:
        await db.dispose()


async def test_begin_goes_with_the_first_statement(things: Database) -> None:
    async def one_insert(session: Any) -> None:
        await session.execute(text("INSERT INTO things (name) VALUES ('a')"))

    async def nothing(_session: Any) -> None:
        pass

    assert await counted_trips(things, one_insert) == 2  # BEGIN IMMEDIATE with the insert; COMMIT
    assert await counted_trips(things, nothing) == 0  # no statement: no transaction to open or end
    async with things.transaction() as session:
        assert (await session.execute(text("SELECT name FROM things"))).scalars().all() == ["a"]


async def test_a_failed_transaction_leaves_nothing_and_the_next_one_works(things: Database) -> None:
    with pytest.raises(IntegrityError):
        async with things.transaction() as session:
            await session.execute(text("INSERT INTO things (name) VALUES ('a')"))
            await session.execute(text("INSERT INTO things (name) VALUES ('a')"))
    with pytest.raises(RuntimeError):
        async with things.transaction() as session:
            raise RuntimeError("the step failed before any statement")
    async with things.transaction() as session:
        await session.execute(text("INSERT INTO things (name) VALUES ('b')"))
    async with things.transaction() as session:
        assert (await session.execute(text("SELECT name FROM things"))).scalars().all() == ["b"]


async def test_executemany_first_is_inside_the_transaction(things: Database) -> None:
    """Rows written by an executemany as the transaction's first statement go with it: a
    rollback leaves none of them."""
    with pytest.raises(RuntimeError):
        async with things.transaction() as session:
            await session.execute(text("INSERT INTO things (name) VALUES (:name)"), [{"name": "a"}, {"name": "b"}])
            raise RuntimeError("the step failed after writing")
    async with things.transaction() as session:
        assert (await session.execute(text("SELECT count(*) FROM things"))).scalar_one() == 0


async def test_waiting_for_another_process_s_write_lock_does_not_hold_the_event_loop(
    things: Database, tmp_path: Path,
) -> None:
    """The BEGIN IMMEDIATE that waits for another process goes to SQLite's thread: were it run
    in place, the loop (and this test, which ends the other's transaction) would stand still
    until the busy timeout."""
    other = sqlite3.connect(tmp_path / "things.db", isolation_level=None, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO things (name) VALUES ('theirs')")

    async def ours() -> list[str]:
        async with things.transaction() as session:
            await session.execute(text("INSERT INTO things (name) VALUES ('ours')"))
            return list((await session.execute(text("SELECT name FROM things ORDER BY id"))).scalars())

    try:
        step = asyncio.create_task(ours())
        for _ in range(20):  # the loop keeps running while our step waits for their lock
            await asyncio.sleep(0)
        assert not step.done()
        other.execute("COMMIT")
        assert await asyncio.wait_for(step, 10) == ["theirs", "ours"]
    finally:
        other.close()


async def second_statement_trips(db: Database, *, in_place: bool = True) -> int:
    """Trips made by the second statement of a transaction (the first took the BEGIN)."""
    async with db.engine.connect() as connection:
        raw = await connection.get_raw_connection()
        adapted, driver = raw.dbapi_connection, raw.driver_connection
        assert isinstance(adapted, sqlite_driver.OneTripConnection) and driver is not None
        adapted.in_place = in_place  # False: as storage.db sets it when SQLite refuses WAL mode
        await connection.execute(text("SELECT 1"))
        queue = Trips(driver._tx)
        driver._tx = queue
        try:
            await connection.execute(text("SELECT count(*) FROM things"))
        finally:
            driver._tx = queue.queue
            adapted.in_place = True
        await connection.rollback()
    return queue.count


async def test_a_long_transaction_goes_to_the_thread_now_and_then(
    things: Database, monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert await second_statement_trips(things) == 0
    monkeypatch.setattr(sqlite_driver, "IN_PLACE_BUDGET", 0.0)  # spent at once
    assert await second_statement_trips(things) == 1


async def test_nothing_runs_in_place_outside_wal_mode(things: Database) -> None:
    """Outside WAL mode a statement may wait for a lock even inside a transaction."""
    assert await second_statement_trips(things, in_place=False) == 1


async def test_a_database_sqlite_keeps_out_of_wal_mode_runs_nothing_in_place(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A database in memory answers ``memory`` to ``PRAGMA journal_mode=WAL`` (as a file system
    without shared memory answers ``delete``): storage.db's connect hook says so and keeps the
    driver to the thread."""
    from storage.db import _install_sqlite_pragmas

    engine = create_async_engine("sqlite+aiosqlite://", module=sqlite_driver.one_trip_dbapi())
    _install_sqlite_pragmas(engine, "FULL")
    try:
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            assert isinstance(raw.dbapi_connection, sqlite_driver.OneTripConnection)
            assert raw.dbapi_connection.in_place is False
    finally:
        await engine.dispose()
    assert "not WAL" in caplog.text
