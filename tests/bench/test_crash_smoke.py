"""The crash benchmark, small (issue 18, benchmark 4): ``clc-bot`` killed with SIGKILL while a
broadcast goes out and villagers walk the needs survey, restarted each time. Counts only: nobody
misses the broadcast, repeats stay within what each killed process held in flight, no answer is
lost and every survey goes on at the question it stopped at."""

from __future__ import annotations

from pathlib import Path

from bench.crash import run_once

PEOPLE, VILLAGERS, KILLS = 200, 10, 3


async def test_killed_three_times_nothing_lost_repeats_bounded_surveys_resumed(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'crash.db'}"
    outcome = await run_once("sqlite", url, PEOPLE, VILLAGERS, KILLS, tmp_path)
    assert outcome.lost == 0 and outcome.unsent == 0, outcome.problems
    # each repeat is a message a killed process had delivered and not yet recorded
    assert len(outcome.per_kill) == KILLS and outcome.duplicates == sum(outcome.per_kill)
    assert max(outcome.per_kill) <= outcome.bound, outcome.per_kill  # what one process held in flight
    assert outcome.answers_lost == 0, outcome.problems
    assert outcome.resumed_right == VILLAGERS, outcome.problems
