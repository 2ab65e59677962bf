"""``clc-admin course``: add, open, list, learners, remove with a reason, attendance; all audited."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from admin_cli import app
from bot.clock import FakeClock, system_clock
from storage.db import Database
from storage.models import OutboxMessage
from storage.models.courses import Attendance, CourseAudit, Enrolment
from storage.models.surveys import SurveyInvitation


@pytest.fixture
def cli(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    from bot.admin import course

    monkeypatch.setenv("CLC_DATABASE_URL", sqlite_url)
    monkeypatch.setattr(course.console, "width", 200)  # a wide terminal
    # The CLI's clock starts now (the demo's sessions are next week on): tests move it by hand.
    monkeypatch.setattr(course, "clock", FakeClock(system_clock()))
    runner = CliRunner()
    assert runner.invoke(app, ["demo"]).exit_code == 0
    return runner


def later(**delta: float) -> None:
    """Move the CLI's clock on (the demo's first session is within a week, the 4th within 4)."""
    from bot.admin import course

    assert isinstance(course.clock, FakeClock)
    course.clock.advance(**delta)


def rows(url: str, query: object) -> list[object]:
    async def fetch() -> list[object]:
        db = Database.from_url(url)
        try:
            async with db.transaction() as session:
                return list((await session.scalars(query)).all())  # type: ignore[call-overload]
        finally:
            await db.dispose()

    return asyncio.run(fetch())


def test_add_open_and_list(cli: CliRunner) -> None:
    added = cli.invoke(app, ["course", "add", "embroidery", "--title-kk", "Кесте тігу", "--title-ru", "Вышивка",
                             "--capacity", "3", "--tag", "crafts", "--session", "2026-12-05 15:00;120;Клуб;Клуб"])
    assert added.exit_code == 0, added.output
    assert cli.invoke(app, ["course", "open", "embroidery"]).exit_code == 0
    listing = cli.invoke(app, ["course", "list"])
    assert "embroidery" in listing.output and "open" in listing.output and "computer-1" in listing.output


def test_remove_needs_a_reason_frees_the_seat_and_is_audited(cli: CliRunner, sqlite_url: str) -> None:
    learners = cli.invoke(app, ["course", "learners", "computer-1"])
    assert "Demo computer-1 1" in learners.output
    first = rows(sqlite_url, select(Enrolment.contact_id).order_by(Enrolment.id))[0]
    assert cli.invoke(app, ["course", "remove", "computer-1", "--contact", str(first)]).exit_code != 0
    removed = cli.invoke(app, ["course", "remove", "computer-1", "--contact", str(first),
                               "--reason", "екі рет келмеді"])
    assert removed.exit_code == 0, removed.output
    audit = rows(sqlite_url, select(CourseAudit).where(CourseAudit.action == "removed"))
    assert [(a.reason, a.actor.startswith("cli:")) for a in audit] == [("екі рет келмеді", True)]  # type: ignore[attr-defined]
    told = rows(sqlite_url, select(OutboxMessage.contact_id).where(OutboxMessage.kind == "removed"))
    assert told == [first]  # the learner hears they were taken off; the reason stays in the log


def test_attendance_is_marked_per_session(cli: CliRunner, sqlite_url: str) -> None:
    people = rows(sqlite_url, select(Enrolment.contact_id).order_by(Enrolment.id))[:2]
    later(days=8)  # the first session is over
    marked = cli.invoke(app, ["course", "attend", "computer-1", "--session", "1",
                              *[arg for p in people for arg in ("--contact", str(p))]])
    assert marked.exit_code == 0, marked.output
    assert len(rows(sqlite_url, select(Attendance).where(Attendance.present.is_(True)))) == 2
    too_far = cli.invoke(app, ["course", "attend", "computer-1", "--session", "9", "--contact", str(people[0])])
    assert too_far.exit_code == 1 and "has 4 sessions" in too_far.output


def test_a_malformed_session_is_a_clear_error(cli: CliRunner) -> None:
    bad = cli.invoke(app, ["course", "add", "x", "--title-kk", "a", "--title-ru", "b", "--capacity", "2",
                           "--session", "next monday"])
    assert bad.exit_code == 2 and "expected 'YYYY-MM-DD HH:MM;minutes;place kk;place ru'" in bad.output


def waiting_people(url: str, code: str, count: int) -> list[int]:
    """Newcomers who join the (full) course's waiting list, in this order."""
    from storage import courses as repo
    from storage.models import Contact
    from storage.models.courses import Course

    async def join() -> list[int]:
        db = Database.from_url(url)
        try:
            async with db.transaction() as session:
                course = await session.scalar(select(Course).where(Course.code == code))
                assert course is not None
                joined = []
                for n in range(count):
                    contact = Contact(created_at=course.created_at, language="ru", centre_id=course.centre_id)
                    session.add(contact)
                    await session.flush()
                    now = course.created_at + dt.timedelta(minutes=n + 1)
                    outcome, _ = await repo.enrol(session, course.id, contact.id, now, actor="test")
                    assert outcome.status == "waiting"
                    joined.append(contact.id)
                return joined
        finally:
            await db.dispose()

    return asyncio.run(join())


