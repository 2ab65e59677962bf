"""The monitoring report's figures from a seeded March, on SQLite and PostgreSQL, against the
numbers computed by hand in ``monitoring_seed``."""

from __future__ import annotations

import datetime as dt

from flows.reports.monitoring import Period, monitoring
from flows.reports.monitoring_rows import course_rows, figure_rows
from storage.db import Database
from storage.models import Centre
from storage.reports.monitoring import centre_facts
from tests.storage.reports.monitoring_seed import EXPECTED, seed

AFTER = dt.datetime(2026, 4, 2, tzinfo=dt.UTC)
MARCH = Period(dt.datetime(2026, 2, 28, 19, tzinfo=dt.UTC), dt.datetime(2026, 3, 31, 19, tzinfo=dt.UTC))


async def test_every_figure_matches_the_hand_computed_one(database: Database) -> None:
    seeded = await seed(database)
    async with database.transaction() as session:
        aksu = await session.get_one(Centre, seeded.aksu)
        report = monitoring(await centre_facts(session, aksu, MARCH), MARCH, AFTER, 75)
    found = {row.key: row.value if row.unknown is None else (row.value, row.unknown)
             for row in figure_rows(report, 75)}
    assert {key: found[key] for key in EXPECTED} == EXPECTED
    courses = {row.code: (row.sessions_held, row.trained.people, row.completed) for row in course_rows(report)}
    assert courses == {"computer-1": (4, 4, 3), "sewing-1": (1, 1, None)}


async def test_the_other_centre_counts_only_its_own(database: Database) -> None:
    seeded = await seed(database)
    async with database.transaction() as session:
        other = await session.get_one(Centre, seeded.other)
        report = monitoring(await centre_facts(session, other, MARCH), MARCH, AFTER, 75)
    assert (report.trained.people, report.completed.people) == (1, 1)  # its one-session course
    assert report.waiting.waiting_now == 1 and report.waiting.offers_made == 0
    assert report.satisfaction.invited == 0 and report.surveys_started == {"sms": 1}
    assert report.facts.announcements.broadcasts == 1
