"""Database round trips per step (issue 18), counted with SQLAlchemy's events: a regression in
how many round trips an ordinary step makes fails here; how long they take is ``make bench``'s."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.growth import fill
from bench.inbound import add_one_centre, one_centre
from bench.step_cost import measure_step_cost
from storage.db import Database

# Round trips of a survey answer on SQLite: the person with the survey's run and answers (the
# BEGIN goes with it), the inbound claim, the answer (the run follows it by trigger), the state,
# the reply kept, the last reply marked sent, and the COMMIT: 7. The consent, which starts the
# run: 9. A menu step: 6.
MOST = {"survey answer": 7, "consent, run started": 9, "menu": 6, "language": 7}
# On PostgreSQL, the same numbers by other statements: the BEGIN, the last reply marked sent,
# the person locked, the rest of the person read with the inbound claim (a data-modifying WITH),
# the answer, the reply kept with the state, the COMMIT: 7 (9 before the claim and the state
# rode with other statements).
MOST_POSTGRESQL = MOST


async def counted(url: str, people: int) -> dict[str, int]:
    await one_centre(url)
    db = Database.from_url(url)
    try:
        await fill(db, people)
        return {kind: statements for kind, (statements, _) in (await measure_step_cost("test", db)).items()}
    finally:
        await db.dispose()


async def test_an_ordinary_step_makes_few_round_trips_whatever_the_size(tmp_path: Path) -> None:
    small = await counted(f"sqlite+aiosqlite:///{tmp_path / 'small.db'}", 10)
    larger = await counted(f"sqlite+aiosqlite:///{tmp_path / 'larger.db'}", 500)
    for kind, most in MOST.items():
        assert small[kind] <= most, (kind, small[kind])
    assert small == larger  # no statement more for a larger database


async def test_on_postgresql_the_claim_and_the_state_ride_with_other_statements(database: Database) -> None:
    if database.is_sqlite:
        pytest.skip("SQLite: above (a WITH cannot write there)")
    await add_one_centre(database)
    found = await measure_step_cost("test", database)
    for kind, most in MOST_POSTGRESQL.items():
        assert found[kind][0] <= most, (kind, found[kind][0])
