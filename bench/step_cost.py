"""What one villager's step costs: database round trips (statements, counted with SQLAlchemy's
``before_cursor_execute`` event, and the transaction's control: ``counting``) and CPU time, per
kind of step.

One villager walks the needs survey by typed answers through the dispatcher as a channel runs
it (replies kept as outbox rows, delivered, then marked sent), then asks for the menu and help.
Counts are exact and machine-independent; CPU times are medians over ``ROUNDS`` villagers.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event

import storage.db as storage_db
from bench.inbound import database_urls, databases, one_centre
from bench.table import Figure, tables
from bot.dispatcher import Dispatcher, Handled
from flows.events import Inbound
from storage.db import Database
from storage.sqlite_driver import BEGIN as SQLITE_BEGIN
from tests.built import FEATURES

ROUNDS = 5
# (kind, what the villager types): the first contact, the language, the survey from the menu,
# every answer of the Russian walk (tests/bot/test_sms_budget.py), then menu-level steps.
SCRIPT: tuple[tuple[str, str | None], ...] = (
    ("first", None), ("language", "2"), ("open survey", "1"), ("consent, run started", "да"),
    *(("survey answer", said) for said in ("5 7", "нет", "1", "4", "Талдыбулак", "да", "4 9 13",
                                             "Вышивка", "3", "3", "3 4", "да", "1")),
    ("survey end", "Спасибо!"), ("menu", "меню"), ("menu", "помощь"), ("menu", "меню"),
)


@dataclass
class Counter:
    statements: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    cpu: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))


@contextmanager
def counting(db: Database, counter: Counter) -> Iterator[None]:
    """Round trips to the database: every statement, and the transaction's COMMIT; on
    PostgreSQL its BEGIN too, while SQLite's BEGIN goes with the first statement
    (``storage.sqlite_driver``), so it is not one of its own."""
    sqlite = db.is_sqlite

    def statement(_connection: Any, _cursor: Any, sql: str, *_: Any) -> None:
        if not (sqlite and sql == SQLITE_BEGIN):
            counter.statements += 1

    def control(*_: Any) -> None:
        counter.statements += 1

    target = db.engine.sync_engine
    listeners = [("before_cursor_execute", statement), ("commit", control)]
    if not sqlite:
        listeners.append(("begin", control))
    for name, listener in listeners:
        event.listen(target, name, listener)
    try:
        yield
    finally:
        for name, listener in listeners:
            event.remove(target, name, listener)


async def _delivered(_: Handled) -> None:
    """The channel's send, instantly: only the database work is counted."""


async def walk(dispatcher: Dispatcher, db: Database, counter: Counter, n: int) -> None:
    address = f"telegram:{700000 + n}"
    for kind, said in SCRIPT:
        before, cpu = counter.statements, time.process_time()
        await dispatcher.handle(Inbound("telegram", address, text=said, language_hint="ru"),
                                provider_id=f"{n}-{counter.statements}", deliver=_delivered)
        counter.cpu[kind].append(time.process_time() - cpu)
        counter.by_kind[kind].append(counter.statements - before)


async def measure_step_cost(name: str, db: Database) -> dict[str, tuple[int, float]]:
    """{kind: (round trips per step, median CPU ms per step)}; prints a table."""
    dispatcher = Dispatcher(db, FEATURES)
    counter = Counter()
    # The step's "sent" mark joins the next step's transaction, as it does under load; on a
    # busy machine the 0.1 s timer could fire in between and move it to another step's count.
    waited, storage_db.DEFER_SECONDS = storage_db.DEFER_SECONDS, 60.0
    try:
        with counting(db, counter):
            for n in range(ROUNDS):
                await walk(dispatcher, db, counter, n)
    finally:
        storage_db.DEFER_SECONDS = waited
    found: dict[str, tuple[int, float]] = {}
    for kind in dict.fromkeys(kind for kind, _ in SCRIPT):
        statements = counter.by_kind[kind][len(counter.by_kind[kind]) // ROUNDS:]  # after the first villager
        found[kind] = (max(statements), statistics.median(counter.cpu[kind]) * 1000)
        print(f"{name:10} {kind:14} {max(statements):3d} round trips  {found[kind][1]:6.1f} ms CPU")
    return found


async def step_costs() -> list[Figure]:
    """Each kind of step on each database (one centre, as a village installation has)."""
    figures = []
    with tempfile.TemporaryDirectory() as name:
        for database in databases():
            async with database_urls(Path(name), database) as url:
                await one_centre(url)
                db = Database.from_url(url)
                try:
                    found = await measure_step_cost(database, db)
                finally:
                    await db.dispose()
            figures += [Figure("Database round trips and CPU per step", f"{database}, {kind}",
                               {"round trips": str(statements), "CPU per step": f"{cpu:.1f} ms"})
                        for kind, (statements, cpu) in found.items()]
    return figures


async def main() -> None:
    print(tables(await step_costs()))


if __name__ == "__main__":
    asyncio.run(main())
