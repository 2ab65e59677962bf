"""``clc-admin --as``: a facilitator of one centre is refused everything at the other, with one
clear line and nothing changed; at their own centre everything works; an administrator acts at
both (issue 14, "Done when")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from admin_cli import app
from bot.clock import FakeClock
from storage.db import Database
from storage.models import Centre, ChannelIdentity, Contact, FacilitatorRole
from storage.models.courses import Course, CourseAudit, Enrolment
from tests.bot.centre_pair import (
    A_FACILITATOR,
    A_VILLAGER,
    ADMIN_TELEGRAM,
    B_VILLAGER,
    Pair,
    on,
    snapshot,
    two_centres,
)
from tests.storage.courses_helpers import T0

AS_A = ["--as", "8 701 111 00 01"]  # facilitator A's phone, written as people write it
AS_ADMIN = ["--as", f"telegram:{ADMIN_TELEGRAM}"]


@pytest.fixture
def pair(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Pair:
    from bot.admin import centre, contacts, course, facilitator, runner, scope

    monkeypatch.setenv("CLC_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("CLC_ADMIN_AS", raising=False)
    for module in (centre, contacts, course, facilitator, runner, scope):
        monkeypatch.setattr(module.console, "width", 200)
    # The first session (a week after T0) has begun: attendance can be marked.
    monkeypatch.setattr(course, "clock", FakeClock(T0 + dt.timedelta(days=7, minutes=30)))
    return on(sqlite_url, two_centres)


def import_file(tmp_path: Path) -> Path:
    path = tmp_path / "list.csv"
    path.write_text("name,phone,language,settlement\nДина,+77013330003,kk,Көктал\n", encoding="utf-8")
    return path


def test_a_facilitator_is_refused_everything_at_the_other_centre(
    pair: Pair, sqlite_url: str, tmp_path: Path
) -> None:
    cli = CliRunner()
    at_b = ["--centre", "koktal"]
    wrong_centre = "--as '8 701 111 00 01': not a facilitator at centre 'koktal' (yours: aksu)"
    not_theirs = "is not a contact of your centre (aksu)"
    admin_only = "--as '8 701 111 00 01': only an administrator may"
    commands = [
        (["course", "open", "sewing-1", *at_b], wrong_centre),
        (["course", "close", "sewing-1", *at_b], wrong_centre),
        (["course", "cancel", "sewing-1", "--reason", "x", *at_b], wrong_centre),
        (["course", "capacity", "sewing-1", "9", *at_b], wrong_centre),
        (["course", "learners", "sewing-1", *at_b], wrong_centre),
        (["course", "remove", "sewing-1", "--contact", str(pair.b_villager), "--reason", "x", *at_b], wrong_centre),
        (["course", "attend", "sewing-1", "--session", "1", "--contact", str(pair.b_villager), *at_b],
         wrong_centre),
        (["course", "list", *at_b], wrong_centre),
        (["course", "history", "sewing-1", *at_b], wrong_centre),
        (["contacts", "list", *at_b], wrong_centre),
        (["contacts", "show", str(pair.b_villager)], f"contact {pair.b_villager} {not_theirs}"),
        (["contacts", "import", str(import_file(tmp_path)), *at_b], wrong_centre),
        (["contact", "forget", str(pair.b_villager), "--reason", "asked", "--yes"], not_theirs),
        (["contact", "forget", B_VILLAGER, "--reason", "asked", "--yes"], f"'{B_VILLAGER}' {not_theirs}"),
        (["centre", "edit", "koktal", "--name-ru", "Чужой"], f"{admin_only} edit a centre"),
        (["centre", "add", "aul-3", "--name-kk", "а", "--name-ru", "б", "--settlement", "с", "--district", "д",
          "--oblast", "о"], f"{admin_only} add a centre"),
        (["facilitator", "add", "--phone", "+77014440004", *at_b], f"{admin_only} give staff roles"),
        (["facilitator", "remove", "--phone", "+77011110002", *at_b], f"{admin_only} take staff roles away"),
        (["facilitator", "list", *at_b], wrong_centre),
        (["demo"], f"{admin_only} add the demo centre"),
        (["db", "upgrade"], f"{admin_only} upgrade the database"),
    ]
    before = on(sqlite_url, snapshot)
    for command, message in commands:
        result = cli.invoke(app, [*AS_A, *command])
        assert result.exit_code == 1, (command, result.output)
        assert message in result.output, (command, result.output)
        assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output, command
    assert on(sqlite_url, snapshot) == before  # nothing at all changed, not even a migration


def test_at_their_own_centre_everything_works_without_naming_it(
    pair: Pair, sqlite_url: str, tmp_path: Path
) -> None:
    cli = CliRunner()

    def ok(*args: str) -> str:
        result = cli.invoke(app, [*AS_A, *args])
        assert result.exit_code == 0, (args, result.output)
        return result.output

    assert "Асель" in ok("course", "learners", "sewing-1")  # their only centre: no --centre needed
    assert "Берик" not in ok("course", "learners", "sewing-1")
    assert "now has 4 seats" in ok("course", "capacity", "sewing-1", "4", "--centre", "aksu")
    assert "attendance marked" in ok("course", "attend", "sewing-1", "--session", "1",
                                     "--contact", str(pair.a_villager))
    listing = ok("contacts", "list")
    assert "Асель" in listing and "село Асель" in listing and "Берик" not in listing and "Бақыт" not in listing
    shown = ok("contacts", "show", str(pair.a_villager))
    assert "centre: aksu" in shown and "settlement: село Асель" in shown
    assert "added 1" in ok("contacts", "import", str(import_file(tmp_path)), "--centre", "aksu")
    assert "aksu" in ok("centre", "list") and "koktal" not in ok("centre", "list")
    staff = ok("facilitator", "list")
    assert "Айгүл" in staff and "Әділ" in staff and "administrator (every centre)" in staff
    assert "Бақыт" not in staff
    assert f"contact {pair.a_villager} forgotten" in ok("contact", "forget", A_VILLAGER, "--reason", "asked",
                                                        "--yes")

    async def audit(db: Database) -> list[str]:
        async with db.transaction() as s:
            return list((await s.scalars(select(CourseAudit.actor).where(CourseAudit.action == "capacity"))).all())

    (actor,) = on(sqlite_url, audit)
    assert actor.startswith(f"contact:{pair.a_facilitator} (cli:")  # who acted, and from which shell user
    assert A_FACILITATOR not in actor


def test_an_administrator_acts_at_both_centres(pair: Pair, sqlite_url: str) -> None:
    cli = CliRunner()
    for slug in ("aksu", "koktal"):
        result = cli.invoke(app, [*AS_ADMIN, "course", "capacity", "sewing-1", "5", "--centre", slug])
        assert result.exit_code == 0, result.output
    several = cli.invoke(app, [*AS_ADMIN, "course", "learners", "sewing-1"])
    assert several.exit_code == 1 and "several centres: say which with --centre SLUG" in several.output
    listing = cli.invoke(app, [*AS_ADMIN, "contacts", "list"]).output
    assert "Асель" in listing and "Берик" in listing
    assert cli.invoke(app, [*AS_ADMIN, "centre", "edit", "koktal", "--name-ru", "Центр Көктал"]).exit_code == 0
    added = cli.invoke(app, [*AS_ADMIN, "facilitator", "add", "--phone", "+77014440004", "--centre", "koktal"])
    assert added.exit_code == 0 and "tel:+77014440004 is now a facilitator at koktal" in added.output
    shown = cli.invoke(app, [*AS_ADMIN, "contacts", "show", str(pair.b_villager)])
    assert shown.exit_code == 0 and "centre: koktal" in shown.output

    async def state(db: Database) -> tuple[list[int], str, int]:
        async with db.transaction() as s:
            seats = list((await s.scalars(select(Course.capacity).order_by(Course.id))).all())
            name = await s.scalar(select(Centre.name_ru).where(Centre.slug == "koktal"))
            roles = len((await s.scalars(select(FacilitatorRole.id))).all())
            return seats, str(name), roles

    assert on(sqlite_url, state) == ([5, 5], "Центр Көктал", 4)


def test_the_administrator_role_is_given_listed_and_taken_back(pair: Pair, sqlite_url: str) -> None:
    cli = CliRunner()
    made = cli.invoke(app, ["facilitator", "add", "--phone", "+77011110002", "--centre", "koktal", "--admin"])
    assert made.exit_code == 0, made.output
    assert "is now an administrator (every centre; belongs to koktal) (was facilitator)" in made.output
    staff = cli.invoke(app, ["facilitator", "list", "--centre", "aksu"]).output
    assert "Бақыт" in staff and "administrator (every centre; of koktal)" in staff
    # Now Бақыт may act at aksu too.
    learners = cli.invoke(app, ["--as", "+77011110002", "course", "learners", "sewing-1", "--centre", "aksu"])
    assert learners.exit_code == 0 and "Асель" in learners.output
    back = cli.invoke(app, ["facilitator", "add", "--phone", "+77011110002", "--centre", "koktal"])
    assert "is now a facilitator at koktal (was administrator)" in back.output
    refused = cli.invoke(app, ["--as", "+77011110002", "course", "learners", "sewing-1", "--centre", "aksu"])
    assert refused.exit_code == 1 and "not a facilitator at centre 'aksu' (yours: koktal)" in refused.output
    # A facilitator of two centres names the one they mean, among theirs.
    assert cli.invoke(app, ["facilitator", "add", "--phone", "+77011110002", "--centre", "aksu"]).exit_code == 0
    which = cli.invoke(app, ["--as", "+77011110002", "course", "learners", "sewing-1"])
    assert which.exit_code == 1 and "say which with --centre SLUG (yours: aksu, koktal)" in which.output


def test_who_is_not_staff_or_unknown_is_one_clear_line(
    pair: Pair, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = CliRunner()
    for who, message in (
        ("+77019999999", "--as '+77019999999': no such contact"),
        ("telegram:1", "--as 'telegram:1': no such contact"),
        ("99999", "--as '99999': no such contact"),
        ("telegram:abc", "a Telegram user id is digits"),
        ("Айгүл", "give a phone number, telegram:<user id> or a contact id"),
        (A_VILLAGER, f"contact {pair.a_villager} is neither a facilitator nor an administrator"),
    ):
        result = cli.invoke(app, ["--as", who, "contacts", "list"])
        assert result.exit_code == 1 and message in result.output, (who, result.output)
        assert "Traceback" not in result.output
    # The contact id works as well as the phone, and so does the environment variable.
    by_id = cli.invoke(app, ["--as", str(pair.a_facilitator), "contacts", "list"])
    assert by_id.exit_code == 0 and "Асель" in by_id.output and "Берик" not in by_id.output
    monkeypatch.setenv("CLC_ADMIN_AS", A_FACILITATOR)
    from_env = cli.invoke(app, ["course", "learners", "sewing-1", "--centre", "koktal"])
    assert from_env.exit_code == 1 and "not a facilitator at centre 'koktal'" in from_env.output

    async def enrolled(db: Database) -> int:
        async with db.transaction() as s:
            return len((await s.scalars(select(Enrolment.id))).all())

    assert on(sqlite_url, enrolled) == 2
    monkeypatch.delenv("CLC_ADMIN_AS")
    # Without --as: the operator, every centre.
    everyone = cli.invoke(app, ["contacts", "list"]).output
    assert "Асель" in everyone and "Берик" in everyone


def test_a_facilitator_importing_someone_known_elsewhere_changes_nothing_and_learns_nothing(
    pair: Pair, sqlite_url: str, tmp_path: Path
) -> None:
    """B's villager in A's list, and someone the bot knows at no centre yet (an administrator's)."""
    async def centreless(db: Database) -> None:
        async with db.transaction() as s:
            person = Contact(created_at=T0, language="ru", name="Самат")
            s.add(person)
            await s.flush()
            s.add(ChannelIdentity(contact_id=person.id, channel="sms", address="tel:+77014440004", created_at=T0))

    on(sqlite_url, centreless)
    path = tmp_path / "list.csv"
    path.write_text(f"name,phone,language\nБерік Жаңа,{B_VILLAGER},kk\nСамат Жаңа,+77014440004,kk\n",
                    encoding="utf-8")
    done = CliRunner().invoke(app, [*AS_A, "contacts", "import", str(path), "--centre", "aksu"])
    assert done.exit_code == 0, done.output
    assert done.output.count("already known to the bot: ask an administrator") == 2
    assert "koktal" not in done.output and "another centre" not in done.output

    async def names(db: Database) -> list[tuple[str | None, int | None]]:
        async with db.transaction() as s:
            rows = await s.execute(select(Contact.name, Contact.centre_id)
                                   .where(Contact.name.in_(["Берик", "Самат", "Берік Жаңа", "Самат Жаңа"]))
                                   .order_by(Contact.name))
            return [tuple(row) for row in rows]

    found = on(sqlite_url, names)
    assert [name for name, _ in found] == ["Берик", "Самат"]
    assert dict(found)["Самат"] is None  # still nobody's centre
