"""The person's survey runs read with the person (``storage.steps`` → ``survey_facts.knows_runs``)
are what ``runs_of`` reads by itself, answers in answering order, on both databases."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from storage import inbound, steps, survey_facts, surveys
from storage.db import Database
from storage.merge import merge_contacts
from storage.models import ChannelIdentity, Contact

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
DEFINITION = {"id": "needs", "questions": [{"id": q} for q in ("consent", "age", "village", "wish")]}


async def someone(session: AsyncSession, address: str) -> int:
    contact = Contact(created_at=NOW, language="ru")
    session.add(contact)
    await session.flush()
    session.add(ChannelIdentity(contact_id=contact.id, channel="telegram", address=address, created_at=NOW))
    await session.flush()
    return contact.id


async def answered(session: AsyncSession, contact_id: int, run_key: str, answers: list[tuple[str, str]]) -> None:
    await surveys.start_run(session, run_key=run_key, contact_id=contact_id, slug="needs", version=1,
                            channel="telegram", now=NOW)
    for minute, (question, value) in enumerate(answers):
        await survey_facts.save_answer(session, run_key=run_key, question_id=question, value=value, raw_text=value,
                                       now=NOW + dt.timedelta(minutes=minute))


async def read_both_ways(database: Database, address: str) -> tuple[object, object, bool]:
    """(runs_of from the person's statement, runs_of read afresh, whether the memo was there)."""
    async with database.transaction() as session:
        message = inbound.Arrived("telegram", None, address, "меню", {})
        found = await steps.person(session, message, NOW, lock=not database.is_sqlite)
        assert found is not None
        people = await surveys.same_person(session, found.contact.id)
        memo = session.info.get("survey_facts.runs") is not None
        with_person = await survey_facts.runs_of(session, found.contact.id, people)
        afresh = await survey_facts.runs_of(session, found.contact.id, people)  # the memo is taken once
        return with_person, afresh, memo


async def test_runs_read_with_the_person_equal_a_fresh_read(database: Database) -> None:
    async with database.transaction() as session:
        await surveys.publish(session, "needs", DEFINITION, source="needs.yaml", now=NOW)
        first = await someone(session, "telegram:1")
        await answered(session, first, "1-1", [("consent", "yes")])
        await surveys.finish_run(session, run_key="1-1", now=NOW)
        # A second run in progress; "age" answered again later keeps its place, with the new value.
        await answered(session, first, "1-2", [("consent", "yes"), ("age", "30"), ("village", "Аксу"),
                                               ("age", "31"), ("wish", "шитьё")])
    with_person, afresh, memo = await read_both_ways(database, "telegram:1")
    assert memo
    assert with_person == afresh
    count, run = with_person  # type: ignore[misc]
    assert count == 2 and run is not None and run.run_key == "1-2"
    assert list(run.answers.items()) == [("consent", "yes"), ("age", "31"), ("village", "Аксу"),
                                         ("wish", "шитьё")]


async def test_a_person_made_of_merged_contacts_is_read_afresh(database: Database) -> None:
    async with database.transaction() as session:
        await surveys.publish(session, "needs", DEFINITION, source="needs.yaml", now=NOW)
        stays = await someone(session, "telegram:2")
        goes = await someone(session, "telegram:3")
        await answered(session, goes, "3-1", [("consent", "yes"), ("age", "45")])
        await merge_contacts(session, goes, stays, NOW)
    with_person, afresh, memo = await read_both_ways(database, "telegram:2")
    assert not memo  # other contacts were merged into this one: runs_of asks the database
    assert with_person == afresh
    _, run = with_person  # type: ignore[misc]
    assert run is not None and run.run_key == "3-1" and run.answers == {"consent": "yes", "age": "45"}
