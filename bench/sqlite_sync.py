"""What ``synchronous=FULL`` (the default, see storage/db.py) costs against ``NORMAL`` on SQLite.

The same load as ``python -m bench``: N contacts each send M messages through the Dispatcher,
all at once. With WAL, FULL syncs the log at every commit; NORMAL only at checkpoints, and may
lose the last commits on a power cut. The database lives in ``CLC_BENCH_DIR`` (default: the
system's temporary folder): measure on the disk the centre will use, since a tmpfs syncs for free.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from bot.dispatcher import Dispatcher
from flows.events import Inbound
from storage.db import Database, SqliteSync
from storage.migrate import upgrade_database
from tests.built import FEATURES

CONTACTS = int(os.environ.get("CLC_BENCH_CONTACTS", "50"))
MESSAGES = int(os.environ.get("CLC_BENCH_MESSAGES", "10"))
ROUNDS = int(os.environ.get("CLC_BENCH_SYNC_ROUNDS", "2"))
SCRIPT = ("", "1", "тіл", "2", "меню", "көмек", "5", "язык", "1", "menu")


async def conversation(dispatcher: Dispatcher, n: int, messages: int, latencies: list[float]) -> None:
    for i in range(messages):
        started = time.perf_counter()
        said = SCRIPT[i % len(SCRIPT)] or None
        await dispatcher.handle(Inbound("simulator", f"sim:sync-{n}", text=said))
        latencies.append(time.perf_counter() - started)


async def run(path: Path, synchronous: SqliteSync, contacts: int, messages: int) -> tuple[float, list[float]]:
    """Steps per second and each step's latency, on a new database file."""
    db = Database.from_url(f"sqlite+aiosqlite:///{path}", sqlite_synchronous=synchronous)
    try:
        await upgrade_database(db.engine)
        dispatcher = Dispatcher(db, FEATURES)
        latencies: list[float] = []
        started = time.perf_counter()
        await asyncio.gather(*(conversation(dispatcher, n, messages, latencies) for n in range(contacts)))
        return len(latencies) / (time.perf_counter() - started), latencies
    finally:
        await db.dispose()


async def measure_sqlite_sync() -> None:
    where = os.environ.get("CLC_BENCH_DIR") or None
    loads = [(CONTACTS, MESSAGES, "all at once"), (1, CONTACTS * MESSAGES // 5, "one person, in turn")]
    with tempfile.TemporaryDirectory(dir=where) as folder:
        print(f"sqlite synchronous, in {Path(folder).parent} (modes alternate, {ROUNDS} rounds, median):")
        await run(Path(folder) / "warm-up.db", "FULL", 5, 5)  # imports, caches
        for contacts, messages, how in loads:
            rates: dict[str, list[float]] = {"NORMAL": [], "FULL": []}
            latencies: dict[str, list[float]] = {"NORMAL": [], "FULL": []}
            for round_ in range(ROUNDS):
                for mode in (("NORMAL", "FULL") if round_ % 2 == 0 else ("FULL", "NORMAL")):
                    rate, spent = await run(Path(folder) / f"{mode}-{contacts}-{round_}.db", mode,
                                            contacts, messages)
                    rates[mode].append(rate)
                    latencies[mode] += spent
            for mode in ("NORMAL", "FULL"):
                q = statistics.quantiles(latencies[mode], n=100)
                print(f"  {contacts:3} x {messages:3} ({how:19}) synchronous={mode:6} "
                      f"{statistics.median(rates[mode]):7.1f} steps/s  p50 {q[49] * 1000:6.1f} ms  "
                      f"p95 {q[94] * 1000:6.1f} ms")


if __name__ == "__main__":
    asyncio.run(measure_sqlite_sync())
