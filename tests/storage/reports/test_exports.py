"""The export queries on SQLite and PostgreSQL: batches in order with their answers, filters,
contacts without tombstones, enrolments with derived positions and attendance; the
pseudonym key is made once and kept."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from storage.db import Database
from storage.models import Centre
from storage.models.courses import Course
from storage.models.pseudonyms import PseudonymKey
from storage.models.surveys import SurveyInvitation, SurveyRun
from storage.pseudonyms import pseudonymizer
from storage.reports import exports
from tests.bot.results.export_seed import RUNS, T0, seed


async def _all(batches: object) -> list[list[object]]:
    return [batch async for batch in batches]  # type: ignore[attr-defined]


async def oral_id(database: Database) -> frozenset[int]:
    async with database.transaction() as session:
        found = await session.scalar(select(Centre.id).where(Centre.slug == "oral"))
    assert found is not None
    return frozenset({found})


async def test_runs_in_batches_with_answers_and_filters(database: Database) -> None:
    seeded = await seed(database)
    async with database.transaction() as session:
        found = await exports.versions(session, None)
    assert found.slug == "needs" and sorted(found.definitions) == [1, 2]
    everything = exports.RunFilter(found.questionnaire_id, statuses=("completed", "in_progress", "abandoned"))
    batches = await _all(exports.runs(database, everything, batch=3))
    assert [len(batch) for batch in batches] == [3, 1]
    runs = [run for batch in batches for run in batch]
    assert [run.id for run in runs] == seeded.runs  # type: ignore[attr-defined]
    first = runs[0]
    assert [(a.question_id, a.value, a.raw_text) for a in first.answers] == [  # type: ignore[attr-defined]
        (q, value, raw) for q, (value, raw) in RUNS[0][4].items()]
    assert first.where == exports.Where("aksu", "Asia/Almaty")  # type: ignore[attr-defined]
    assert await exports.count_runs(database, everything) == 4

    async def ids(**given: object) -> list[int]:
        flt = exports.RunFilter(found.questionnaire_id, **given)  # type: ignore[arg-type]
        return [run.id for batch in await _all(exports.runs(database, flt)) for run in batch]  # type: ignore[attr-defined]

    r = seeded.runs
    assert await ids() == [r[0], r[1], r[3]]  # completed only
    assert await ids(version=2) == [r[1]]
    assert await ids(since=T0 + dt.timedelta(minutes=31), until=T0 + dt.timedelta(days=1, minutes=1)) == [r[1]]
    flt = exports.RunFilter(found.questionnaire_id, centre_ids=await oral_id(database))
    assert [run.id for b in await _all(exports.runs(database, flt)) for run in b] == [r[3]]  # type: ignore[attr-defined]


async def test_feedback_on_a_course_belongs_to_the_course_centre(database: Database) -> None:
    """Feedback an oral learner gave on an aksu course is aksu's to export, not oral's."""
    seeded = await seed(database)
    async with database.transaction() as session:
        course = await session.scalar(select(Course).where(Course.code == "sewing-1"))
        run_key = await session.scalar(select(SurveyRun.run_key).where(SurveyRun.id == seeded.runs[3]))
        assert course is not None and run_key is not None
        session.add(SurveyInvitation(contact_id=seeded.contacts[3], slug="needs", subject=f"course:{course.id}",
                                     about_kk="-", about_ru="-", status="completed", run_key=run_key,
                                     created_at=T0, updated_at=T0))
        aksu = frozenset({course.centre_id})
        found = await exports.versions(session, None)

    async def runs(centre_ids: frozenset[int]) -> list[tuple[int, str | None]]:
        flt = exports.RunFilter(found.questionnaire_id, centre_ids=centre_ids)
        return [(run.id, run.where.centre) for b in await _all(exports.runs(database, flt)) for run in b]  # type: ignore[attr-defined]

    r = seeded.runs
    assert await runs(aksu) == [(r[0], "aksu"), (r[1], "aksu"), (r[3], "aksu")]
    assert await runs(await oral_id(database)) == []
    assert await exports.count_runs(database, exports.RunFilter(found.questionnaire_id, centre_ids=aksu)) == 3


async def test_contacts_leave_out_tombstones(database: Database) -> None:
    seeded = await seed(database)
    rows = [row for batch in await _all(exports.contacts(database, None, batch=2)) for row in batch]
    assert [row.id for row in rows] == [*seeded.contacts, seeded.staff]  # type: ignore[attr-defined]
    assert rows[0].addresses == exports.Addresses(["+77015550001"], ["telegram:700100201"])  # type: ignore[attr-defined]
    assert await exports.count_contacts(database, None) == 5
    assert await exports.count_contacts(database, await oral_id(database)) == 2


async def test_enrolments_with_positions_and_attendance(database: Database) -> None:
    seeded = await seed(database)
    rows = [row for batch in await _all(exports.enrolments(database, None, batch=2)) for row in batch]
    shown = [(row.id, row.status, row.seat_no, row.position, row.attended, row.sessions)  # type: ignore[attr-defined]
             for row in rows]
    e = seeded.enrolments
    assert shown == [(e["seated"], "enrolled", 1, None, 1, 2), (e["first"], "waiting", None, 1, 0, 2),
                     (e["second"], "waiting", None, 2, 0, 2), (e["oral"], "enrolled", 1, None, 0, 2)]
    assert await exports.count_enrolments(database, None) == 4
    assert await exports.count_enrolments(database, await oral_id(database)) == 1


async def test_the_pseudonym_key_is_made_once(database: Database) -> None:
    async with database.transaction() as session:
        first = await pseudonymizer(session, T0)
    async with database.transaction() as session:
        again = await pseudonymizer(session, T0)
        keys = (await session.scalars(select(PseudonymKey))).all()
    assert len(keys) == 1 and first == again
    assert first("+77015550001") == again("+77015550001") != first("+77015550002")
    assert (first("+77015550001") or "").startswith("p_") and len(first("x") or "") == 14
    assert first(None) is None
