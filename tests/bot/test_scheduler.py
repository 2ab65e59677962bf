"""The ticker: jobs run inside the loop, and stopping lets a job in progress finish."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.i18n import Catalogs
from bot.scheduler import JobContext, PeriodicJob, Ticker
from storage.db import Database


@pytest.fixture
async def context(catalogs: Catalogs, clock: FakeClock, tmp_path: Path) -> AsyncIterator[JobContext]:
    """The jobs here never touch the database; one that is never opened will do."""
    db = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}")
    yield JobContext(db, catalogs, clock)
    await db.dispose()


async def test_stopping_waits_for_a_job_in_progress_instead_of_cancelling_it(context: JobContext) -> None:
    started, release = asyncio.Event(), asyncio.Event()
    finished: list[str] = []

    async def delivery(_ctx: JobContext) -> None:
        started.set()
        await release.wait()  # a send in flight
        finished.append("recorded")

    ticker = Ticker(context, [PeriodicJob("delivery", 0.01, delivery)])
    ticker.start()
    await asyncio.wait_for(started.wait(), 10)
    stopping = asyncio.create_task(ticker.stop())
    for _ in range(20):  # let stop() run as far as it can on its own
        await asyncio.sleep(0)
    assert not stopping.done() and finished == []
    release.set()
    await asyncio.wait_for(stopping, 10)
    assert finished == ["recorded"] and not ticker.scheduler.running


async def test_a_job_stuck_past_the_grace_period_is_cancelled(context: JobContext) -> None:
    started = asyncio.Event()
    cleaned_up: list[str] = []

    async def stuck(_ctx: JobContext) -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            for _ in range(5):  # a rollback takes a few round trips
                await asyncio.sleep(0)
            cleaned_up.append("rolled back")
            raise

    ticker = Ticker(context, [PeriodicJob("stuck", 0.01, stuck)])
    ticker.start()
    await asyncio.wait_for(started.wait(), 10)
    await ticker.stop(grace=0)
    assert cleaned_up == ["rolled back"]  # done before stop() returned, i.e. before the db closes
    assert not ticker.scheduler.running


async def test_a_daily_job_runs_once_when_the_service_starts(context: JobContext) -> None:
    """Otherwise a service restarted more often than daily would never run it (retention)."""
    ran = asyncio.Event()

    async def daily(_ctx: JobContext) -> None:
        ran.set()

    ticker = Ticker(context, [PeriodicJob("retention", 24 * 3600, daily)])
    ticker.start()
    try:
        await asyncio.wait_for(ran.wait(), 10)
    finally:
        await ticker.stop()
    assert ran.is_set()
