"""Two centres' villagers, their needs surveys and courses, for the needs summary's tests.

The figures the tests expect are counted by hand from this table (see each test's comments).
Every run finishes at T0 (2 March 2026) unless its day says otherwise.

At ``aksu``: aigul, dana, saule, bolat, erlan and marat completed the survey (dana twice: only
her latest counts; marat on 1 January only); imported1 and imported2 were imported and never
answered, halfway left it unfinished; an erased contact's answers count nowhere.
Courses: computer-1 open, 2 seats held by dana and imported1, aigul and bolat waiting;
sewing-1 a draft with 8 seats; computer-0 finished, erlan took it; welding-1 cancelled.
At ``kyzyl``: asel (on its computer-1, 5 seats), timur without a survey, and its facilitator.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage import surveys
from storage.db import Database
from storage.models import Centre, ChannelIdentity, Contact, FacilitatorRole
from storage.models.courses import Enrolment
from storage.models.surveys import SurveyAnswer, SurveyRun
from tests.flows.survey_forms import needs
from tests.storage.courses_helpers import T0, make_centre, make_course

JANUARY = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)
FACILITATOR_PHONE = "+77012223344"


def answers(gender: str, age: str, situation: list[str], settlement: str | None, interests: list[str],
            times: list[str], barriers: list[str], **more: Any) -> dict[str, Any]:
    given: dict[str, Any] = {"consent": "yes", "gender": gender, "age_group": age, "situation": situation,
                             "interests": interests, "times": times, "barriers": barriers, **more}
    if settlement is not None:
        given["settlement"] = settlement
    return given


AKSU: dict[str, dict[str, Any] | None] = {
    "aigul": answers("female", "age_18_29", ["unemployed"], "Ақсу", ["computer", "sewing"], ["evenings"],
                     ["childcare"]),
    "dana": answers("female", "age_30_44", ["employed"], "ақсу ", ["computer"], ["evenings", "weekends"],
                    ["working_hours"]),
    # No settlement answered: her imported one counts.
    "saule": answers("female", "age_60_plus", ["pensioner"], None, ["sewing", "other"], ["mornings"],
                     ["health"], interest_other="Кілем тоқу"),
    "bolat": answers("male", "age_45_59", ["unemployed", "farmer"], "Қарасу", ["computer", "farming"],
                     ["weekends"], ["distance", "cost"]),
    "erlan": answers("male", "age_18_29", ["employed"], "Ақсу", ["computer"], ["evenings"], ["nothing"]),
    "marat": answers("male", "age_45_59", ["farmer"], "Жаңа Жол", ["welding"], ["mornings"], ["cost"]),
    "imported1": None,
    "imported2": None,
    "halfway": None,
}
IMPORTED_SETTLEMENT = {"saule": "Қарасу", "imported1": "Ақсу"}
KYZYL: dict[str, dict[str, Any] | None] = {
    "asel": answers("female", "age_18_29", ["unemployed"], "Қызылжар", ["computer"], ["mornings"], ["cost"]),
    "timur": None,
}


@dataclass
class NeedsSeed:
    aksu: int
    kyzyl: int
    ids: dict[str, int]
    version: int = 0


async def _run(session: AsyncSession, contact_id: int, version_id: int, given: dict[str, Any],
               finished: dt.datetime | None, key: str) -> None:
    run = SurveyRun(run_key=key, contact_id=contact_id, version_id=version_id,
                    status="completed" if finished else "in_progress", channel="telegram",
                    started_at=finished or T0, updated_at=finished or T0, finished_at=finished)
    session.add(run)
    await session.flush()
    session.add_all(SurveyAnswer(run_id=run.id, question_id=question, value=value, answered_at=run.started_at)
                    for question, value in given.items())


async def _people(session: AsyncSession, centre: Centre, version_id: int,
                  people: dict[str, dict[str, Any] | None]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for name, given in people.items():
        contact = Contact(created_at=T0, language="kk", name=name, centre_id=centre.id,
                          settlement=IMPORTED_SETTLEMENT.get(name))
        session.add(contact)
        await session.flush()
        ids[name] = contact.id
        if given is not None:
            await _run(session, contact.id, version_id, given, JANUARY if name == "marat" else T0, f"run-{name}")
    return ids


async def add_villager(session: AsyncSession, centre_id: int, version_id: int, name: str,
                       given: dict[str, Any]) -> int:
    """One more person of a centre, with a needs survey completed at T0."""
    contact = Contact(created_at=T0, language="kk", name=name, centre_id=centre_id)
    session.add(contact)
    await session.flush()
    await _run(session, contact.id, version_id, given, T0, f"run-{name}")
    return contact.id


def _enrol(course_id: int, contact_id: int, status: str, seat: int | None = None) -> Enrolment:
    return Enrolment(course_id=course_id, contact_id=contact_id, status=status, seat_no=seat, joined_at=T0,
                     updated_at=T0, offer_deadline=T0 + dt.timedelta(days=2) if status == "offered" else None)


async def seed(database: Database) -> NeedsSeed:
    async with database.transaction() as session:
        aksu = await make_centre(session, "aksu")
        kyzyl = await make_centre(session, "kyzyl")
        version, _ = await surveys.publish(session, "needs", needs().model_dump(mode="json"), source="needs.yaml",
                                           now=JANUARY)
        ids = await _people(session, aksu, version.id, AKSU)
        ids |= await _people(session, kyzyl, version.id, KYZYL)
        # Dana first wanted welding; her later survey says computers.
        await _run(session, ids["dana"], version.id, {"interests": ["welding"], "gender": "female"},
                   T0 - dt.timedelta(days=30), "run-dana-before")
        await _run(session, ids["halfway"], version.id, {"interests": ["cooking"]}, None, "run-halfway")
        erased = Contact(created_at=T0, language="kk", centre_id=aksu.id, deleted_at=T0)
        session.add(erased)
        await session.flush()
        await _run(session, erased.id, version.id, AKSU["aigul"] or {}, T0, "run-erased")
        staff = Contact(created_at=T0, language="ru", centre_id=kyzyl.id, name="facilitator")
        session.add(staff)
        await session.flush()
        ids["facilitator"] = staff.id
        session.add_all([
            ChannelIdentity(contact_id=staff.id, channel="sms", address=f"tel:{FACILITATOR_PHONE}", created_at=T0),
            FacilitatorRole(contact_id=staff.id, centre_id=kyzyl.id, created_at=T0)])

        computer = await make_course(session, aksu, capacity=2)
        sewing = await make_course(session, aksu, capacity=8, code="sewing-1", status="draft")
        sewing.tags = ["sewing"]
        taken = await make_course(session, aksu, capacity=10, code="computer-0", status="finished")
        welding = await make_course(session, aksu, capacity=5, code="welding-1", status="cancelled")
        welding.tags = ["welding"]
        theirs = await make_course(session, kyzyl, capacity=5)
        session.add_all([
            _enrol(computer.id, ids["dana"], "enrolled", 1), _enrol(computer.id, ids["imported1"], "offered", 2),
            _enrol(computer.id, ids["aigul"], "waiting"), _enrol(computer.id, ids["bolat"], "waiting"),
            _enrol(computer.id, ids["saule"], "left"),
            _enrol(taken.id, ids["erlan"], "enrolled", 1),
            _enrol(welding.id, ids["marat"], "waiting"),
            _enrol(theirs.id, ids["asel"], "enrolled", 1),
        ])
        return NeedsSeed(aksu.id, kyzyl.id, ids, version.id)
