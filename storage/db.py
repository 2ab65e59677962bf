"""Database engine and sessions for SQLite (one process) and PostgreSQL (many processes).

SQLite runs in WAL mode with foreign keys on and a busy timeout, and every transaction starts
with ``BEGIN IMMEDIATE``: the write lock is taken at the start, so two transactions never
deadlock upgrading a read lock, and a capacity check made inside a transaction is not raced
by another connection of this process. On PostgreSQL the same code relies on row locks.

SQLite runs with ``synchronous=FULL``: every commit is on disk before it returns, so a power
cut (frequent at rural centres) cannot lose answers the person was already told were saved;
``NORMAL`` could lose the last commits (``python -m bench.sqlite_sync`` measures the cost). The
file holds phone numbers and answers about disability and employment, so a new database is
created readable by this user only: its folder 0700 (when we create it), the file 0600 (SQLite
gives its -wal and -shm files the file's mode). An existing file or folder keeps its mode.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal, NoReturn

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InvalidatePoolError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from flows.errors import DatabaseBusyError, DatabaseUnavailable, DatabaseURLError, NestedTransactionError
from storage.deferred import DEFER_SECONDS, Deferred, DeferredWrites
from storage.sqlite_driver import BEGIN as SQLITE_BEGIN
from storage.sqlite_driver import OneTripConnection, one_trip_dbapi

log = logging.getLogger(__name__)

SUPPORTED_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
SQLITE_BUSY_TIMEOUT_MS = 15_000

SqliteSync = Literal["FULL", "NORMAL"]
PRIVATE_FOLDER, PRIVATE_FILE = 0o700, 0o600
FIX_URL = "or set CLC_DATABASE_URL to another database"


def shown_url(url: URL | str) -> str:
    """The URL as it may be printed or logged: the password masked."""
    parsed = make_url(url) if isinstance(url, str) else url
    return parsed.render_as_string(hide_password=True)


def sqlite_file(url: URL) -> Path | None:
    """The SQLite file an URL names, absolute (a relative path is relative to the working
    directory), or None for PostgreSQL."""
    if not is_sqlite(url) or not url.database:
        return None
    return Path(url.database).expanduser().absolute()


def describe(url: URL | str) -> str:
    """One line saying which database is used: the URL, and for SQLite the file it resolves to."""
    parsed = make_url(url) if isinstance(url, str) else url
    path = sqlite_file(parsed)
    if path is None:
        return shown_url(parsed)
    state = "" if path.exists() else ", new: it did not exist"
    return f"{shown_url(parsed)} (file {path}{state})"


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and what it wraps (SQLAlchemy's ``orig``, ``__cause__``, ``__context__``)."""
    found: list[BaseException] = []
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop(0)
        if current is None or any(current is seen for seen in found):
            continue
        found.append(current)
        orig = getattr(current, "orig", None)
        pending += [orig if isinstance(orig, BaseException) else None, current.__cause__, current.__context__]
    return found


def unavailable(exc: BaseException, url: URL) -> DatabaseUnavailable | None:
    """One line for a database that cannot be reached, opened or created, naming the URL
    (no password) and what to do; None when ``exc`` is something else (a bug keeps its
    traceback)."""
    where = f"database {shown_url(url)}"
    path = sqlite_file(url)
    for cause in _causes(exc):
        name, text = type(cause).__name__, str(cause)
        if name == "InvalidCatalogNameError":
            return DatabaseUnavailable(
                f"{where}: there is no database {url.database!r} on the server; create it "
                f"(createdb {url.database}) {FIX_URL}"
            )
        if name in ("InvalidPasswordError", "InvalidAuthorizationSpecificationError"):
            return DatabaseUnavailable(f"{where}: the server refused the login ({text}); check the user "
                                       "and password in CLC_DATABASE_URL")
        if path is not None and "unable to open database file" in text:
            return DatabaseUnavailable(f"{where}: cannot open the file {path}; make sure its folder "
                                       f"exists and this user may write there, {FIX_URL}")
        if path is not None and "readonly database" in text:
            return DatabaseUnavailable(f"{where}: the file {path} is read-only for this user; give "
                                       f"write access to it and its folder, {FIX_URL}")
        if isinstance(cause, OSError):
            reason = _reason(cause)
            if path is not None:
                return DatabaseUnavailable(f"{where}: cannot create the folder {path.parent} ({reason}); "
                                           f"create it with write access for this user, {FIX_URL}")
            return DatabaseUnavailable(
                f"{where}: cannot connect to {url.host or 'localhost'}:{url.port or 5432} ({reason}); "
                f"start PostgreSQL there {FIX_URL}"
            )
    return None


