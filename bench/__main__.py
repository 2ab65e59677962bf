"""Dispatcher and outbox throughput, on SQLite and (if set) PostgreSQL.

Bounded: N contacts each send M messages; prints steps per second and latency percentiles.
``CLC_BENCH_DATABASE_URL`` adds a PostgreSQL run (e.g. postgresql+asyncpg://postgres@127.0.0.1/test).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bench.outbox import measure_outbox
from bench.outbox_rate import measure_outbox_rate
from bench.sqlite_sync import measure_sqlite_sync
from bench.telegram_load import measure_telegram_load
from bench.webhook_guard import measure_webhook_guard
from bot.dispatcher import Dispatcher
from flows.events import Inbound
from storage.db import Database
from storage.migrate import upgrade_database
from tests.built import FEATURES

CONTACTS = int(os.environ.get("CLC_BENCH_CONTACTS", "50"))
MESSAGES = int(os.environ.get("CLC_BENCH_MESSAGES", "10"))
SCRIPT = ("", "1", "тіл", "2", "меню", "көмек", "5", "язык", "1", "menu")


async def conversation(dispatcher: Dispatcher, n: int, latencies: list[float]) -> None:
    for i in range(MESSAGES):
        started = time.perf_counter()
        said = SCRIPT[i % len(SCRIPT)] or None
        await dispatcher.handle(Inbound("simulator", f"sim:bench-{n}", text=said))
        latencies.append(time.perf_counter() - started)


async def measure(name: str, db: Database) -> None:
    await upgrade_database(db.engine)
    dispatcher = Dispatcher(db, FEATURES)
    latencies: list[float] = []
    started = time.perf_counter()
    await asyncio.gather(*(conversation(dispatcher, n, latencies) for n in range(CONTACTS)))
    elapsed = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100)
    print(
        f"{name:10} {len(latencies):6d} steps  {len(latencies) / elapsed:8.1f} steps/s  "
        f"p50 {q[49] * 1000:6.1f} ms  p95 {q[94] * 1000:6.1f} ms  p99 {q[98] * 1000:6.1f} ms"
    )
    await measure_outbox(name, db)
    await db.dispose()


async def main() -> None:
    print(f"{CONTACTS} contacts x {MESSAGES} messages, all at once")
    with tempfile.TemporaryDirectory() as folder:
        await measure("sqlite", Database.from_url(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"))
    url = os.environ.get("CLC_BENCH_DATABASE_URL")
    if url:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_async_engine(url)
        async with admin.begin() as connection:
            await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            db = Database.from_url(url, connect_args={"server_settings": {"search_path": schema}})
            await measure("postgresql", db)
        finally:
            async with admin.begin() as connection:
                await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            await admin.dispose()
    await measure_sqlite_sync()
    await measure_webhook_guard()
    await measure_telegram_load()
    await measure_outbox_rate()


if __name__ == "__main__":
    asyncio.run(main())
