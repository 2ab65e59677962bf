"""APScheduler as a clock only: interval jobs that say "do what is due now".

Every due item is a database row with a due time; a job only looks for rows whose time has
come, so nothing is pickled, nothing is lost on restart, and several processes can tick at
once (each claims rows one by one). Features register their jobs with ``@periodic``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock
from bot.i18n import Catalogs
from storage.db import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobContext:
    db: Database
    catalogs: Catalogs
    clock: Clock


Job = Callable[[JobContext], Awaitable[object]]
_JOBS: dict[str, tuple[float, Job]] = {}


def periodic(name: str, seconds: float) -> Callable[[Job], Job]:
    def register(job: Job) -> Job:
        _JOBS[name] = (seconds, job)
        return job

    return register


def registered_jobs() -> dict[str, tuple[float, Job]]:
    return dict(_JOBS)


class Ticker:
    """Runs each registered job (and any extra ones) at its interval inside the running loop."""

    def __init__(self, context: JobContext, extra: dict[str, tuple[float, Job]] | None = None):
        self.context = context
        self.jobs = {**registered_jobs(), **(extra or {})}
        self.scheduler = AsyncIOScheduler(timezone="UTC")

    def start(self) -> None:
        for name, (seconds, job) in self.jobs.items():
            self.scheduler.add_job(
                self._run, "interval", seconds=seconds, args=(name, job), id=name,
                max_instances=1, coalesce=True,
            )
        self.scheduler.start()

    async def _run(self, name: str, job: Job) -> None:
        try:
            await job(self.context)
        except Exception:
            log.exception("periodic job %s failed; it runs again at its next tick", name)

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
