"""``storage.upsert``: a named upsert compiles once per database, and two named upserts of one
table keep their own ON CONFLICT clauses (the name, not the clause, is in the cache key)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, select

from storage import upsert
from storage.db import Database
from storage.models import InboundMessage

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
TABLE = InboundMessage.__table__


async def test_a_named_upsert_compiles_once_and_keeps_its_own_conflict_clause(database: Database) -> None:
    async with database.transaction() as session:
        values = {"channel": bindparam("channel"), "provider_id": bindparam("provider_id"),
                  "address": bindparam("address"), "received_at": bindparam("received_at", type_=TABLE.c.received_at.type)}
        keep_first = upsert.insert(session, TABLE, name="test.keep_first").values(values)
        keep_first = keep_first.on_conflict_do_nothing(index_elements=["channel", "provider_id"])
        take_last = upsert.insert(session, TABLE, name="test.take_last").values(values)
        take_last = take_last.on_conflict_do_update(index_elements=["channel", "provider_id"],
                                                    set_={"address": take_last.excluded.address})
        assert keep_first._generate_cache_key() is not None  # unnamed, SQLAlchemy gives none
        assert upsert.insert(session, TABLE)._generate_cache_key() is None
        cache = database.engine.sync_engine._compiled_cache
        assert cache is not None
        row = {"channel": "sms", "provider_id": "SM1", "received_at": NOW}
        await session.execute(keep_first, {**row, "address": "first"})
        size = len(cache)
        for address in ("second", "third"):
            await session.execute(keep_first, {**row, "address": address})
        assert len(cache) == size  # compiled once
        assert await session.scalar(select(TABLE.c.address)) == "first"
        await session.execute(take_last, {**row, "address": "last"})
        assert await session.scalar(select(TABLE.c.address)) == "last"
        await session.execute(keep_first, {**row, "address": "ignored"})
        assert await session.scalar(select(TABLE.c.address)) == "last"
