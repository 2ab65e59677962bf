"""The needs summary's data read from the database (SQLite and PostgreSQL), against figures
counted by hand from ``needs_seed``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, insert, literal, select

from flows.reports.needs import NeedsSummary, form_choices, summarise
from storage.audiences import needs_profiles
from storage.db import Database
from storage.models import Contact
from storage.reports.needs import NeedsData, load_needs
from tests.storage.courses_helpers import T0
from tests.storage.reports.needs_seed import NeedsSeed, seed


async def loaded(database: Database, centres: set[int] | None, since: dt.datetime | None = None) -> NeedsData:
    async with database.transaction() as session:
        return await load_needs(session, centres, since)


def summary_of(data: NeedsData) -> NeedsSummary:
    return summarise(data.people, data.courses, *form_choices(data.form))


def figures(summary: NeedsSummary) -> dict[str, tuple[int, int, int, int, int, int, int, str]]:
    return {r.interest: (r.rank, r.asked, r.seats, r.free, r.waiting, r.served, r.unmet, r.advice)
            for r in summary.interests if r.asked or r.seats}


async def test_one_centre_latest_answers_against_its_courses(database: Database) -> None:
    s: NeedsSeed = await seed(database)
    data = await loaded(database, {s.aksu})
    assert data.centres == ("aksu",)
    answered = {p.contact_id for p in data.people if p.answers is not None}
    assert answered == {s.ids[n] for n in ("aigul", "dana", "saule", "bolat", "erlan", "marat")}
    # Dana's latest survey only; halfway's unfinished run is none; the erased contact is nobody.
    dana = next(p for p in data.people if p.contact_id == s.ids["dana"])
    assert dana.answers is not None and dana.answers["interests"] == ["computer"]
    assert {c.code for c in data.courses} == {"computer-1", "sewing-1", "computer-0"}
    summary = summary_of(data)
    assert (summary.people, summary.answered, summary.not_answered) == (9, 6, 3)
    # computer: aigul, dana, bolat, erlan asked; dana (and imported1) hold computer-1's 2 seats,
    # erlan took computer-0; aigul and bolat wait: 2 wanting, none free, a group is 2 seats.
    assert figures(summary) == {
        "computer": (1, 4, 2, 0, 2, 2, 2, "open_group"),
        "sewing": (2, 2, 8, 8, 0, 0, 2, "invite"),
        "farming": (3, 1, 0, 0, 0, 0, 1, "gather"),
        "welding": (4, 1, 0, 0, 0, 0, 1, "gather"),  # marat; the cancelled course has no seats
        "other": (5, 1, 0, 0, 0, 0, 1, "gather"),
    }
    computer = summary.interests[0].breakdowns
    assert [c.id for c in summary.columns["settlement"]] == ["ақсу", "қарасу", "жаңа жол", "unknown"]
    assert computer["settlement"] == {"ақсу": 3, "қарасу": 1, "жаңа жол": 0, "unknown": 0}
    assert computer["gender"] == {"female": 2, "male": 2, "unknown": 0}
    assert {k: v for k, v in computer["situation"].items() if v} == {"unemployed": 2, "employed": 2, "farmer": 1}
    assert summary.interests[4].other_texts == ("Кілем тоқу",)
    sewing = summary.interests[1].breakdowns
    assert sewing["settlement"] == {"ақсу": 1, "қарасу": 1, "жаңа жол": 0, "unknown": 0}  # saule: imported


async def test_since_leaves_older_surveys_out(database: Database) -> None:
    s = await seed(database)
    summary = summary_of(await loaded(database, {s.aksu}, dt.datetime(2026, 2, 20, tzinfo=dt.UTC)))
    # marat answered in January; dana's older run is before the date too, her latest is not.
    assert (summary.people, summary.answered, summary.not_answered) == (9, 5, 4)
    assert "welding" not in figures(summary)
    assert figures(summary)["computer"][1] == 4


async def test_every_centre_and_another_centre(database: Database) -> None:
    s = await seed(database)
    every = summary_of(await loaded(database, None))
    assert (every.people, every.answered) == (11, 7)  # kyzyl's facilitator is no villager
    # computer: asel too; seats 2 + 5, 4 free at kyzyl. Aigul and bolat still want one at aksu,
    # and kyzyl's free seats do not help them: aksu needs another group.
    assert figures(every)["computer"] == (1, 5, 7, 4, 2, 3, 2, "open_group")
    computer = every.interests[0]
    assert computer.courses == ("aksu/computer-1", "kyzyl/computer-1")
    assert [(n.centre, n.free, n.unmet, n.advice) for n in computer.by_centre] == [
        ("aksu", 0, 2, "open_group"), ("kyzyl", 4, 0, "enough")]
    assert computer.advice_at == ("aksu",)
    kyzyl = summary_of(await loaded(database, {s.kyzyl}))
    assert (kyzyl.people, kyzyl.answered) == (2, 1)
    assert figures(kyzyl) == {"computer": (1, 1, 5, 4, 0, 1, 0, "enough")}
    assert s.ids["facilitator"] not in {p.contact_id for p in (await loaded(database, {s.kyzyl})).people}


async def test_more_contacts_than_a_statement_takes_parameters(database: Database) -> None:
    # asyncpg refuses a statement with more than 32,767 bind parameters, SQLite 32,766.
    s = await seed(database)
    many = 33_000
    async with database.transaction() as session:
        first = (await session.execute(select(func.max(Contact.id)))).scalar_one() + 1
        # Made by the database itself (a recursive count), in a fraction of a second.
        count = select(literal(0).label("n")).cte("count", recursive=True)
        count = count.union_all(select(count.c.n + 1).where(count.c.n < many - 1))
        columns = Contact.__table__.c
        await session.execute(insert(Contact).from_select(
            ["id", "created_at", "language", "centre_id"],
            select(count.c.n + first, literal(T0, columns.created_at.type), literal("kk"), literal(s.aksu))))
    summary = summary_of(await loaded(database, {s.aksu}))
    assert (summary.people, summary.answered) == (9 + many, 6)
    async with database.transaction() as session:
        ids = [s.ids["aigul"], *range(first, first + many), s.ids["dana"]]
        profiles = await needs_profiles(session, ids)
        since = await needs_profiles(session, ids, dt.datetime(2026, 2, 20, tzinfo=dt.UTC))
    assert set(profiles) == {s.ids["aigul"], s.ids["dana"]} == set(since)
    assert profiles[s.ids["dana"]]["interests"] == ["computer"]