def _reason(error: OSError) -> str:
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, FileExistsError | NotADirectoryError):
        return "a file of that name is in the way"
    return error.strerror or str(error) or type(error).__name__


def _reraise(exc: BaseException, url: URL) -> NoReturn:
    """``exc`` as one line when it is a known database trouble, else unchanged (a bug)."""
    problem = unavailable(exc, url)
    if problem is None:
        raise exc
    raise problem from None


@asynccontextmanager
async def connected(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection, with trouble opening it (or writing to a read-only SQLite file) reported
    as :class:`DatabaseUnavailable`: one line instead of a driver's traceback."""
    path = sqlite_file(engine.url)
    if path is not None:
        # Opened once here, synchronously: when aiosqlite's own thread fails to open the file
        # it may report it after the event loop closed, a second traceback line on exit.
        try:
            sqlite3.connect(path).close()
        except sqlite3.Error as exc:
            _reraise(exc, engine.url)
    try:
        connection = await engine.connect()
    except Exception as exc:
        _reraise(exc, engine.url)
    try:
        yield connection
    except DBAPIError as exc:
        _reraise(exc, engine.url)
    finally:
        await connection.close()


def parse_database_url(raw: str) -> URL:
    """Parse and check a database URL, naming what is wrong in plain words."""
    try:
        url = make_url(raw)
    except ArgumentError as exc:
        raise DatabaseURLError(
            f"{raw!r} is not a database URL (expected e.g. sqlite+aiosqlite:///./data/clc.db)"
        ) from exc
    if url.drivername not in SUPPORTED_DRIVERS:
        raise DatabaseURLError(
            f"driver {url.drivername!r} is not supported; use one of {', '.join(SUPPORTED_DRIVERS)}"
        )
    if url.drivername.startswith("sqlite") and (not url.database or _in_memory(url)):
        raise DatabaseURLError("an SQLite URL needs a file path (in-memory databases lose data)")
    return url


def _in_memory(url: URL) -> bool:
    """SQLite's own names for a database in memory: ``:memory:``, ``file::memory:…`` and a URI
    with ``mode=memory``. Taken for a file, it would also leave an empty file of that name."""
    database = url.database or ""
    uri_mode = database.startswith("file:") and "mode=memory" in database.partition("?")[2]
    return database == ":memory:" or database.startswith("file::memory:") or uri_mode \
        or url.query.get("mode") == "memory"


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def _install_sqlite_pragmas(engine: AsyncEngine, synchronous: SqliteSync) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Leave transaction control to SQLAlchemy's "begin" hook below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        mode = cursor.fetchone()
        if not mode or str(mode[0]).lower() != "wal":
            # Outside WAL a statement may wait for a lock inside a transaction too: none runs
            # on the event loop's thread then (sqlite_driver).
            log.warning("SQLite runs in %s journal mode, not WAL: slower under load", mode and mode[0])
            if isinstance(dbapi_connection, OneTripConnection):
                dbapi_connection.in_place = False
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Sent with the first statement; IMMEDIATE, so that the transaction holds the write lock
        # from then on and the driver may run the rest in place (sqlite_driver).
        connection.exec_driver_sql(SQLITE_BEGIN)


def _create_private(path: Path) -> None:
    """The database's folder (0700) and an empty file (0600, a valid empty SQLite database),
    when they do not exist yet, before SQLite creates the file with the umask's 0644. The modes
    are set with chmod, so no umask widens or narrows them."""
    if not path.parent.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)  # raises when a file is in the way
        os.chmod(path.parent, PRIVATE_FOLDER)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return
    except OSError:
        return  # SQLite reports it on connecting, in words naming the file (see unavailable())
    try:
        os.fchmod(fd, PRIVATE_FILE)
    finally:
        os.close(fd)