def test_move_on_the_waiting_list_needs_a_reason_and_is_audited(cli: CliRunner, sqlite_url: str) -> None:
    assert cli.invoke(app, ["course", "capacity", "computer-1", "4"]).exit_code == 0  # 4 learners: full
    first, second = waiting_people(sqlite_url, "computer-1", 2)
    blank = cli.invoke(app, ["course", "move", "computer-1", "--contact", str(second), "--to", "1", "--reason", " "])
    assert blank.exit_code == 2 and "say why" in blank.output
    moved = cli.invoke(app, ["course", "move", "computer-1", "--contact", str(second), "--to", "1",
                             "--reason", "обещали место в прошлый раз"])
    assert moved.exit_code == 0, moved.output
    assert "moved on the waiting list of computer-1: 2 → 1" in moved.output
    listing = cli.invoke(app, ["course", "learners", "computer-1"]).output
    places = {line.split()[1]: line.split()[3] for line in listing.splitlines() if "#" in line}
    assert (places["#1"], places["#2"]) == (str(second), str(first))
    audit = rows(sqlite_url, select(CourseAudit).where(CourseAudit.action == "move"))
    assert [(a.reason, a.details) for a in audit] == [("обещали место в прошлый раз", {"from": 2, "to": 1})]  # type: ignore[attr-defined]
    enrolled = rows(sqlite_url, select(Enrolment.contact_id).where(Enrolment.status == "enrolled"))[0]
    not_waiting = cli.invoke(app, ["course", "move", "computer-1", "--contact", str(enrolled), "--to", "1",
                                   "--reason", "x"])
    assert not_waiting.exit_code == 1 and "only someone on the waiting list" in not_waiting.output


def test_finishing_a_course_invites_those_who_came_to_the_satisfaction_questionnaire(
    cli: CliRunner, sqlite_url: str
) -> None:
    came = rows(sqlite_url, select(Enrolment.contact_id).order_by(Enrolment.id))[:2]
    later(days=8)
    cli.invoke(app, ["course", "attend", "computer-1", "--session", "1", *[a for p in came for a in ("--contact", str(p))]])
    finished = cli.invoke(app, ["course", "finish", "computer-1"])
    assert finished.exit_code == 0, finished.output
    assert "satisfaction questionnaire sent to 2 learner(s) who attended" in finished.output
    invited = rows(sqlite_url, select(SurveyInvitation.contact_id).order_by(SurveyInvitation.contact_id))
    assert invited == sorted(came)
    queued = rows(sqlite_url, select(OutboxMessage.contact_id).where(OutboxMessage.kind == "feedback"))
    assert sorted(queued) == sorted(came)  # type: ignore[type-var]


def test_finished_and_cancelled_are_final(cli: CliRunner) -> None:
    assert cli.invoke(app, ["course", "cancel", "sewing-1", "--reason", "no teacher"]).exit_code == 0
    reopened = cli.invoke(app, ["course", "open", "sewing-1"])
    assert reopened.exit_code == 1 and "course sewing-1 is cancelled; it cannot become open" in reopened.output


