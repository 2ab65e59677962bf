"""``storage.upsert``: a named upsert compiles once per database, two named upserts of one
table keep their own ON CONFLICT clauses (the name, not the clause, is in the cache key), and a
name cannot be built twice."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import bindparam, select
from sqlalchemy.engine.default import DefaultExecutionContext

from storage import upsert
from storage.db import Database
from storage.models import InboundMessage

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
TABLE = InboundMessage.__table__


async def test_a_named_upsert_compiles_once_and_keeps_its_own_conflict_clause(database: Database) -> None:
    keep, take = f"test.keep_first.{uuid.uuid4().hex}", f"test.take_last.{uuid.uuid4().hex}"
    async with database.transaction() as session:
        values = {"channel": bindparam("channel"), "provider_id": bindparam("provider_id"),
                  "address": bindparam("address"),
                  "received_at": bindparam("received_at", type_=TABLE.c.received_at.type)}
        keep_first = upsert.insert(session, TABLE, name=keep).values(values)
        keep_first = keep_first.on_conflict_do_nothing(index_elements=["channel", "provider_id"])
        take_last = upsert.insert(session, TABLE, name=take).values(values)
        take_last = take_last.on_conflict_do_update(index_elements=["channel", "provider_id"],
                                                    set_={"address": take_last.excluded.address})
        row = {"channel": "sms", "provider_id": "SM1", "received_at": NOW}
        hits = []
        for address in ("first", "second", "third"):
            result = await session.execute(keep_first, {**row, "address": address})
            context = result.context  # type: ignore[attr-defined]
            assert isinstance(context, DefaultExecutionContext)
            hits.append(context.cache_hit == context.dialect.CACHE_HIT)
        assert hits == [False, True, True]  # compiled the first time only
        unnamed = upsert.insert(session, TABLE).values(values).on_conflict_do_nothing()
        again = await session.execute(unnamed, {**row, "address": "x"})
        assert again.context.cache_hit == again.context.dialect.NO_CACHE_KEY  # type: ignore[attr-defined]
        assert await session.scalar(select(TABLE.c.address)) == "first"
        await session.execute(take_last, {**row, "address": "last"})
        assert await session.scalar(select(TABLE.c.address)) == "last"
        await session.execute(keep_first, {**row, "address": "ignored"})
        assert await session.scalar(select(TABLE.c.address)) == "last"
        with pytest.raises(ValueError, match="built already"):
            upsert.insert(session, TABLE, name=keep)
