"""SQLAlchemy's aiosqlite adapter, with each statement one trip to SQLite's thread instead of four.

aiosqlite runs SQLite on a thread of its own; every call hops there and back through a queue
and the event loop's self-pipe. SQLAlchemy's adapter makes four such calls per statement (open
a cursor, execute, fetch, close), so a statement that SQLite answers in a few microseconds
costs about 300 µs of the event loop's time: most of a villager's step on SQLite (issue 18,
BENCHMARKS.md). Here the cursor does all four on that thread in one call.

It uses two of aiosqlite's private names (``Connection._execute``, ``Connection._conn``), as
SQLAlchemy's own adapter does for its isolation level; pyproject.toml bounds aiosqlite's version
and ``tests/storage/test_sqlite_driver.py`` checks the adapter against the one it replaces.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)

Outcome = tuple[Any, list[Any], int, int | None]  # description, rows, rowcount, lastrowid


def _run(connection: sqlite3.Connection, operation: str, parameters: Any) -> Outcome:
    """On aiosqlite's thread: the statement, all its rows, and what a DBAPI cursor reports."""
    cursor = connection.cursor()
    try:
        cursor.execute(operation, () if parameters is None else parameters)
        if cursor.description:
            return cursor.description, cursor.fetchall(), -1, -1
        return None, [], cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        try:
            connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
            run = connection._execute(_run, connection._conn, operation, parameters)  # type: ignore[no-untyped-call]
            described, rows, rowcount, lastrowid = self.await_(run)
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self.description = described
        self._rows = deque(rows)
        self.rowcount, self.lastrowid = rowcount, lastrowid


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()

    def cursor(self, server_side: bool = False) -> AsyncAdapt_aiosqlite_cursor:
        return super().cursor(server_side) if server_side else OneTripCursor(self)


class OneTripDbapi(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)


def one_trip_dbapi() -> OneTripDbapi:
    """What ``create_async_engine(..., module=...)`` takes for ``sqlite+aiosqlite`` URLs."""
    return OneTripDbapi(aiosqlite, sqlite3)
