"""``clc-admin course``: add, open, list, learners, remove with a reason, attendance; all audited."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from admin_cli import app
from storage.db import Database
from storage.models import OutboxMessage
from storage.models.courses import Attendance, CourseAudit, Enrolment
from storage.models.surveys import SurveyInvitation


@pytest.fixture
def cli(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    from bot.admin import course

    monkeypatch.setenv("CLC_DATABASE_URL", sqlite_url)
    monkeypatch.setattr(course.console, "width", 200)  # a wide terminal: no cut-off codes
    runner = CliRunner()
    assert runner.invoke(app, ["demo"]).exit_code == 0
    return runner


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
    cli.invoke(app, ["course", "attend", "computer-1", "--session", "1", "--contact", str(first)])
    assert "sent to 1 learner(s)" in cli.invoke(app, ["course", "finish", "computer-1"]).output
    late = cli.invoke(app, ["course", "attend", "computer-1", "--session", "4", "--contact", str(second)])
    assert late.exit_code == 0, late.output
    cli.invoke(app, ["course", "attend", "computer-1", "--session", "4", "--contact", str(third), "--absent"])
    cli.invoke(app, ["course", "attend", "computer-1", "--session", "2", "--contact", str(first)])  # again: no 2nd
    invited = rows(sqlite_url, select(SurveyInvitation.contact_id).order_by(SurveyInvitation.contact_id))
    assert invited == sorted([first, second])
