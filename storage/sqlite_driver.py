"""SQLAlchemy's aiosqlite adapter: each statement one trip to SQLite's thread instead of four,
and most of a transaction's statements none.

aiosqlite runs SQLite on a thread of its own; every call hops there and back through a queue
and the event loop's self-pipe. SQLAlchemy's adapter makes four such calls per statement (open
a cursor, execute, fetch, close), so a statement that SQLite answers in a few microseconds
costs about 300 µs of the event loop's time: most of a villager's step on SQLite (issue 18,
BENCHMARKS.md). Here the cursor does all four on that thread in one call.

Inside a transaction the statements after the first run on the event loop's thread, in place.
``storage.db`` opens every transaction with ``BEGIN IMMEDIATE``, which takes SQLite's write lock
(waiting for another process's through the busy handler, on aiosqlite's thread, with the
transaction's first statement); once it is held, in WAL mode, no statement waits for a lock,
and each is microseconds of SQLite's own CPU. The trips' real cost was the wait: a step holds
the write lock, which every other step queues for, while each of its statements waited its
turn among everything else the event loop had ready. COMMIT (the fsync), ROLLBACK, executemany
and server-side cursors still go to the thread, and so does a statement once the transaction
has gone ``IN_PLACE_BUDGET`` without a trip, so that a long one (a broadcast queued for
thousands) lets the loop run between its statements. Nothing runs in place outside WAL mode, nor after a
wait for the thread was cancelled (the thread may still be using the connection) until a
later trip is back.

It uses two of aiosqlite's private names (``Connection._execute``, ``Connection._conn``), as
SQLAlchemy's own adapter does for its isolation level; pyproject.toml bounds aiosqlite's version
and ``tests/storage/test_sqlite_driver.py`` checks the adapter against the one it replaces.
"""

from __future__ import annotations

import asyncio
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
# Seconds after a trip to the thread returned (the statements in place and the work between
# them) before the next statement goes to the thread again, which lets the rest of the loop
# run: a long transaction (a broadcast queued for thousands) would otherwise hold it to the end.
IN_PLACE_BUDGET = 0.005


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
            if begin is None and adapted.may_run_in_place():
                outcome = self.await_(_in_place(adapted.sqlite, operation, parameters))
            else:
                outcome = adapted.trip(self.await_, operation, parameters, begin)
            described, rows, rowcount, lastrowid = outcome
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self.description = described
        self._rows = deque(rows)
        self.rowcount, self.lastrowid = rowcount, lastrowid


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("in_place", "in_place_until", "locked", "unsettled", "waiting_begin")

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self.waiting_begin: str | None = None  # a BEGIN not yet sent: no transaction is open
        self.locked = False  # our BEGIN IMMEDIATE reached SQLite: this transaction holds the lock
        self.in_place = True  # False when the database is not in WAL mode (storage.db)
        # A wait for the thread that ended without its answer (cancelled): the thread may still
        # be using the connection, so nothing runs in place until a later trip comes back. Only
        # ``trip`` sets it; SQLAlchemy also invalidates a connection whose wait was cancelled
        # (executemany, commit and server-side cursors rely on that alone).
        self.unsettled = False
        self.in_place_until = 0.0  # loop time: then the next statement goes to the thread

    @property
    def sqlite(self) -> sqlite3.Connection:
        return self._connection._conn  # type: ignore[no-any-return]

    def trip(self, await_: Any, operation: str, parameters: Any, begin: str | None) -> Outcome:
        """The statement (and a waiting BEGIN) on aiosqlite's thread."""
        connection = self._connection
        self.unsettled = True
        try:
            run = connection._execute(_run, connection._conn, operation, parameters, begin)
            outcome: Outcome = await_(run)
        except Exception:
            self.unsettled = False
            if begin is not None:  # the BEGIN failed (still waiting for it), or the statement did
                if self._in_transaction():
                    self.locked = True
                else:
                    self.waiting_begin = begin
            raise
        self.unsettled = False
        self.locked = self.locked or begin is not None
        self.in_place_until = asyncio.get_running_loop().time() + IN_PLACE_BUDGET
        return outcome

    def may_run_in_place(self) -> bool:
        return (self.locked and self.in_place and not self.unsettled
                and asyncio.get_running_loop().time() < self.in_place_until and self._in_transaction())

    def _in_transaction(self) -> bool:
        try:
            return self.sqlite.in_transaction
        except Exception:  # closed: a trip reports it as SQLAlchemy expects
            return False

    def cursor(self, server_side: bool = False) -> AsyncAdapt_aiosqlite_cursor:
        if server_side:  # its own trips: the waiting BEGIN goes first
            self.send_waiting_begin()
            return super().cursor(server_side)
        return OneTripCursor(self)

    def commit(self) -> None:
        self.locked = False
        if self.waiting_begin is not None:  # nothing was done: there is nothing to commit
            self.waiting_begin = None
            return
        super().commit()

    def rollback(self) -> None:
        # The pool rolls back every connection it gets back, after each commit too: with no
        # transaction open there is nothing to undo, and no trip to make.
        self.waiting_begin, self.locked = None, False
        try:
            open_transaction = self.unsettled or self.sqlite.in_transaction
        except Exception:  # closed: the stock path reports it as SQLAlchemy expects
            open_transaction = True
        if open_transaction:
            super().rollback()

    def send_waiting_begin(self) -> None:
        if self.waiting_begin is not None:
            OneTripCursor(self).execute("SELECT 1")  # takes the BEGIN with it


class OneTripDbapi(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        # Statements run on the event loop's thread as well as aiosqlite's, one at a time;
        # Python's check would refuse that, SQLite itself allows it unless built without threads.
        if sqlite3.threadsafety == 0:
            raise RuntimeError("this Python's SQLite is built without thread support")
        kw["check_same_thread"] = False
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)


def one_trip_dbapi() -> OneTripDbapi:
    """What ``create_async_engine(..., module=...)`` takes for ``sqlite+aiosqlite`` URLs."""
    return OneTripDbapi(aiosqlite, sqlite3)
