"""The survey repository on both databases: versions, runs, answers and their invariants."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from flows.errors import RunClosed
from storage import survey_facts, surveys
from storage.db import Database
from storage.models import Contact
from storage.models.surveys import Questionnaire, SurveyAnswer, SurveyRun

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
DEFINITION = {"id": "needs", "questions": [{"id": "consent"}, {"id": "colour"}]}


async def new_contact(database: Database) -> int:
    async with database.transaction() as session:
        contact = Contact(created_at=NOW, language="kk")
        session.add(contact)
        await session.flush()
        return contact.id


async def started(database: Database, run_key: str = "1-1") -> int:
    contact_id = await new_contact(database)
    async with database.transaction() as session:
        await surveys.publish(session, "needs", DEFINITION, source="needs.yaml", now=NOW)
        await surveys.start_run(session, run_key=run_key, contact_id=contact_id, slug="needs", version=1,
                                channel="simulator", now=NOW)
    return contact_id


async def test_publishing_versions(database: Database) -> None:
    async with database.transaction() as session:
        first, created = await surveys.publish(session, "needs", DEFINITION, source="needs.yaml", now=NOW)
        assert created and first.version == 1
        same, created = await surveys.publish(session, "needs", dict(DEFINITION), source="copy.yaml", now=NOW)
        assert not created and same.id == first.id
        edited = {**DEFINITION, "questions": [{"id": "consent"}]}
        second, created = await surveys.publish(session, "needs", edited, source="needs.yaml", now=NOW)
        assert created and second.version == 2
    async with database.transaction() as session:
        slug, active = await surveys.active_version(session)  # type: ignore[misc]
        assert (slug, active.version, active.definition) == ("needs", 2, edited)
        older = await surveys.find_version(session, "needs", 1)
        assert older is not None and older.definition == DEFINITION  # versions never change


async def test_the_first_questionnaire_is_active_and_activate_switches(database: Database) -> None:
    async with database.transaction() as session:
        await surveys.publish(session, "needs", DEFINITION, source="a", now=NOW)
        await surveys.publish(session, "other", {"id": "other"}, source="b", now=NOW)
        assert (await surveys.active_version(session))[0] == "needs"  # type: ignore[index]
        await surveys.publish(session, "other", {"id": "other"}, source="b", now=NOW, activate=True)
        assert (await surveys.active_version(session))[0] == "other"  # type: ignore[index]
        actives = (await session.scalars(select(Questionnaire.slug).where(Questionnaire.active))).all()
    assert actives == ["other"]


async def test_answers_are_stored_replaced_and_discarded(database: Database) -> None:
    contact_id = await started(database)
    later = NOW + dt.timedelta(minutes=3)
    async with database.transaction() as session:
        await surveys.save_answer(session, run_key="1-1", question_id="consent", value="yes", raw_text="иә", now=NOW)
        await surveys.save_answer(session, run_key="1-1", question_id="colour", value=["red"], raw_text="1", now=NOW)
    async with database.transaction() as session:  # "back", then a new answer
        answer = await surveys.save_answer(session, run_key="1-1", question_id="colour", value=["red", "blue"],
                                           raw_text="1 3", now=later)
        assert answer.revision == 2
    async with database.transaction() as session:
        unfinished = await surveys.unfinished_run(session, contact_id)
        assert unfinished is not None and unfinished.slug == "needs" and unfinished.version.version == 1
        assert unfinished.answers == {"consent": "yes", "colour": ["red", "blue"]}
        row = await session.scalar(select(SurveyAnswer).where(SurveyAnswer.question_id == "colour"))
        assert row is not None and row.raw_text == "1 3" and row.answered_at == later
        await surveys.discard_answer(session, run_key="1-1", question_id="colour", now=later)
    async with database.transaction() as session:
        assert await surveys.answers_of(session, unfinished.run.id) == {"consent": "yes"}
        assert await surveys.run_count(session, contact_id) == 1


async def test_a_completed_run_is_immutable(database: Database) -> None:
    contact_id = await started(database)
    async with database.transaction() as session:
        await surveys.save_answer(session, run_key="1-1", question_id="consent", value="yes", raw_text="1", now=NOW)
        await surveys.finish_run(session, run_key="1-1", now=NOW)
    for change in (
        lambda s: surveys.save_answer(s, run_key="1-1", question_id="consent", value="no", raw_text="2", now=NOW),
        lambda s: surveys.discard_answer(s, run_key="1-1", question_id="consent", now=NOW),
        lambda s: surveys.finish_run(s, run_key="1-1", now=NOW),
        lambda s: surveys.abandon_run(s, run_key="1-1", now=NOW),
        lambda s: surveys.resume_run(s, run_key="1-1", now=NOW),
    ):
        with pytest.raises(surveys.RunClosed, match="completed"):
            async with database.transaction() as session:
                await change(session)
    async with database.transaction() as session:
        run = await surveys.get_run(session, "1-1")
        assert run.status == "completed" and run.finished_at == NOW
        assert await surveys.answers_of(session, run.id) == {"consent": "yes"}
        assert await surveys.unfinished_run(session, contact_id) is None


async def test_abandoning_keeps_answers_unless_told_and_resuming_reopens(database: Database) -> None:
    contact_id = await started(database)
    async with database.transaction() as session:
        await surveys.save_answer(session, run_key="1-1", question_id="consent", value="yes", raw_text="1", now=NOW)
        await surveys.abandon_run(session, run_key="1-1", now=NOW)
        assert await surveys.unfinished_run(session, contact_id) is None
        await surveys.resume_run(session, run_key="1-1", now=NOW)
        unfinished = await surveys.unfinished_run(session, contact_id)
        assert unfinished is not None and unfinished.answers == {"consent": "yes"}
        await surveys.abandon_run(session, run_key="1-1", now=NOW, discard_answers=True)
        assert await surveys.answers_of(session, unfinished.run.id) == {}


async def test_the_database_itself_refuses_two_answers_to_one_question(database: Database) -> None:
    await started(database)
    with pytest.raises(IntegrityError):
        async with database.transaction() as session:
            run = await surveys.get_run(session, "1-1")
            for _ in range(2):
                session.add(SurveyAnswer(run_id=run.id, question_id="consent", value="yes", raw_text=None,
                                         answered_at=NOW, revision=1))
            await session.flush()


async def test_the_database_refuses_an_unknown_status_and_a_duplicate_run_key(database: Database) -> None:
    contact_id = await started(database)
    with pytest.raises(IntegrityError):
        async with database.transaction() as session:
            run = await surveys.get_run(session, "1-1")
            run.status = "paused"
    with pytest.raises(IntegrityError):
        async with database.transaction() as session:
            await surveys.start_run(session, run_key="1-1", contact_id=contact_id, slug="needs", version=1,
                                    channel="sms", now=NOW)


async def test_starting_a_run_on_an_unknown_version_fails(database: Database) -> None:
    contact_id = await new_contact(database)
    with pytest.raises(LookupError, match="version 3 is not stored"):
        async with database.transaction() as session:
            await surveys.start_run(session, run_key="x", contact_id=contact_id, slug="needs", version=3,
                                    channel="sms", now=NOW)


async def test_the_newest_unfinished_run_is_the_one_resumed(database: Database) -> None:
    contact_id = await started(database, "9-1")
    async with database.transaction() as session:
        await surveys.start_run(session, run_key="9-2", contact_id=contact_id, slug="needs", version=1,
                                channel="sms", now=NOW)
        unfinished = await surveys.unfinished_run(session, contact_id)
        assert unfinished is not None and unfinished.run.run_key == "9-2"
        assert await surveys.run_count(session, contact_id) == 2
        runs = (await session.scalars(select(SurveyRun.channel).order_by(SurveyRun.id))).all()
    assert runs == ["simulator", "sms"]


async def test_a_run_started_on_a_contact_later_merged_is_found_for_the_person(database: Database) -> None:
    old_contact = await started(database, "3-1")
    person = await new_contact(database)
    async with database.transaction() as session:
        await surveys.save_answer(session, run_key="3-1", question_id="consent", value="yes", raw_text="1", now=NOW)
        assert await surveys.unfinished_run(session, person) is None
        contact = await session.get(Contact, old_contact)
        assert contact is not None
        contact.merged_into_id = person
    async with database.transaction() as session:
        unfinished = await surveys.unfinished_run(session, person)
        assert unfinished is not None and unfinished.run.run_key == "3-1"
        assert unfinished.answers == {"consent": "yes"}


async def test_a_run_follows_its_newest_answer(database: Database) -> None:
    """A step's answer is one statement (``survey_facts.save_answer``); the database's trigger
    (migration 0017) keeps the run's ``updated_at``, which the nudge and retention read."""
    await started(database)
    later, latest = NOW + dt.timedelta(hours=3), NOW + dt.timedelta(hours=5)

    async def updated_at() -> dt.datetime:
        async with database.transaction() as session:
            found = await session.scalar(select(SurveyRun.updated_at).where(SurveyRun.run_key == "1-1"))
            assert found is not None
            return found

    async with database.transaction() as session:
        await survey_facts.save_answer(session, run_key="1-1", question_id="consent", value="yes", raw_text="1",
                                       now=later)
    assert await updated_at() == later
    async with database.transaction() as session:  # a changed answer: counted, and the run moves on
        await survey_facts.save_answer(session, run_key="1-1", question_id="consent", value="no", raw_text="2",
                                       now=latest)
        answer = await session.scalar(select(SurveyAnswer).where(SurveyAnswer.question_id == "consent"))
        assert answer is not None and (answer.value, answer.revision) == ("no", 2)
    assert await updated_at() == latest
    async with database.transaction() as session:  # stamped earlier (a clock set back): never moves it back
        await survey_facts.save_answer(session, run_key="1-1", question_id="colour", value="red", raw_text="red",
                                       now=NOW)
    assert await updated_at() == latest


async def test_an_answer_to_a_closed_run_is_refused_in_one_statement(database: Database) -> None:
    await started(database)
    async with database.transaction() as session:
        await surveys.finish_run(session, run_key="1-1", now=NOW)
    with pytest.raises(RunClosed, match="not in progress"):
        async with database.transaction() as session:
            await survey_facts.save_answer(session, run_key="1-1", question_id="consent", value="yes",
                                           raw_text="1", now=NOW)
    async with database.transaction() as session:
        assert (await session.scalars(select(SurveyAnswer))).all() == []
