"""Database round trips per step (issue 18), counted with SQLAlchemy's events: a regression in
how many statements an ordinary step makes fails here; how long they take is ``make bench``'s."""

from __future__ import annotations

from pathlib import Path

from bench.growth import fill
from bench.inbound import one_centre
from bench.step_cost import measure_step_cost
from storage.db import Database

# A survey answer: the person (2), the inbound claim, the survey's run and answers, the run
# touched and the answer upserted, the state, the reply kept, the last reply marked sent, and
# SQLite's BEGIN: 12. A menu step: 7.
MOST = {"survey answer": 12, "menu": 7, "language": 8}


async def counted(url: str, people: int) -> dict[str, int]:
    await one_centre(url)
    db = Database.from_url(url)
    try:
        await fill(db, people)
        return {kind: statements for kind, (statements, _) in (await measure_step_cost("test", db)).items()}
    finally:
        await db.dispose()


async def test_an_ordinary_step_makes_few_statements_whatever_the_size(tmp_path: Path) -> None:
    small = await counted(f"sqlite+aiosqlite:///{tmp_path / 'small.db'}", 10)
    larger = await counted(f"sqlite+aiosqlite:///{tmp_path / 'larger.db'}", 500)
    for kind, most in MOST.items():
        assert small[kind] <= most, (kind, small[kind])
    assert small == larger  # no statement more for a larger database
