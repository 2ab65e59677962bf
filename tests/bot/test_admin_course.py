"""``clc-admin course``: add, open, list, learners, remove with a reason, attendance; all audited."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from admin_cli import app
from storage.db import Database
from storage.models.courses import Attendance, CourseAudit, Enrolment


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
