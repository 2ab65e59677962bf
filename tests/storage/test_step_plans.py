"""No statement of a villager's step reads a whole table that grows with the people, their
runs or their messages (issue 18): SQLite's EXPLAIN QUERY PLAN of every statement a survey walk
makes. The contacts scan this found (a step's cost doubling from 1,000 to 50,000 people) was
fixed by migration 0018."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import PrimaryKeyConstraint, UniqueConstraint, event

import storage.db as storage_db
from bench.inbound import one_centre
from bench.step_cost import SCRIPT
from bot.dispatcher import Dispatcher, Handled
from flows.events import Inbound
from storage.db import Database
from storage.models import Base
from tests.built import FEATURES

# Tables a step may read whole: one row per centre or questionnaire (version), a few at most.
SMALL = ("centres", "questionnaires", "questionnaire_versions")


async def _delivered(_: Handled) -> None:
    """Delivered at once."""


async def test_no_step_statement_scans_a_growing_table(tmp_path: Path, monkeypatch: Any) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'plans.db'}"
    await one_centre(url)
    db = Database.from_url(url)
    monkeypatch.setattr(storage_db, "DEFER_SECONDS", 60.0)  # the sent marks join the next step
    seen: dict[str, Any] = {}

    def keep(_conn: Any, _cursor: Any, statement: str, params: Any, _context: Any, many: bool) -> None:
        # INSERTs left out: their plan lists a scan of each table whose foreign key points at the
        # new row, which SQLite runs only while deferred violations are outstanding (never here).
        if not many and statement.lstrip().split(" ", 1)[0].upper() in ("SELECT", "UPDATE", "DELETE"):
            seen.setdefault(statement, params)

    try:
        dispatcher = Dispatcher(db, FEATURES)
        event.listen(db.engine.sync_engine, "before_cursor_execute", keep)
        for step, (_, said) in enumerate(SCRIPT):
            await dispatcher.handle(Inbound("telegram", "telegram:42", text=said, language_hint="ru"),
                                    provider_id=str(step), deliver=_delivered)
        event.remove(db.engine.sync_engine, "before_cursor_execute", keep)
        scans: list[tuple[str, str]] = []
        async with db.engine.connect() as connection:
            for statement, params in seen.items():
                plan = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)
                for *_, detail in plan.all():
                    table = str(detail).removeprefix("SCAN ").split(" ")[0]
                    if str(detail).startswith("SCAN ") and not table.startswith(SMALL) \
                            and not table.startswith("anon_"):
                        scans.append((detail, statement.split("\n")[0][:80]))
        assert len(seen) > 8, "the walk made its statements"
        assert scans == [], scans
    finally:
        await db.dispose()


def test_every_key_pointing_at_a_growing_table_is_indexed() -> None:
    """Deleting a contact (erasure, retention) or an outbox row (a farewell once sent) makes the
    database find the rows pointing at it; without an index it reads their whole table."""
    growing = {"contacts", "outbox", "survey_runs"}  # rows by the person or the message
    unindexed = []
    for table in Base.metadata.sorted_tables:
        leading = {next(iter(index.columns)).name for index in table.indexes}
        leading |= {next(iter(c.columns)).name for c in table.constraints
                    if isinstance(c, UniqueConstraint | PrimaryKeyConstraint) and len(c.columns)}
        unindexed += [f"{table.name}.{key.parent.name}" for key in table.foreign_keys
                      if key.column.table.name in growing and key.parent.name not in leading]
    assert unindexed == []