def test_history_shows_who_did_what_when_and_why(cli: CliRunner) -> None:
    first = cli.invoke(app, ["course", "learners", "computer-1"]).output
    contact = next(line.split()[3] for line in first.splitlines() if line.split()[1:2] == ["1"])
    assert cli.invoke(app, ["course", "remove", "computer-1", "--contact", contact,
                            "--reason", "екі рет келмеді"]).exit_code == 0
    shown = cli.invoke(app, ["course", "history", "computer-1"])
    assert shown.exit_code == 0, shown.output
    newest = next(line for line in shown.output.splitlines() if "removed" in line)
    assert "cli:" in newest and contact in newest and "екі рет келмеді" in newest and "from=enrolled" in newest


def test_someone_marked_present_after_the_course_finished_is_invited_too(cli: CliRunner, sqlite_url: str) -> None:
    first, second, third = rows(sqlite_url, select(Enrolment.contact_id).order_by(Enrolment.id))[:3]
    later(days=8)
    cli.invoke(app, ["course", "attend", "computer-1", "--session", "1", "--contact", str(first)])
    assert "sent to 1 learner(s)" in cli.invoke(app, ["course", "finish", "computer-1"]).output
    later(days=22)  # the last session is over
    late = cli.invoke(app, ["course", "attend", "computer-1", "--session", "4", "--contact", str(second)])
    assert late.exit_code == 0, late.output
    cli.invoke(app, ["course", "attend", "computer-1", "--session", "4", "--contact", str(third), "--absent"])
    cli.invoke(app, ["course", "attend", "computer-1", "--session", "2", "--contact", str(first)])  # again: no 2nd
    invited = rows(sqlite_url, select(SurveyInvitation.contact_id).order_by(SurveyInvitation.contact_id))
    assert invited == sorted([first, second])


def test_capacity_below_the_seat_holders_is_refused_unless_forced(cli: CliRunner, sqlite_url: str) -> None:
    assert cli.invoke(app, ["course", "capacity", "computer-1", "4"]).exit_code == 0  # 4 learners: full
    (waiting,) = waiting_people(sqlite_url, "computer-1", 1)
    first = rows(sqlite_url, select(Enrolment.contact_id).order_by(Enrolment.id))[0]
    assert cli.invoke(app, ["course", "remove", "computer-1", "--contact", str(first), "--reason", "x"]).exit_code == 0
    # 3 enrolled, 1 open offer: no seats would leave all four without one.
    refused = cli.invoke(app, ["course", "capacity", "computer-1", "0"])
    out = " ".join(refused.output.split())
    assert refused.exit_code == 1, out
    assert "computer-1 has 4 seat holders (3 enrolled, 1 with an open offer); 0 seats would leave 4" in out
    assert "--force" in out
    assert rows(sqlite_url, select(Enrolment.status).where(Enrolment.contact_id == waiting)) == ["offered"]
    forced = cli.invoke(app, ["course", "capacity", "computer-1", "0", "--force"])
    out = " ".join(forced.output.split())
    assert forced.exit_code == 0, out
    assert "all 3 enrolled keep their seats" in out and "no seat is offered until fewer than 0 remain" in out
    assert f"offer to contact {waiting} withdrawn: back on the waiting list" in out
    assert rows(sqlite_url, select(Enrolment.status).where(Enrolment.contact_id == waiting)) == ["waiting"]
    told = rows(sqlite_url, select(OutboxMessage.contact_id).where(OutboxMessage.kind == "offer_withdrawn"))
    assert told == [waiting]


def test_finishing_before_any_session_is_refused_unless_forced(cli: CliRunner, sqlite_url: str) -> None:
    early = cli.invoke(app, ["course", "finish", "computer-1"])
    out = " ".join(early.output.split())
    assert early.exit_code == 1, out
    assert "no session of computer-1 has taken place yet (the first is on" in out and "Asia/Almaty)" in out
    assert "--force" in out
    forced = cli.invoke(app, ["course", "finish", "computer-1", "--force"])
    assert forced.exit_code == 0 and "sent to 0 learner(s)" in forced.output  # nobody attended anything
    assert rows(sqlite_url, select(SurveyInvitation.id)) == []


