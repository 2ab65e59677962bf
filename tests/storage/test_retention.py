"""Who the retention rule forgets, on SQLite and PostgreSQL: consent (or, without one, the
contact's creation) older than the period, and no activity of theirs for as long."""

from __future__ import annotations

import datetime as dt

from storage.db import Database
from storage.models import ChannelIdentity, Contact, Conversation, FacilitatorRole, InboundMessage
from storage.models.courses import Enrolment
from storage.models.surveys import Questionnaire, QuestionnaireVersion, SurveyRun
from storage.retention import expired_contacts, still_expired
from tests.storage.courses_helpers import T0, make_centre, make_course

DAYS = 730
NOW = T0 + dt.timedelta(days=800)
CUTOFF = NOW - dt.timedelta(days=DAYS)  # T0 + 70 days
LONG_AGO = T0 + dt.timedelta(days=10)
LATELY = NOW - dt.timedelta(days=5)


async def _people(database: Database) -> dict[str, int]:
    """One contact per case; the name says what is special about them."""
    async with database.transaction() as s:
        centre = await make_centre(s)
        course = await make_course(s, centre)
        form = Questionnaire(slug="needs", created_at=T0)
        s.add(form)
        await s.flush()
        version = QuestionnaireVersion(questionnaire_id=form.id, version=1, definition={}, content_hash="x",
                                       source="t", created_at=T0)
        s.add(version)
        names = ["consented_long_ago", "never_consented", "active_long_ago", "wrote_lately", "talked_lately",
                 "enrolment_changed_lately", "answered_lately", "new_address_lately", "consented_lately",
                 "consented_at_the_cutoff", "facilitator", "fresh", "deleted", "merged"]
        people = {name: Contact(created_at=T0, language="kk", centre_id=centre.id) for name in names}
        s.add_all(people.values())
        await s.flush()
        ids = {name: contact.id for name, contact in people.items()}
        for name in ("consented_long_ago", "active_long_ago", "wrote_lately", "talked_lately",
                     "enrolment_changed_lately", "answered_lately", "new_address_lately", "facilitator"):
            people[name].consent, people[name].consent_at = True, LONG_AGO
        people["consented_lately"].consent_at = CUTOFF + dt.timedelta(days=1)
        people["consented_at_the_cutoff"].consent_at = CUTOFF
        people["fresh"].created_at = LATELY
        people["deleted"].deleted_at = T0
        people["merged"].merged_into_id = ids["consented_long_ago"]
        s.add_all([
            ChannelIdentity(contact_id=ids["consented_long_ago"], channel="sms", address="tel:+77010000001",
                            created_at=T0),
            ChannelIdentity(contact_id=ids["new_address_lately"], channel="telegram", address="telegram:5",
                            created_at=LATELY),
            InboundMessage(channel="sms", provider_id="SM1", address="tel:+77010000002",
                           contact_id=ids["active_long_ago"], text="сәлем", received_at=CUTOFF - dt.timedelta(days=1)),
            InboundMessage(channel="sms", provider_id="SM2", address="tel:+77010000003",
                           contact_id=ids["wrote_lately"], text="сәлем", received_at=LATELY),
            Conversation(contact_id=ids["talked_lately"], state={}, updated_at=CUTOFF),
            Conversation(contact_id=ids["active_long_ago"], state={}, updated_at=LONG_AGO),
            Enrolment(course_id=course.id, contact_id=ids["enrolment_changed_lately"], status="left",
                      joined_at=T0, updated_at=LATELY),
            SurveyRun(run_key="r1", contact_id=ids["answered_lately"], version_id=version.id, status="in_progress",
                      channel="sms", started_at=T0, updated_at=LATELY),
            FacilitatorRole(contact_id=ids["facilitator"], centre_id=centre.id, created_at=T0),
        ])
        return ids


async def test_exactly_the_people_silent_since_long_before_the_period_are_expired(database: Database) -> None:
    ids = await _people(database)
    async with database.transaction() as s:
        expired = await expired_contacts(s, NOW, DAYS)
        assert list(expired) == [ids["consented_long_ago"], ids["never_consented"], ids["active_long_ago"]]
        assert await still_expired(s, ids["never_consented"], NOW, DAYS)
        assert not await still_expired(s, ids["wrote_lately"], NOW, DAYS)
        # Another period later, with nothing new: everyone but staff and who is gone already.
        later = await expired_contacts(s, NOW + dt.timedelta(days=DAYS), DAYS)
        assert set(later) == set(ids.values()) - {ids["facilitator"], ids["deleted"], ids["merged"]}


async def test_a_shorter_period_expires_more(database: Database) -> None:
    ids = await _people(database)
    async with database.transaction() as s:
        # 30 days: everyone but who did something in the last 30 days (or is staff, or gone).
        expired = set(await expired_contacts(s, NOW, 30))
    active = {"wrote_lately", "enrolment_changed_lately", "answered_lately", "new_address_lately", "fresh"}
    kept = {"facilitator", "deleted", "merged", *active}
    assert expired == {contact for name, contact in ids.items() if name not in kept}
