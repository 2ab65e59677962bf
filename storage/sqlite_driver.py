"""SQLAlchemy's aiosqlite adapter, with each statement one trip to SQLite's thread instead of
four, and none inside a transaction.

aiosqlite runs SQLite on a thread of its own; every call hops there and back through a queue
and the event loop's self-pipe. SQLAlchemy's adapter makes four such calls per statement (open
a cursor, execute, fetch, close), so a statement that SQLite answers in a few microseconds
costs about 300 µs of the event loop's time: most of a villager's step on SQLite (issue 18,
BENCHMARKS.md). Here the cursor does all four on that thread in one call.

Inside a transaction the statements do not go to that thread at all: they run on the event
loop's thread, in place. ``storage.db`` opens every transaction with ``BEGIN IMMEDIATE``, which
takes SQLite's write lock (waiting for another process's, through the busy handler, on
aiosqlite's thread, with the transaction's first statement); once it is held no statement
waits for a lock, and each is microseconds of SQLite's own CPU. The trips' real cost was the
wait: a step holds the write lock, which every other step queues for, while each of its
statements waited its turn among everything else the event loop had ready. COMMIT (the fsync)
and ROLLBACK still go to the thread. A statement that reads or writes many rows now holds the
loop while it runs; the bot's own statements touch a person's rows or a bounded batch.

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

Outcome = tuple[Any, list[Any], int, Any]  # description, rows, rowcount, lastrowid


# What ``storage.db`` opens every transaction with. It waits here, to go to SQLite's thread
# with the transaction's first statement: one trip fewer per transaction.
BEGIN = "BEGIN IMMEDIATE"


def _run(connection: sqlite3.Connection, operation: str, parameters: Any, begin: str | None) -> Outcome:
    """On aiosqlite's thread: the statement (after ``begin``, when a transaction waits to be
    opened), all its rows, and what a DBAPI cursor reports."""
    if begin is not None:
        connection.execute(begin)
    cursor = connection.cursor()
    try:
        cursor.execute(operation, () if parameters is None else parameters)
        if cursor.description:
            return cursor.description, cursor.fetchall(), -1, -1
        return None, [], cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


async def _in_place(connection: sqlite3.Connection, operation: str, parameters: Any) -> Outcome:
    """``_run`` on the event loop's thread. A coroutine that never suspends: SQLAlchemy's
    ``AsyncConnection.execute`` insists on an await, and this one costs no trip through the loop."""
    return _run(connection, operation, parameters, None)


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ()

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        # aiosqlite's own trips: the waiting BEGIN must reach SQLite first, or each row would
        # commit by itself, outside the transaction.
        adapted: OneTripConnection = self._adapt_connection  # type: ignore[assignment]
        adapted.send_waiting_begin()
        return super().executemany(operation, seq_of_parameters)

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        adapted: OneTripConnection = self._adapt_connection  # type: ignore[assignment]
        if operation == BEGIN and not parameters and adapted.waiting_begin is None:
            adapted.waiting_begin = operation  # sent with the next statement
            self.description, self._rows, self.rowcount, self.lastrowid = None, deque(), -1, -1
            return
        begin, adapted.waiting_begin = adapted.waiting_begin, None
        try:
            connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
            outcome: Outcome
            if begin is None and adapted.holds_write_lock():
                outcome = self.await_(_in_place(connection._conn, operation, parameters))
            else:
                run = connection._execute(_run, connection._conn, operation, parameters, begin)  # type: ignore[no-untyped-call]
                outcome = self.await_(run)
            described, rows, rowcount, lastrowid = outcome
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self.description = described
        self._rows = deque(rows)
        self.rowcount, self.lastrowid = rowcount, lastrowid


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("waiting_begin",)

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self.waiting_begin: str | None = None  # a BEGIN not yet sent: no transaction is open

    def cursor(self, server_side: bool = False) -> AsyncAdapt_aiosqlite_cursor:
        if server_side:  # its own trips: the waiting BEGIN goes first
            self.send_waiting_begin()
            return super().cursor(server_side)
        return OneTripCursor(self)

    def commit(self) -> None:
        if self.waiting_begin is not None:  # nothing was done: there is nothing to commit
            self.waiting_begin = None
            return
        super().commit()

    def rollback(self) -> None:
        # The pool rolls back every connection it gets back, after each commit too: with no
        # transaction open there is nothing to undo, and no trip to make.
        self.waiting_begin = None
        try:
            open_transaction = self._sqlite.in_transaction
        except Exception:  # closed: the stock path reports it as SQLAlchemy expects
            open_transaction = True
        if open_transaction:
            super().rollback()

    @property
    def _sqlite(self) -> sqlite3.Connection:
        return self._connection._conn  # type: ignore[no-any-return]

    def holds_write_lock(self) -> bool:
        """Inside a transaction, which ``BEGIN IMMEDIATE`` opened holding SQLite's write lock."""
        try:
            return self._sqlite.in_transaction
        except Exception:  # closed: the trip reports it
            return False

    def send_waiting_begin(self) -> None:
        if self.waiting_begin is not None:
            OneTripCursor(self).execute("SELECT 1")  # takes the BEGIN with it


class OneTripDbapi(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        # Statements inside a transaction run on the event loop's thread (see the module's
        # docstring); SQLite itself is built thread-safe (serialized), Python's check is not.
        kw.setdefault("check_same_thread", False)
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)


def one_trip_dbapi() -> OneTripDbapi:
    """What ``create_async_engine(..., module=...)`` takes for ``sqlite+aiosqlite`` URLs."""
    return OneTripDbapi(aiosqlite, sqlite3)