def test_attendance_for_a_session_yet_to_come_is_refused(cli: CliRunner, sqlite_url: str) -> None:
    person = rows(sqlite_url, select(Enrolment.contact_id).order_by(Enrolment.id))[0]
    refused = cli.invoke(app, ["course", "attend", "computer-1", "--session", "1", "--contact", str(person)])
    out = " ".join(refused.output.split())
    assert refused.exit_code == 1 and "session 1 of computer-1 is on" in out and "has not taken place yet" in out
    assert rows(sqlite_url, select(Attendance.id)) == []
    later(days=8)
    assert cli.invoke(app, ["course", "attend", "computer-1", "--session", "1", "--contact", str(person)]).exit_code == 0
    ahead = cli.invoke(app, ["course", "attend", "computer-1", "--session", "3", "--contact", str(person)])
    assert ahead.exit_code == 1 and "has not taken place yet" in ahead.output


def test_an_unknown_centre_is_an_error_in_every_command(cli: CliRunner) -> None:
    for command in (["course", "list"], ["course", "learners", "computer-1"], ["course", "history", "computer-1"],
                    ["course", "finish", "computer-1"], ["course", "capacity", "computer-1", "3"],
                    ["course", "add", "x-1", "--title-kk", "а", "--title-ru", "б", "--capacity", "3"],
                    ["course", "edit", "computer-1", "--capacity", "6"]):
        result = cli.invoke(app, [*command, "--centre", "nowhere"])
        assert result.exit_code == 1, (command, result.output)
        assert "no centre 'nowhere' (known: demo)" in result.output, command


def test_list_never_cuts_a_course_code(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.admin import course

    code = "embroidery-advanced-evening-2"
    assert cli.invoke(app, ["course", "add", code, "--title-kk", "Кесте тігу, кешкі топ",
                            "--title-ru", "Вышивка для продолжающих, вечерняя группа", "--capacity", "3"]).exit_code == 0
    monkeypatch.setattr(course.console, "width", 80)  # a terminal of 80 columns, or a pipe
    listing = cli.invoke(app, ["course", "list"])
    assert listing.exit_code == 0
    assert code in listing.output and "computer-1" in listing.output and "business-1" in listing.output
    assert max(len(line) for line in listing.output.splitlines()) <= 80


def test_a_move_past_the_end_of_the_list_says_where_it_went(cli: CliRunner, sqlite_url: str) -> None:
    assert cli.invoke(app, ["course", "capacity", "computer-1", "4"]).exit_code == 0
    first, _ = waiting_people(sqlite_url, "computer-1", 2)
    moved = cli.invoke(app, ["course", "move", "computer-1", "--contact", str(first), "--to", "5",
                             "--reason", "пришла позже всех"])
    out = " ".join(moved.output.split())
    assert moved.exit_code == 0, out
    assert "1 → 2" in out and "the list has 2 people, so place 5 is its end: 2" in out


def test_history_shows_every_time_in_the_centres_zone(cli: CliRunner, sqlite_url: str) -> None:
    assert cli.invoke(app, ["course", "capacity", "computer-1", "4"]).exit_code == 0
    waiting_people(sqlite_url, "computer-1", 1)
    assert cli.invoke(app, ["course", "capacity", "computer-1", "5"]).exit_code == 0  # an offer, with a deadline
    (deadline,) = rows(sqlite_url, select(Enrolment.offer_deadline).where(Enrolment.status == "offered"))
    local = deadline.astimezone(dt.timezone(dt.timedelta(hours=5))).strftime("%Y-%m-%d %H:%M")  # type: ignore[attr-defined]
    shown = cli.invoke(app, ["course", "history", "computer-1"]).output
    assert "Asia/Almaty" in shown and f"deadline={local}" in shown and "+00:00" not in shown
