"""Reminders derived from the rows, queued once, re-checked when sent (SQLite and PostgreSQL).

The clock is injected: "the service was down" is the job not being run for a while, "a
restart" is the job run again from a new context. Deliveries go through the real outbox
sender to a recording channel (``tests.bot.outbox_helpers``).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import FakeClock
from bot.features.courses import remove_from_course
from bot.features.reminders import reminders_job
from bot.i18n import Catalogs
from bot.scheduler import JobContext
from storage import centres
from storage import reminders as repo
from storage.db import Database
from storage.models import Centre, ChannelIdentity, Contact, OutboxMessage
from storage.models.courses import Course, CourseSession, Enrolment
from storage.models.surveys import Questionnaire, QuestionnaireVersion, SurveyRun
from tests.bot.outbox_helpers import deliver
from tests.storage.courses_helpers import T0, make_centre, make_course

ALMATY = ZoneInfo("Asia/Almaty")
TITLE = "«Компьютер сауаттылығы»"
# make_course's first session: 9 March, 14:00 in Almaty (09:00 UTC).
EVE_TEXT = f"Еске саламыз: {TITLE} курсының сабағы — 9 наурыз, 14:00, орны: Мектеп, 12-кабинет. Сізді күтеміз!"
SOON_TEXT = f"{TITLE} курсының сабағы жақында басталады: 9 наурыз, 14:00"


def local(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=ALMATY).astimezone(dt.UTC)


async def tick(database: Database, catalogs: Catalogs, clock: FakeClock) -> int:
    """One run of the job, as a freshly started service would run it."""
    return await reminders_job(JobContext(database, catalogs, clock))


async def person(session: AsyncSession, centre: Centre, language: str = "kk") -> int:
    contact = Contact(created_at=T0, language=language, centre_id=centre.id)
    session.add(contact)
    await session.flush()
    session.add(ChannelIdentity(contact_id=contact.id, channel="simulator", address=f"sim:{contact.id}",
                                created_at=T0))
    return contact.id


async def course_with(database: Database, statuses: list[str], offer_hours: int = 48) -> tuple[int, list[int]]:
    """A course with one person per status (enrolled, offered, waiting); their contact ids."""
    async with database.transaction() as session:
        centre = await make_centre(session)
        course = await make_course(session, centre, capacity=len(statuses) + 1, offer_hours=offer_hours)
        ids = []
        for n, status in enumerate(statuses, start=1):
            contact_id = await person(session, centre)
            offered = status == "offered"
            session.add(Enrolment(
                course_id=course.id, contact_id=contact_id, status=status,
                seat_no=n if status in ("enrolled", "offered") else None, joined_at=T0, updated_at=T0,
                offered_at=T0 if offered else None,
                offer_deadline=T0 + dt.timedelta(hours=offer_hours) if offered else None,
            ))
            ids.append(contact_id)
        return course.id, ids


async def texts(database: Database, catalogs: Catalogs, clock: FakeClock) -> list[str]:
    return [text for _, text in await deliver(database, catalogs, clock)]


async def test_both_session_reminders_at_local_times_once_each(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    await course_with(database, ["enrolled", "enrolled", "offered", "waiting"])
    clock.now = local(8, 17, 59)
    assert await tick(database, catalogs, clock) == 0
    clock.now = local(8, 18)
    assert await tick(database, catalogs, clock) == 2  # the two holding a seat, not the offer or the list
    assert await tick(database, catalogs, clock) == 0  # run again (a restart, a second process): nothing twice
    sent = await texts(database, catalogs, clock)
    assert sent == [EVE_TEXT, EVE_TEXT]
    clock.now = local(9, 11, 59)
    assert await tick(database, catalogs, clock) == 0
    clock.now = local(9, 12)
    assert await tick(database, catalogs, clock) == 2
    assert await tick(database, catalogs, clock) == 0
    assert all(text.startswith(SOON_TEXT) for text in await texts(database, catalogs, clock))
    clock.now = local(9, 14)
    assert await tick(database, catalogs, clock) == 0
    assert await texts(database, catalogs, clock) == []


async def test_after_a_restart_a_missed_reminder_goes_late_only_while_useful(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    await course_with(database, ["enrolled"])
    clock.now = local(9, 10)  # down from before 18:00 yesterday: the evening reminder goes now
    assert await tick(database, catalogs, clock) == 1
    assert await texts(database, catalogs, clock) == [EVE_TEXT]
    clock.now = local(9, 12, 30)
    assert await tick(database, catalogs, clock) == 1
    assert (await texts(database, catalogs, clock))[0].startswith(SOON_TEXT)

    await course_with_second_centre(database)  # someone whose service was down until 13:00
    clock.now = local(9, 13)  # the 2-hours reminder already fell due: only it goes
    assert await tick(database, catalogs, clock) == 1
    assert (await texts(database, catalogs, clock))[0].startswith(SOON_TEXT)
    clock.now = local(9, 14, 5)  # the session has started: nothing
    assert await tick(database, catalogs, clock) == 0


async def course_with_second_centre(database: Database) -> None:
    async with database.transaction() as session:
        centre = await make_centre(session, slug="aul-2")
        course = await make_course(session, centre, code="computer-2")
        contact_id = await person(session, centre)
        session.add(Enrolment(course_id=course.id, contact_id=contact_id, status="enrolled", seat_no=1,
                              joined_at=T0, updated_at=T0))


async def test_a_queued_reminder_the_next_one_overtook_is_not_sent(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    await course_with(database, ["enrolled"])
    clock.now = local(8, 18)
    assert await tick(database, catalogs, clock) == 1
    clock.now = local(9, 12, 30)  # the outbox did not send it in time (channel down, quiet hours)
    assert await tick(database, catalogs, clock) == 1
    sent = await texts(database, catalogs, clock)
    assert len(sent) == 1 and sent[0].startswith(SOON_TEXT)


async def test_a_moved_session_is_reminded_at_its_new_time_only(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    course_id, _ = await course_with(database, ["enrolled", "enrolled"])
    clock.now = local(8, 18)
    assert await tick(database, catalogs, clock) == 2
    async with database.transaction() as session:
        lesson = await session.scalar(select(CourseSession).where(CourseSession.course_id == course_id)
                                      .order_by(CourseSession.starts_at))
        assert lesson is not None
        lesson.starts_at = local(10, 16)
    assert await texts(database, catalogs, clock) == []  # queued for the old time: dropped
    async with database.transaction() as session:
        statuses = (await session.scalars(select(OutboxMessage.status)
                                          .where(OutboxMessage.kind == "session_eve"))).all()
    assert list(statuses) == ["skipped", "skipped"]
    assert await tick(database, catalogs, clock) == 0  # the new time's evening is tomorrow
    clock.now = local(9, 18)
    assert await tick(database, catalogs, clock) == 2
    sent = await texts(database, catalogs, clock)
    assert sent == [EVE_TEXT.replace("9 наурыз, 14:00", "10 наурыз, 16:00")] * 2


async def test_a_cancelled_course_or_a_freed_seat_is_not_reminded(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    course_id, (stays, leaves) = await course_with(database, ["enrolled", "enrolled"])
    clock.now = local(8, 18)
    assert await tick(database, catalogs, clock) == 2
    async with database.transaction() as session:
        row = await session.scalar(select(Enrolment).where(Enrolment.contact_id == leaves))
        assert row is not None
        row.status, row.seat_no = "left", None
    assert [address for address, _ in await deliver(database, catalogs, clock)] == [f"sim:{stays}"]
    clock.now = local(9, 12)
    assert await tick(database, catalogs, clock) == 1
    async with database.transaction() as session:
        course = await session.get(Course, course_id)
        assert course is not None
        course.status = "cancelled"
    assert await texts(database, catalogs, clock) == []


async def test_one_offer_reminder_halfway_while_the_offer_is_open(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    _, (first, second) = await course_with(database, ["offered", "offered"])
    clock.now = T0 + dt.timedelta(hours=24) - dt.timedelta(minutes=1)
    assert await tick(database, catalogs, clock) == 0
    clock.now = T0 + dt.timedelta(hours=24)  # 3 March, 14:00: halfway to the deadline
    assert await tick(database, catalogs, clock) == 2
    assert await tick(database, catalogs, clock) == 0
    async with database.transaction() as session:
        row = await session.scalar(select(Enrolment).where(Enrolment.contact_id == second))
        assert row is not None
        row.status, row.offer_deadline = "enrolled", None  # accepted meanwhile: no reminder
    sent = await deliver(database, catalogs, clock)
    assert [address for address, _ in sent] == [f"sim:{first}"]
    assert sent[0][1].startswith(
        f"Еске саламыз: {TITLE} курсындағы орын әлі де сізге сақталып тұр. Жауап беру мерзімі — 4 наурыз, 14:00. "
        "Орынды қабылдайсыз ба?")
    assert "1. Орынды қабылдау" in sent[0][1]
    clock.advance(hours=12)
    assert await tick(database, catalogs, clock) == 0  # one reminder per offer


async def test_an_offer_made_in_the_evening_gets_daytime_and_says_so(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    course_id, (leaving, waiting) = await course_with(database, ["enrolled", "waiting"], offer_hours=1)
    async with database.transaction() as session:
        course = await session.get(Course, course_id)
        assert course is not None
        course.capacity = 1
    clock.now = local(5, 20, 30)
    async with database.transaction() as session:
        row = await session.scalar(select(Enrolment).where(Enrolment.contact_id == leaving))
        assert row is not None
        await remove_from_course(session, row.id, clock(), actor="test", reason="moved away")
    async with database.transaction() as session:
        offered = await session.scalar(select(Enrolment).where(Enrolment.contact_id == waiting))
        assert offered is not None and offered.status == "offered"
        assert offered.offer_deadline == local(6, 12)  # 21:30 is night: 09:00 + 3 hours of daytime
    sent = dict(await deliver(database, catalogs, clock))
    assert "Жауап беру мерзімі — 6 наурыз, 12:00." in sent[f"sim:{waiting}"]
    assert "Жауап беру мерзімі түнде бітпейді" in sent[f"sim:{waiting}"]
    clock.now = local(6, 8, 59)  # halfway (04:15) is quiet: the reminder waits for 09:00
    assert await tick(database, catalogs, clock) == 0
    clock.now = local(6, 9)
    assert await tick(database, catalogs, clock) == 1


async def needs_run(database: Database, last_answer: dt.datetime, *, active: bool = True) -> tuple[int, int]:
    async with database.transaction() as session:
        centre = await session.scalar(select(Centre)) or await make_centre(session)
        contact_id = await person(session, centre)
        form = Questionnaire(slug=f"needs-{contact_id}", active=active, created_at=T0)
        session.add(form)
        await session.flush()
        version = QuestionnaireVersion(questionnaire_id=form.id, version=1, definition={}, content_hash="x",
                                       source="test", created_at=T0)
        session.add(version)
        await session.flush()
        run = SurveyRun(run_key=f"run-{contact_id}", contact_id=contact_id, version_id=version.id,
                        status="in_progress", channel="simulator", started_at=T0, updated_at=last_answer)
        session.add(run)
        await session.flush()
        return run.id, contact_id


NUDGE = ("Сіз оқу қажеттіліктері сауалнамасын бастап, аяқтамай қалдыңыз. Жауаптарыңыз сақтаулы: тоқтаған "
         "жерден жалғастыру үшін «сауалнама» деп жазыңыз.")


async def test_an_unfinished_survey_is_nudged_once_a_day_later(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    run_id, _ = await needs_run(database, local(2, 14))
    await needs_run(database, local(2, 14), active=False)  # an invited questionnaire: not the needs survey
    clock.now = local(3, 13, 59)
    assert await tick(database, catalogs, clock) == 0
    clock.now = local(3, 14)
    assert await tick(database, catalogs, clock) == 1
    assert await texts(database, catalogs, clock) == [NUDGE]
    async with database.transaction() as session:
        run = await session.get(SurveyRun, run_id)
        assert run is not None
        run.updated_at = local(3, 15)  # they answered one more question, then stopped again
    clock.now = local(5, 15)
    assert await tick(database, catalogs, clock) == 0  # never more than one per run


async def test_quiet_hours_hold_a_reminder_until_09_00(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    await needs_run(database, local(2, 22, 30))
    clock.now = local(3, 22, 30)
    assert await tick(database, catalogs, clock) == 0
    clock.now = local(4, 8, 59)
    assert await tick(database, catalogs, clock) == 0
    clock.now = local(4, 9)
    assert await tick(database, catalogs, clock) == 1
    assert await texts(database, catalogs, clock) == [NUDGE]


async def test_a_centre_without_quiet_hours_is_nudged_at_night(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    await needs_run(database, local(2, 22, 30))
    async with database.transaction() as session:
        centre = await centres.edit_centre(session, "demo", {centres.QUIET_HOURS: "none"})
        assert (centre.quiet_from, centre.quiet_until) == ("00:00", "00:00")
    clock.now = local(3, 22, 30)
    assert await tick(database, catalogs, clock) == 1


async def test_a_reminder_key_is_taken_once(database: Database) -> None:
    _, (contact_id,) = await course_with(database, ["enrolled"])
    for expected in (True, False):
        async with database.transaction() as session:
            key = await repo.take_key(session, kind="session_eve", subject_id=1, contact_id=contact_id,
                                      slot="1@x", due_at=T0, now=T0)
            assert (key is not None) is expected
