"""Audiences against sets written by hand from ``tests.storage.broadcast_seed`` (SQLite and
PostgreSQL): "do not contact me", no consent, opted out and unreachable are excluded and
counted; filters combine; another centre's people are never named."""

from __future__ import annotations

import pytest

from flows.audience import Audience
from flows.errors import DataError
from storage.audiences import Selection, select_audience
from storage.db import Database
from tests.storage.broadcast_seed import Seeded, seed


async def chosen(database: Database, seeded: Seeded, audience: Audience) -> Selection:
    async with database.transaction() as session:
        return await select_audience(session, seeded.centre_id, audience)


def recipients(selection: Selection) -> set[int]:
    return {r.contact_id for r in selection.recipients}


def skipped(selection: Selection) -> dict[str, set[int]]:
    return {reason: set(ids) for reason, ids in selection.skipped.items()}


async def test_everyone_at_the_centre_minus_who_must_not_be_reached(database: Database) -> None:
    s = await seed(database)
    found = await chosen(database, s, Audience())
    assert recipients(found) == s.of("aigul", "olga", "agreed", "learner")
    assert skipped(found) == {
        "do not contact me": s.of("quiet"), "no consent": s.of("imported", "refused"),
        "opted out": s.of("stopped"), "unreachable": s.of("blocked"),
    }
    assert s.stranger not in recipients(found) | set().union(*skipped(found).values())
    by_id = {r.contact_id: r for r in found.recipients}
    assert by_id[s.ids["aigul"]].channels == ("telegram",) and by_id[s.ids["olga"]].language == "ru"


async def test_language_and_channel_narrow_it(database: Database) -> None:
    s = await seed(database)
    russian = await chosen(database, s, Audience(language="ru"))
    assert recipients(russian) == s.of("olga")
    assert skipped(russian) == {"opted out": s.of("stopped"), "unreachable": s.of("blocked")}
    by_sms = await chosen(database, s, Audience(channel="sms"))
    assert recipients(by_sms) == s.of("olga", "agreed", "learner")
    assert skipped(by_sms) == {"do not contact me": s.of("quiet"), "no consent": s.of("imported"),
                               "opted out": s.of("stopped")}


async def test_needs_survey_condition_women_under_30_who_want_sewing(database: Database) -> None:
    s = await seed(database)
    found = await chosen(database, s, Audience(survey="gender = 'female' and age < 30 and interests contains 'sewing'"))
    assert recipients(found) == s.of("olga")
    assert skipped(found) == {"do not contact me": s.of("quiet")}
    computers = await chosen(database, s, Audience(survey="selected(${interests}, 'computer')"))
    assert recipients(computers) == s.of("aigul", "learner")
    assert skipped(computers) == {"do not contact me": s.of("quiet"), "no consent": s.of("refused"),
                                  "opted out": s.of("stopped")}


@pytest.mark.parametrize(("condition", "where"), [
    ("age < < 30", "position 7"), ("interests contains 'x' )", "position 24"), ("age = 3 #", "position 9"),
])
def test_a_condition_that_does_not_parse_says_where(condition: str, where: str) -> None:
    with pytest.raises(DataError, match=where):
        Audience(survey=condition)


async def test_for_course_is_who_asked_for_its_tags_and_is_not_on_it(database: Database) -> None:
    s = await seed(database)
    found = await chosen(database, s, Audience(for_course_id=s.course_id))  # tags: computer
    assert recipients(found) == s.of("aigul")  # the learner is on it already
    assert skipped(found) == {"do not contact me": s.of("quiet"), "no consent": s.of("refused"),
                              "opted out": s.of("stopped")}


async def test_a_course_group_is_its_people(database: Database) -> None:
    s = await seed(database)
    seated = await chosen(database, s, Audience(course_id=s.course_id, course_group="seated"))
    assert recipients(seated) == s.of("learner") and not seated.skipped
    waiting = await chosen(database, s, Audience(course_id=s.course_id, course_group="waiting"))
    assert not waiting.recipients and not waiting.skipped


def test_audience_round_trips_as_json_and_refuses_half_a_course_group() -> None:
    audience = Audience(language="kk", survey="age > 18", course_id=3, course_group="attended")
    assert Audience.from_json(audience.to_json()) == audience
    with pytest.raises(DataError, match="course group"):
        Audience(course_id=3)
