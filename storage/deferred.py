"""Writes that may wait a moment, made with the next transaction of the process (``Database.defer``).

Marking a delivered reply sent used to cost a transaction and a commit of its own after every
step; on SQLite that is the write lock taken twice a step. Deferred, many steps' marks ride on
whatever transaction comes next (another step, the outbox), or on their own one ``DEFER_SECONDS``
later when the process is idle. A process killed meanwhile loses them, so only what is safe to
lose may be deferred (a reply not marked sent is sent once more, after its claim lapses).

A deferred write runs first in someone else's transaction: it must be one that cannot fail but
for the database itself failing (an UPDATE of rows by id), and it must take no lock a step or an
erasure takes first (the contact's row): it would make another person's step fail, or invert
the lock order. Marking outbox rows sent by id is both.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)
DEFER_SECONDS = 0.1
TRIES = 3  # a write failing this often would fail every transaction of the process: dropped

Deferred = Callable[[AsyncSession], Awaitable[None]]


class DeferredWrites:
    def __init__(self) -> None:
        self._writes: list[Deferred] = []
        self._failures = 0

    def __bool__(self) -> bool:
        return bool(self._writes)

    def add(self, write: Deferred) -> None:
        self._writes.append(write)

    async def run(self, session: AsyncSession) -> list[Deferred]:
        """Make them in ``session``; they are the caller's to give back if it rolls back."""
        writes, self._writes = self._writes, []
        try:
            for write in writes:
                await write(session)
        except Exception:
            self._failures += 1
            if self._failures < TRIES:
                self.give_back(writes)
            else:
                log.error("dropping %d deferred writes after %d failed tries", len(writes), TRIES)
                self._failures = 0
            raise
        self._failures = 0
        return writes

    def give_back(self, writes: list[Deferred]) -> None:
        """Writes made in a transaction that rolled back: first in line for the next one."""
        self._writes[:0] = writes
