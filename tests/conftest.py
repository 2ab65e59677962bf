"""Fixtures every test package shares: databases on both backends, a fake clock, a chat helper.

``database`` runs each test on SQLite and, when ``CLC_TEST_DATABASE_URL`` is set, again on
PostgreSQL in a schema of its own. When the variable is set but PostgreSQL cannot be reached,
the whole run fails at start (``.ci/run`` sets it): a silent skip would hide half the suite.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.channels.addresses import SMS, SMS_CAPABILITIES
from bot.clock import FakeClock
from bot.dispatcher import Dispatcher, Handled
from bot.i18n import Catalogs
from bot.render import render_numbered
from flows.events import Inbound
from storage.db import Database
from storage.migrate import upgrade_database
from tests.built import FEATURES

PG_ENV = "CLC_TEST_DATABASE_URL"
BACKENDS = ("sqlite", "postgresql")


def _pg_url() -> str | None:
    return os.environ.get(PG_ENV) or None


async def _check_postgres(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()


def pytest_sessionstart(session: pytest.Session) -> None:
    url = _pg_url()
    if url is None:
        return
    try:
        asyncio.run(asyncio.wait_for(_check_postgres(url), timeout=10))
    except Exception as exc:  # any failure to connect must stop the run, not skip tests
        pytest.exit(f"{PG_ENV} is set but PostgreSQL is unreachable: {exc!r}", returncode=3)


def pytest_report_header() -> str:
    url = _pg_url()
    return f"databases: sqlite + postgresql ({url})" if url else (
        f"databases: sqlite only ({PG_ENV} unset: PostgreSQL tests are skipped)"
    )


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per run; each test gets a copy (migrations run once)."""
    path = tmp_path_factory.mktemp("template") / "template.db"

    async def build() -> None:
        db = Database.from_url(f"sqlite+aiosqlite:///{path}")
        await upgrade_database(db.engine)
        await db.dispose()  # the last connection to close checkpoints the WAL into the file
        assert not path.with_name(path.name + "-wal").exists(), "template WAL not checkpointed"

    asyncio.run(build())
    return path


# What migrating an empty schema sends to PostgreSQL, recorded once per test process: each
# test's schema replays it instead of running Alembic again. Alembic's own Python work (it
# reads every migration file each time) was 0.1-0.2 s of CPU per PostgreSQL test, on a machine
# whose two cores the suite keeps busy; the server's work is the same either way.
Recorded = list[tuple[str, Any, bool]]  # statement, parameters, executemany
_MIGRATION: Recorded | None = None


async def _new_schema(url: str) -> tuple[Database, str]:
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = create_async_engine(url)
    async with admin.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    await admin.dispose()
    return Database.from_url(url, connect_args={"server_settings": {"search_path": schema}}), schema


async def _recorded_migration(url: str) -> Recorded:
    db, schema = await _new_schema(url)
    recorded: Recorded = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool) -> None:
        recorded.append((statement, parameters, many))

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        await upgrade_database(db.engine)
    finally:
        await db.dispose()
        await _drop_schema(url, schema)
    return recorded


async def _postgres_database(url: str) -> tuple[Database, str]:
    global _MIGRATION
    if _MIGRATION is None:
        _MIGRATION = await _recorded_migration(url)
    db, schema = await _new_schema(url)
    async with db.engine.begin() as connection:
        for statement, parameters, _many in _MIGRATION:
            await connection.exec_driver_sql(statement, parameters)
    return db, schema


async def _drop_schema(url: str, schema: str) -> None:
    admin = create_async_engine(url)
    async with admin.begin() as connection:
        await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    await admin.dispose()


@pytest.fixture(params=BACKENDS)
async def database(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        path = tmp_path / "clc.db"
        shutil.copy(sqlite_template, path)
        db = Database.from_url(f"sqlite+aiosqlite:///{path}")
        yield db
        await db.dispose()
        return
    url = _pg_url()
    if url is None:
        pytest.skip(f"PostgreSQL: {PG_ENV} is not set")
    db, schema = await _postgres_database(url)
    try:
        yield db
    finally:
        await db.dispose()
        await _drop_schema(url, schema)


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated SQLite database for tests that run the real processes (simulator, CLI)."""
    path = tmp_path / "clc.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def catalogs() -> Catalogs:
    return Catalogs.load()


@pytest.fixture
def dispatcher(database: Database, clock: FakeClock) -> Dispatcher:
    return Dispatcher(database, FEATURES, default_language="kk", clock=clock)


class Chat:
    """A villager talking to the bot in-process: ``await chat.send("2")`` → rendered texts."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        catalogs: Catalogs,
        *,
        channel: str = "simulator",
        address: str = "sim:test",
        hint: str | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.catalogs = catalogs
        self.channel = channel
        self.address = address
        self.hint = hint
        self.last: Handled | None = None

    async def send(
        self, text: str | None = None, *, choice: str | None = None, context: str | None = None,
        provider_id: str | None = None,
    ) -> list[str]:
        event = Inbound(
            self.channel, self.address, text=text, choice=choice, context=context,
            language_hint=self.hint,
            # as the SMS adapter does: over SMS, STOP words and idle resume apply
            capabilities=SMS_CAPABILITIES if self.channel == SMS else frozenset(),
        )
        self.last = await self.dispatcher.handle(event, provider_id=provider_id)
        tr = self.catalogs.translator(self.last.language)
        return [render_numbered(reply, tr) for reply in self.last.replies]

    async def say(self, text: str | None = None, **kwargs: str) -> str:
        """The whole answer as one text, for ``in`` assertions."""
        return "\n\n".join(await self.send(text, **kwargs))


@pytest.fixture
def chat(dispatcher: Dispatcher, catalogs: Catalogs) -> Chat:
    return Chat(dispatcher, catalogs)


@pytest.fixture(autouse=True)
def _no_real_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any connection attempt beyond loopback fails the test (like PTB's offline fakes)."""
    import socket

    real_connect = socket.socket.connect

    def guarded(sock: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else None
        if isinstance(host, str) and host not in ("127.0.0.1", "::1", "localhost"):
            raise AssertionError(f"test tried to reach {host}: only 127.0.0.1 is allowed")
        return real_connect(sock, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)
    yield