# Connections kept open to PostgreSQL by one process (``CLC_DATABASE_POOL_SIZE``). SQLAlchemy's
# default, 5 kept, had a burst of villagers open and close a connection for most steps (146 in
# a 10-second benchmark run): each a TCP connect, TLS offered, authentication, type
# introspection, and every statement prepared again. 50 villagers by polling answered 29-47%
# more actions a second with 20 (BENCHMARKS.md, fourth round). A step holds a connection only
# for its transaction.
POSTGRES_POOL_SIZE = 20
# How long a transaction waits for a free connection when all are busy (SQLAlchemy's default,
# said here because the README promises it): then it fails, and a step's person is apologised to.
POOL_TIMEOUT_SECONDS = 30.0


def create_engine(
    raw_url: str, *, sqlite_synchronous: SqliteSync = "FULL", pool_size: int = POSTGRES_POOL_SIZE,
    **options: Any,
) -> AsyncEngine:
    """``pool_size``: PostgreSQL only (SQLite has one writer; its connections are cheap)."""
    url = parse_database_url(raw_url)
    # A failed statement's parameters are what people typed and their numbers: they must not
    # reach an exception's text (logs, ``last_error`` columns).
    options.setdefault("hide_parameters", True)
    if is_sqlite(url):
        path = sqlite_file(url)
        assert path is not None
        try:
            _create_private(path)
        except OSError as exc:
            raise unavailable(exc, url) or exc from None
        if url.get_driver_name() == "aiosqlite":
            options.setdefault("module", one_trip_dbapi())
        engine = create_async_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **options
        )
        _install_sqlite_pragmas(engine, sqlite_synchronous)
        return engine
    if "poolclass" not in options:  # NullPool and StaticPool take no size
        options.setdefault("pool_size", pool_size)
        options.setdefault("max_overflow", pool_size // 2)  # a burst beyond: opened, then closed
        options.setdefault("pool_timeout", POOL_TIMEOUT_SECONDS)
        # Newest first: what a quiet hour leaves idle is the surplus, and a step gets a connection
        # used moments ago, which needs no ping (``_install_idle_ping``: three round trips). In
        # the default order each of 20 connections would sit idle 20 steps' worth of time.
        options.setdefault("pool_use_lifo", True)
    engine = create_async_engine(url, **options)
    _install_idle_ping(engine)
    return engine


# A pooled connection idle longer than this is pinged before use (a server restarted overnight
# leaves dead ones). Pinging every checkout, as pool_pre_ping does, cost a round trip and 0.46 ms
# of CPU a step (issue 18); a connection lost while in use is found by its error instead, and
# the dispatcher runs that step again on a new one.
PING_AFTER_IDLE_SECONDS = 5.0


def _install_idle_ping(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            # The server went away (a restart): every pooled connection is replaced, not only
            # this one, so the busy ones do not each fail a statement first.
            raise InvalidatePoolError("an idle database connection was gone") from exc


class Database:
    """An engine plus its session factory; one per process.

    On SQLite, transactions of this process queue on an asyncio lock instead of on SQLite's
    busy handler, which sleeps and retries and made the slowest answers take seconds under
    load (see BENCHMARKS.md). Do not open a transaction while holding another.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._write_lock = asyncio.Lock() if is_sqlite(engine.url) else None
        self._lock_holder: asyncio.Task[object] | None = None
        self._deferred = DeferredWrites()
        self._flusher: asyncio.Task[None] | None = None

    def defer(self, write: Deferred) -> None:
        """A write that may wait a moment (``storage.deferred``): made at the start of the next
        transaction of this process, or in its own one ``DEFER_SECONDS`` later."""
        self._deferred.add(write)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush_soon(), name="deferred-writes")

    async def _flush_soon(self) -> None:
        # Again while writes remain: those deferred during a flush (or given back by a failed
        # one) would otherwise wait for the next transaction, seconds away in an idle bot.
        while self._deferred:
            await asyncio.sleep(DEFER_SECONDS)
            await self.flush_deferred()

    async def flush_deferred(self) -> None:
        """Make the deferred writes now (before stopping, and in tests). A flush already under
        way in the background is waited for first, so every write deferred before the call is
        in the database (or given back, if that flush failed) when this returns."""
        flusher = self._flusher
        if flusher is not None and not flusher.done() and flusher is not asyncio.current_task():
            await asyncio.wait({flusher})  # never raises its exception or cancellation here
        if not self._deferred:
            return
        try:
            async with self.transaction():
                pass  # the transaction makes them first
        except Exception:
            log.exception("deferred writes failed; kept for the next transaction")

    @classmethod
    def from_url(cls, raw_url: str, **options: Any) -> Database:
        return cls(create_engine(raw_url, **options))

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.engine.url)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One short unit of work: committed on success, rolled back on any error."""
        if self._write_lock is None:
            async with self.sessions() as session:
                async with self._begun(session):
                    yield session
            return
        task = asyncio.current_task()
        if task is not None and task is self._lock_holder:
            raise NestedTransactionError(
                "a transaction was opened inside another on SQLite; it would wait for itself forever"
            )
        try:  # asyncio.timeout, not wait_for: no task of its own for each transaction
            async with asyncio.timeout(SQLITE_BUSY_TIMEOUT_MS / 1000):
                await self._write_lock.acquire()
        except TimeoutError:
            raise DatabaseBusyError(
                f"waited {SQLITE_BUSY_TIMEOUT_MS / 1000:.0f} s for the SQLite write lock"
            ) from None
        self._lock_holder = task
        try:
            async with self.sessions() as session, self._begun(session):
                yield session
        finally:
            self._lock_holder = None
            self._write_lock.release()

    @asynccontextmanager
    async def one_statement(self) -> AsyncIterator[AsyncSession]:
        """A session for ONE write, atomic by itself (several would not be atomic together).

        On PostgreSQL it runs in autocommit: one round trip, where a transaction costs three
        (BEGIN, the statement, COMMIT); its effect is committed as soon as it runs, even if the
        block raises afterwards. The Telegram poller records each batch this way before asking
        for the next, so the batch's wait for the database is one trip through a busy event loop
        instead of three. On SQLite it is a transaction like any other (it queues for the
        process's write lock)."""
        if self._write_lock is not None:
            async with self.transaction() as session:
                yield session
            return
        async with self.engine.connect() as connection:
            # asyncpg's adapter sends no BEGIN and no COMMIT in autocommit, and the pool's
            # rollback on return is then no trip either.
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            async with self.sessions(bind=connection) as session:
                yield session
                await session.commit()

    @asynccontextmanager
    async def _begun(self, session: AsyncSession) -> AsyncIterator[None]:
        """``session.begin()``, the deferred writes made first and put back if it rolls back."""
        writes: list[Deferred] = []
        try:
            async with session.begin():
                writes = await self._deferred.run(session)
                yield
        except BaseException:
            self._deferred.give_back(writes)
            raise

    async def dispose(self) -> None:
        if self._flusher is not None and not self._flusher.done():
            self._flusher.cancel()
        await self.flush_deferred()
        await self.engine.dispose()
