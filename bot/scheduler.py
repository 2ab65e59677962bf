"""APScheduler as a clock only: interval jobs that say "do what is due now".

Every due item is a database row with a due time; a job only looks for rows whose time has
come, so nothing is pickled, nothing is lost on restart, and several processes can tick at
once (each claims rows one by one). A feature lists its :class:`PeriodicJob` values in its
:class:`bot.feature.Feature`; the service hands the ticker exactly the jobs it should run.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock
from bot.i18n import Catalogs
from flows.errors import FeatureError
from storage.db import Database

log = logging.getLogger(__name__)
STOP_GRACE_SECONDS = 30.0
# Jobs this rare also run when the service starts (see ``Ticker.start``).
RUN_AT_START_FROM = 3600.0


@dataclass(frozen=True)
class JobContext:
    db: Database
    catalogs: Catalogs
    clock: Clock


Job = Callable[[JobContext], Awaitable[object]]


@dataclass(frozen=True)
class PeriodicJob:
    """``run`` every ``seconds``: it looks for rows whose time has come and handles them."""

    name: str
    seconds: float
    run: Job


class Ticker:
    """Runs each job it is given at its interval inside the running loop."""

    def __init__(self, context: JobContext, jobs: Iterable[PeriodicJob]):
        self.context = context
        self.jobs: dict[str, tuple[float, Job]] = {}
        for job in jobs:
            if job.name in self.jobs:
                raise FeatureError(f"two periodic jobs named {job.name!r}")
            self.jobs[job.name] = (job.seconds, job.run)
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self._running: set[asyncio.Task[object]] = set()

    def start(self) -> None:
        for name, (seconds, job) in self.jobs.items():
            # An interval job first runs one interval after the start: a daily job (retention)
            # of a service restarted more often than daily would never run, so it runs at once.
            first = {"next_run_time": dt.datetime.now(dt.UTC)} if seconds >= RUN_AT_START_FROM else {}
            self.scheduler.add_job(
                self._run, "interval", seconds=seconds, args=(name, job), id=name,
                max_instances=1, coalesce=True, **first,
            )
        self.scheduler.start()

    async def _run(self, name: str, job: Job) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            await job(self.context)
        except Exception:
            log.exception("periodic job %s failed; it runs again at its next tick", name)
        finally:
            if task is not None:
                self._running.discard(task)

    async def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Stop ticking, and let a job in progress finish before the database is closed.

        APScheduler's asyncio executor cancels running jobs on shutdown; a delivery cancelled
        between sending and recording it would be sent again once its lease ran out.
        """
        if not self.scheduler.running:
            return
        self.scheduler.pause()
        await asyncio.sleep(0)  # a job submitted just before the pause starts and is counted
        stuck: set[asyncio.Task[object]] = set()
        if self._running:
            _, stuck = await asyncio.wait(set(self._running), timeout=grace)
            if stuck:
                log.warning("%d periodic job(s) still running after %.0f s; cancelling", len(stuck), grace)
        self.scheduler.shutdown(wait=False)
        # Cancelled jobs finish their clean-up (a rollback, claims put back) before the caller
        # closes the database.
        await asyncio.gather(*stuck, return_exceptions=True)
