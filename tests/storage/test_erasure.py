"""Forgetting a person: afterwards no table or column of the database holds anything of theirs.

The search goes over ``Base.metadata.sorted_tables``, so a table added later is searched too.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from flows.errors import Refused
from storage import courses as repo
from storage.db import Database
from storage.erasure import forget_contact
from storage.merge import merge_contacts
from storage.models import (
    ChannelIdentity,
    Contact,
    Conversation,
    FacilitatorRole,
    InboundMessage,
    OutboxMessage,
)
from storage.models.courses import CourseAudit, Enrolment
from storage.models.sms import SmsMessage
from storage.models.surveys import Questionnaire, QuestionnaireVersion, SurveyAnswer, SurveyRun
from tests.storage.courses_helpers import T0, make_centre, make_contacts, make_course
from tests.storage.db_search import all_text as _all_text

PHONE = "+77019876543"
PHONE_FORMS = (PHONE, "77019876543", "87019876543", "7019876543")
TELEGRAM_ID = "918273645"
NAME = "Гүлнар Серікқызы"
# Not the centre's settlement (Ақсу): the centre's own row keeps that, rightly.
SETTLEMENT = "Сарыжазық"
TYPED = ("Менің ауылымда жол жоқ", "Гүлнар Серікқызы, 8 701 987 65 43", "тігін үйренгім келеді")
DEFINITION = {"questions": [{"id": "interest", "type": "single"}, {"id": "wish", "type": "text"},
                            {"id": "age", "type": "integer"}]}


async def _person(database: Database) -> tuple[int, int, int, int]:
    """A person on Telegram merged with their SMS contact, with data everywhere; (id, other, course, next)."""
    async with database.transaction() as s:
        centre = await make_centre(s)
        course = await make_course(s, centre, capacity=1)
        q = Questionnaire(slug="needs", created_at=T0)
        s.add(q)
        await s.flush()
        version = QuestionnaireVersion(questionnaire_id=q.id, version=1, definition=DEFINITION,
                                       content_hash="x", source="t", created_at=T0)
        s.add(version)
        sms_id, tg_id, other = await make_contacts(s, 3, centre)
        for person in (tg_id, sms_id):
            contact = await s.get_one(Contact, person)
            contact.name, contact.settlement = NAME, SETTLEMENT
        s.add_all([
            ChannelIdentity(contact_id=sms_id, channel="sms", address=f"tel:{PHONE}", created_at=T0),
            ChannelIdentity(contact_id=tg_id, channel="telegram", address=f"telegram:{TELEGRAM_ID}",
                            created_at=T0),
            ChannelIdentity(contact_id=other, channel="sms", address="tel:+77010000001", created_at=T0),
            Conversation(contact_id=tg_id, state={"typed": TYPED[0], "name": NAME}, updated_at=T0),
            FacilitatorRole(contact_id=tg_id, centre_id=centre.id, created_at=T0),
            InboundMessage(channel="sms", provider_id="SM1", address=f"tel:{PHONE}", contact_id=sms_id,
                           text=TYPED[1], received_at=T0, handled_at=T0),
            InboundMessage(channel="telegram", provider_id="42", address=f"telegram:{TELEGRAM_ID}",
                           contact_id=tg_id, text=TYPED[2],
                           payload={"from": {"id": int(TELEGRAM_ID), "first_name": NAME}, "text": TYPED[2]},
                           received_at=T0),
            # Recorded before the contact was known: found by its address.
            InboundMessage(channel="sms", provider_id="SM0", address=f"tel:{PHONE}", text=TYPED[0],
                           received_at=T0),
            OutboxMessage(contact_id=sms_id, kind="broadcast", payload={"text": f"Сәлем, {NAME}"},
                          due_at=T0, status="sent", created_at=T0),
            OutboxMessage(contact_id=tg_id, kind="offer", payload={"echo": TYPED[2]}, due_at=T0,
                          created_at=T0),
            SmsMessage(sid="SMout", address=f"tel:{PHONE}", contact_id=sms_id, encoding="UCS-2",
                       segments=1, status="delivered", created_at=T0, updated_at=T0),
        ])
        await s.flush()
        run = SurveyRun(run_key=f"{sms_id}-1", contact_id=sms_id, version_id=version.id, status="completed",
                        channel="sms", started_at=T0, updated_at=T0)
        s.add(run)
        await s.flush()
        s.add_all([
            SurveyAnswer(run_id=run.id, question_id="interest", value="sewing", raw_text="2", answered_at=T0),
            SurveyAnswer(run_id=run.id, question_id="wish", value=TYPED[2], raw_text=TYPED[2], answered_at=T0),
            SurveyAnswer(run_id=run.id, question_id="age", value=41, raw_text="41 жас", answered_at=T0),
        ])
        course_id = course.id
    async with database.transaction() as s:
        await repo.enrol(s, course_id, tg_id, T0, actor="test")
        await repo.enrol(s, course_id, other, T0, actor="test")
        s.add(CourseAudit(course_id=course_id, contact_id=tg_id, actor="cli:x", action="note",
                          reason=f"{NAME} ауырып қалды", at=T0))
    async with database.transaction() as s:
        await merge_contacts(s, sms_id, tg_id, T0)
    return tg_id, sms_id, course_id, other


def _secrets() -> list[str]:
    return [*PHONE_FORMS, TELEGRAM_ID, NAME, "Гүлнар", SETTLEMENT, *TYPED, "41 жас"]


async def test_forgetting_leaves_nothing_of_the_person_in_any_column(database: Database) -> None:
    person, merged, _course, other = await _person(database)
    before = await _all_text(database)
    # The search does find them before (the local phone forms are only searched for after).
    present = [PHONE, TELEGRAM_ID, NAME, *TYPED, "41 жас"]
    assert [p for p in present if not any(p in text for _, text in before)] == []

    async with database.transaction() as s:
        forgotten = await forget_contact(s, person, T0, reason="asked at the centre")
        # The freed seat goes to the next person on the waiting list.
        assert [o.contact_id for o in forgotten.offers] == [other]
        assert sorted(forgotten.contact_ids) == sorted([person, merged])

    leaks = [(where, secret) for where, text in await _all_text(database) for secret in _secrets()
             if secret in text]
    assert leaks == []
    async with database.transaction() as s:
        tombstone = await s.get_one(Contact, person)
        assert tombstone.name is None and tombstone.deleted_at == T0
        # The anonymous aggregates stay: the run and its choice answer, the course's counts.
        answers = (await s.execute(select(SurveyAnswer.question_id, SurveyAnswer.value))).all()
        assert [tuple(a) for a in answers] == [("interest", "sewing")]
        assert await s.scalar(select(func.count()).select_from(SurveyRun)) == 1
        statuses = dict((await s.execute(select(Enrolment.contact_id, Enrolment.status))).all())
        assert statuses == {person: "left", other: "offered"}
        # A retried message is still recognised, but carries nothing.
        assert await s.scalar(select(func.count()).select_from(InboundMessage)) == 3
        assert await s.scalar(select(func.count()).select_from(ChannelIdentity)) == 1


async def test_an_unknown_contact_is_refused(database: Database) -> None:
    async with database.transaction() as s:
        with pytest.raises(Refused):
            await forget_contact(s, 999, T0, reason="x")
