"""The inbound benchmark in small (issue 18): the bot and the bare echo bot as processes against
the fake Bot API, three villagers each. Counts only (nothing unanswered, every survey to its
end, as many echo actions as asked), never a time: speed is measured by ``make bench``."""

from __future__ import annotations

from pathlib import Path

from bench.inbound import measure

VILLAGERS = 3


async def test_the_bot_answers_every_action_of_every_villager(tmp_path: Path) -> None:
    """By webhook (the crash smoke test runs the bot by polling)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    run = await measure("clc", "webhook", VILLAGERS, "sqlite", url, tmp_path)
    assert run.unanswered == 0, run.stuck
    assert run.stuck == [] and run.actions == VILLAGERS * (run.actions // VILLAGERS)
    assert run.actions // VILLAGERS >= 15  # /start, the language, the menu and every survey question


async def test_the_echo_bot_answers_every_action(tmp_path: Path) -> None:
    run = await measure("echo", "polling", VILLAGERS, "sqlite", "sqlite+aiosqlite://", tmp_path, actions=5)
    assert (run.actions, run.unanswered) == (VILLAGERS * 5, 0)
