"""A process killed after a step's commit, played in-process: delivery raises ``ProcessKilled``
(a ``BaseException``, which nothing in the bot catches), leaving the database exactly as a
SIGKILL after the commit would."""

from __future__ import annotations

from bot.dispatcher import Handled


class ProcessKilled(BaseException):
    """The process died here (after the step's commit, before its reply left)."""


async def dies(_handled: Handled) -> None:
    raise ProcessKilled
