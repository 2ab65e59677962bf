"""A centre's March 2026 for the monitoring report, with every figure computed by hand below.

Centre ``aksu`` (Almaty, UTC+5), period 1-31 March. Course ``computer-1`` has 4 sessions
(9, 16, 23, 30 March), so it ends in the period; ``sewing-1`` has one in March and one in April.
``other`` is a second centre whose learner must never count at ``aksu``.

people  survey (latest completed)                 computer-1 present  sewing-1
aigul   female, unemployed, 18-29, disability no  4 of 4              April only
bolat   male, employed, 30-44 (disability skipped) 2                   -
gulnar  female, pensioner, 60+, disability yes    3                   20 March
dana    never answered                            3                   -
erlan   survey in progress (unknown)              0 (marked absent)   -
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import Contact, OutboxMessage
from storage.models.broadcasts import Broadcast, BroadcastRecipient
from storage.models.courses import Attendance, Course, CourseAudit, CourseSession, Enrolment
from storage.models.surveys import (
    Questionnaire,
    QuestionnaireVersion,
    SurveyAnswer,
    SurveyInvitation,
    SurveyRun,
)
from tests.storage.courses_helpers import T0, make_centre


def day(month: int, date: int, hour: int = 9) -> dt.datetime:
    """A UTC time in 2026 (14:00 in Almaty at the default hour)."""
    return dt.datetime(2026, month, date, hour, tzinfo=dt.UTC)


NEEDS: dict[str, dict[str, Any]] = {
    "aigul": {"gender": "female", "situation": ["unemployed"], "age_group": "age_18_29", "disability": "no"},
    "bolat": {"gender": "male", "situation": ["employed"], "age_group": "age_30_44"},
    "gulnar": {"gender": "female", "situation": ["pensioner"], "age_group": "age_60_plus", "disability": "yes"},
}
# The figures for aksu, 1-31 March, completed at 75% (3 of 4 sessions).
EXPECTED = {
    "trained": 4, "completed": 3,
    "trained.women": (2, 1), "trained.unemployed": (1, 1), "trained.pensioners": (1, 1),
    "trained.disability": (1, 2), "trained.young": (1, 1),
    "completed.women": (2, 1), "completed.unemployed": (1, 1), "completed.pensioners": (1, 1),
    "completed.disability": (1, 1), "completed.young": (1, 1),
    "invited": 3, "responded": 2, "response_rate": 66.7,
    "useful.very": 1, "useful.somewhat": 1, "useful.not_useful": 0, "teaching.excellent": 1,
    "teaching.good": 1, "recommend.yes": 2, "recommend.no": 0,
    "waiting_now": 2, "median_wait_days": 8.5, "offers_made": 4, "offers_accepted": 2,
    "offers_declined": 1, "offers_expired": 1,
    "started.telegram": 2, "started.sms": 2, "completed.telegram": 2, "completed.sms": 1,
    "broadcasts": 1, "messages_sent": 2, "messages_delivered": 1,
}


@dataclass
class Seeded:
    aksu: int
    other: int
    people: dict[str, int]


class _Seeder:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.versions: dict[str, int] = {}

    async def version(self, slug: str) -> int:
        if slug not in self.versions:
            questionnaire = Questionnaire(slug=slug, active=slug == "needs", created_at=T0)
            self.session.add(questionnaire)
            await self.session.flush()
            version = QuestionnaireVersion(questionnaire_id=questionnaire.id, version=1, definition={},
                                           content_hash=slug, source="t", created_at=T0)
            self.session.add(version)
            await self.session.flush()
            self.versions[slug] = version.id
        return self.versions[slug]

    async def person(self, centre_id: int, name: str) -> int:
        contact = Contact(created_at=T0, language="kk", centre_id=centre_id, name=name)
        self.session.add(contact)
        await self.session.flush()
        return contact.id

    async def run(self, contact_id: int, slug: str, channel: str, started: dt.datetime,
                  answers: dict[str, Any] | None, *, key: str) -> str:
        done = answers is not None
        run = SurveyRun(run_key=key, contact_id=contact_id, version_id=await self.version(slug),
                        status="completed" if done else "in_progress", channel=channel, started_at=started,
                        updated_at=started, finished_at=started + dt.timedelta(minutes=5) if done else None)
        self.session.add(run)
        await self.session.flush()
        self.session.add_all(SurveyAnswer(run_id=run.id, question_id=q, value=v, answered_at=started)
                             for q, v in (answers or {}).items())
        return key

    async def course(self, centre_id: int, code: str, starts: list[dt.datetime],
                     status: str = "running") -> tuple[int, list[int]]:
        course = Course(centre_id=centre_id, code=code, title_kk=f"{code} kk", title_ru=f"{code} ru",
                        description_kk="", description_ru="", tags=["computer"], capacity=10, status=status,
                        offer_hours=48, policy="fcfs", created_at=T0, updated_at=T0)
        self.session.add(course)
        await self.session.flush()
        sessions = [CourseSession(course_id=course.id, starts_at=s, minutes=90, place_kk="x", place_ru="x")
                    for s in starts]
        self.session.add_all(sessions)
        await self.session.flush()
        return course.id, [s.id for s in sessions]

    async def learner(self, course_id: int, contact_id: int, seat: int, sessions: list[int],
                      present: list[bool]) -> None:
        enrolment = Enrolment(course_id=course_id, contact_id=contact_id, status="enrolled", seat_no=seat,
                              joined_at=T0, updated_at=T0)
        self.session.add(enrolment)
        await self.session.flush()
        self.session.add_all(Attendance(session_id=s, enrolment_id=enrolment.id, present=p, marked_by="t",
                                        marked_at=T0) for s, p in zip(sessions, present, strict=False))

    def event(self, course_id: int, contact_id: int, action: str, at: dt.datetime) -> None:
        self.session.add(CourseAudit(course_id=course_id, contact_id=contact_id, actor="t", action=action, at=at))


async def seed(database: Database) -> Seeded:
    async with database.transaction() as session:
        s = _Seeder(session)
        aksu, other = (await make_centre(session, "aksu")).id, (await make_centre(session, "other")).id
        p = {name: await s.person(aksu, name) for name in ("aigul", "bolat", "gulnar", "dana", "erlan",
                                                            "farida", "galym", "hasen")}
        stranger = await s.person(other, "stranger")
        computer, lessons = await s.course(aksu, "computer-1", [day(3, d) for d in (9, 16, 23, 30)])
        sewing, stitches = await s.course(aksu, "sewing-1", [day(3, 20), day(4, 10)])
        abroad, far = await s.course(other, "english-1", [day(3, 10)])
        await s.learner(computer, p["aigul"], 1, lessons, [True] * 4)
        await s.learner(computer, p["bolat"], 2, lessons, [True, True, False, False])
        await s.learner(computer, p["gulnar"], 3, lessons, [True, False, True, True])
        await s.learner(computer, p["dana"], 4, lessons, [False, True, True, True])
        await s.learner(computer, p["erlan"], 5, lessons, [False, False])
        await s.learner(sewing, p["gulnar"], 1, stitches, [True])
        await s.learner(sewing, p["aigul"], 2, stitches[1:], [True])  # April: after the period
        await s.learner(abroad, stranger, 1, far, [True])
        # A course cancelled after its first session, and an old one that left its waiting list
        # behind: neither counts (not held, nobody waits for it).
        cancelled, void = await s.course(aksu, "cancelled-1", [day(3, 12)], status="cancelled")
        await s.learner(cancelled, p["hasen"], 1, void, [True])
        finished, _ = await s.course(aksu, "old-1", [day(1, 12)], status="finished")
        session.add(Enrolment(course_id=finished, contact_id=p["farida"], status="waiting", joined_at=T0,
                              updated_at=T0))
        for name, waiting in (("farida", sewing), ("galym", sewing)):
            session.add(Enrolment(course_id=waiting, contact_id=p[name], status="waiting", joined_at=T0,
                                  updated_at=T0))
        elsewhere = await s.person(other, "elsewhere")  # waiting at the other centre: not aksu's
        session.add(Enrolment(course_id=abroad, contact_id=elsewhere, status="waiting", joined_at=T0,
                              updated_at=T0))
        # Waiting lists: accepted after 3 and 14 days (median 8.5), one declined, one expired,
        # an offer in April not counted.
        for who, joined, offered, outcome, at in (
            ("erlan", day(3, 1, 10), day(3, 3, 10), "accept", day(3, 4, 10)),
            ("farida", day(2, 20), day(3, 5), "declined", day(3, 5, 12)),
            ("galym", day(3, 2), day(3, 6), "expired", day(3, 8)),
            ("hasen", day(2, 25, 10), day(3, 10, 10), "accept", day(3, 11, 10)),
            ("bolat", day(3, 20), day(4, 2), "accept", day(4, 3)),
        ):
            s.event(computer, p[who], "join_waiting", joined)
            s.event(computer, p[who], "offer", offered)
            s.event(computer, p[who], outcome, at)
        # Needs surveys: started in March by telegram 2 (both completed), sms 2 (one completed).
        await s.run(p["aigul"], "needs", "telegram", day(3, 1), NEEDS["aigul"], key="n1")
        await s.run(p["bolat"], "needs", "sms", day(3, 2), NEEDS["bolat"], key="n2")
        await s.run(p["gulnar"], "needs", "telegram", day(3, 3), NEEDS["gulnar"], key="n3")
        await s.run(p["erlan"], "needs", "sms", day(3, 4), None, key="n4")
        await s.run(p["farida"], "needs", "telegram", day(2, 10), {"gender": "female"}, key="n5")
        await s.run(stranger, "needs", "sms", day(3, 5), {"gender": "male"}, key="n6")
        # Feedback: three invited on 30 March, two answered; one invited in April does not count.
        answers = {"aigul": {"useful": "very", "teaching": "excellent", "recommend": "yes"},
                   "gulnar": {"useful": "somewhat", "teaching": "good", "recommend": "yes"}}
        for who, sent in (("aigul", day(3, 30, 12)), ("gulnar", day(3, 30, 12)), ("dana", day(3, 30, 12)),
                          ("bolat", day(4, 2))):
            key = None
            if who in answers or who == "bolat":
                key = await s.run(p[who], "course_feedback", "telegram", sent,
                                  answers.get(who, {"useful": "very"}), key=f"f-{who}")
            session.add(SurveyInvitation(contact_id=p[who], slug="course_feedback", subject=f"course:{computer}",
                                         about_kk="x", about_ru="x", status="sent", run_key=key,
                                         created_at=sent, updated_at=sent))
        # Announcements: one queued in March (2 sent, 1 of them confirmed delivered, 1 failed,
        # 1 skipped before queueing); one in April and one at the other centre do not count.
        for centre_id, queued, states in ((aksu, day(3, 15), [("sent", "delivered"), ("sent", None),
                                                               ("failed", None), None]),
                                          (aksu, day(4, 1), [("sent", "delivered")]),
                                          (other, day(3, 15), [("sent", "delivered")])):
            broadcast = Broadcast(centre_id=centre_id, created_by="t", created_at=queued, text_kk="a", text_ru="a",
                                  audience={}, status="sent", queued_at=queued)
            session.add(broadcast)
            await session.flush()
            for state in states:
                outbox_id = None
                if state is not None:
                    row = OutboxMessage(contact_id=p["aigul"], kind="broadcast", payload={}, due_at=queued,
                                        status=state[0], delivery_status=state[1], created_at=queued)
                    session.add(row)
                    await session.flush()
                    outbox_id = row.id
                session.add(BroadcastRecipient(broadcast_id=broadcast.id, contact_id=p["aigul"],
                                               outbox_id=outbox_id, skipped_reason=None if state else "opted out"))
        return Seeded(aksu, other, p)
