"""The daily retention job (issue 14): with an injected clock it forgets exactly the expired
people, each as ``clc-admin contact forget`` would, offers the seats they freed, tells nobody,
and logs counts and contact ids only. ``CLC_RETENTION_DAYS`` is checked at start."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from bot.features import standard_features
from bot.features.privacy import RETENTION_JOB
from bot.i18n import Catalogs
from bot.scheduler import JobContext, PeriodicJob, Ticker
from bot.settings import load_settings
from flows.errors import ConfigError
from storage import courses as repo
from storage.db import Database
from storage.models import ChannelIdentity, Contact, FacilitatorRole, InboundMessage, OutboxMessage
from storage.models.courses import Enrolment
from tests.storage.courses_helpers import T0, make_centre, make_contacts, make_course

PHONE = "+77015550011"
NAME = "Сәуле Жақсыбекова"
DAY = dt.timedelta(days=1)


def retention_job(days: int) -> PeriodicJob:
    jobs = [job for job in standard_features(retention_days=days).jobs if job.name == RETENTION_JOB]
    assert len(jobs) == 1
    return jobs[0]


async def _people(database: Database) -> dict[str, int]:
    """At T0: a learner holding the only seat and a villager waiting for it, a facilitator,
    and someone who will write later; all consented at T0."""
    async with database.transaction() as s:
        centre = await make_centre(s)
        course = await make_course(s, centre, capacity=1)
        learner, waiting, facilitator, writes_later = await make_contacts(s, 4, centre)
        for contact_id in (learner, waiting, facilitator, writes_later):
            contact = await s.get_one(Contact, contact_id)
            contact.consent, contact.consent_at = True, T0
        (await s.get_one(Contact, learner)).name = NAME
        s.add_all([
            ChannelIdentity(contact_id=learner, channel="sms", address=f"tel:{PHONE}", created_at=T0),
            FacilitatorRole(contact_id=facilitator, centre_id=centre.id, created_at=T0),
        ])
        course_id = course.id
    async with database.transaction() as s:
        await repo.enrol(s, course_id, learner, T0, actor="test")
        await repo.enrol(s, course_id, waiting, T0, actor="test")
    return {"learner": learner, "waiting": waiting, "facilitator": facilitator, "writes_later": writes_later,
            "course": course_id}


async def _wrote(database: Database, contact_id: int, at: dt.datetime, sid: str) -> None:
    async with database.transaction() as s:
        s.add(InboundMessage(channel="sms", provider_id=sid, address="tel:+77015550099", contact_id=contact_id,
                             text="сәлем", received_at=at, handled_at=at))


async def test_the_job_forgets_exactly_the_expired_and_offers_their_seats_in_silence(
    database: Database, catalogs: Catalogs, caplog: pytest.LogCaptureFixture
) -> None:
    people = await _people(database)
    job = retention_job(400)
    # The one waiting has just written, so they stay; so does the one who writes on day 350.
    await _wrote(database, people["waiting"], T0 + 399 * DAY, "SM1")
    await _wrote(database, people["writes_later"], T0 + 350 * DAY, "SM2")
    clock = FakeClock(T0 + 400 * DAY)
    context = JobContext(database, catalogs, clock)

    # 400 days to the minute: not older yet.
    assert await job.run(context) == []
    clock.advance(hours=1)
    # An hour later the learner's consent is older than 400 days, with nothing since.
    with caplog.at_level(logging.INFO):
        assert await job.run(context) == [people["learner"]]
    async with database.transaction() as s:
        learner = await s.get_one(Contact, people["learner"])
        assert learner.deleted_at == clock() and learner.name is None
        assert list(await s.scalars(select(ChannelIdentity.address))) == []
        kept = [people["waiting"], people["facilitator"], people["writes_later"]]
        assert [(await s.get_one(Contact, c)).deleted_at for c in kept] == [None, None, None]
        statuses = dict((await s.execute(select(Enrolment.contact_id, Enrolment.status))).all())
        assert statuses == {people["learner"]: "left", people["waiting"]: "offered"}
        # The freed seat is offered to the next person; the forgotten one is told nothing.
        queued = (await s.execute(select(OutboxMessage.contact_id, OutboxMessage.kind))).all()
        assert [tuple(row) for row in queued] == [(people["waiting"], "offer")]
    infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert f"retention: 1 of 1 expired contacts forgotten (400 days): [{people['learner']}]" in infos
    assert not [m for m in infos if PHONE in m or NAME in m or "сәлем" in m]

    # The day after, nobody else is due; 350 + 400 days on, the one who wrote then is.
    clock.advance(days=1)
    assert await job.run(context) == []
    clock.now = T0 + 750 * DAY + dt.timedelta(hours=1)
    assert await job.run(context) == [people["writes_later"]]


async def test_the_job_is_declared_daily_and_scheduled_so(database: Database, catalogs: Catalogs) -> None:
    job = retention_job(730)
    assert job.seconds == 24 * 60 * 60
    ticker = Ticker(JobContext(database, catalogs, FakeClock()), standard_features().jobs)
    ticker.start()
    try:
        scheduled = ticker.scheduler.get_job(RETENTION_JOB)
        assert scheduled is not None and scheduled.trigger.interval == dt.timedelta(days=1)
    finally:
        await ticker.stop()


@pytest.mark.parametrize("value", ["29", "0", "-5", "2.5", "two years", "", "36501"])
def test_a_retention_that_is_not_a_whole_number_of_days_from_30_fails_at_start(value: str) -> None:
    with pytest.raises(ConfigError) as failed:
        load_settings(retention_days=value)
    assert str(failed.value) == (
        f"CLC_RETENTION_DAYS: expected a whole number of days from 30 to 36500 (got {value!r})"
    )


def test_retention_defaults_to_two_years_and_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().retention_days == 730
    monkeypatch.setenv("CLC_RETENTION_DAYS", "365")
    assert load_settings().retention_days == 365
