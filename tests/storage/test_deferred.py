"""Deferred writes (``Database.defer``): made with the next transaction, or on their own soon
after, including those deferred while a flush was under way; put back when the transaction
they joined rolls back."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database


async def test_every_deferred_write_is_made_soon_even_one_deferred_during_a_flush(database: Database) -> None:
    made: list[int] = []
    second_deferred = asyncio.Event()

    async def first(session: AsyncSession) -> None:
        await session.execute(text("SELECT 1"))
        made.append(1)
        database.defer(second)  # deferred while the flush that makes ``first`` is under way
        second_deferred.set()

    async def second(session: AsyncSession) -> None:
        await session.execute(text("SELECT 2"))
        made.append(2)

    database.defer(first)
    await second_deferred.wait()
    for _ in range(200):  # bounded: a few flush periods of 0.1 s
        if made == [1, 2]:
            break
        await asyncio.sleep(0.01)
    assert made == [1, 2]


async def test_writes_joined_to_a_transaction_that_rolls_back_are_made_with_the_next(database: Database) -> None:
    made: list[str] = []

    async def mark(session: AsyncSession) -> None:
        await session.execute(text("SELECT 1"))
        made.append("marked")

    database.defer(mark)
    with pytest.raises(RuntimeError):
        async with database.transaction():
            raise RuntimeError("the step failed")
    async with database.transaction():
        pass
    assert made == ["marked", "marked"]  # tried with the failed one, made again with the next
