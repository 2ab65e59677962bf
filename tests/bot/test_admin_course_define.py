"""``clc-admin course add --file`` and ``course edit``: checked like a questionnaire, nothing lost."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from admin_cli import app
from storage.models import OutboxMessage
from storage.models.courses import Course, CourseAudit, CourseSession, Enrolment
from tests.bot.test_admin_course import cli, later, rows, waiting_people  # noqa: F401  (the fixture)

EMBROIDERY = """\
code: embroidery-1
title: {kk: Кесте тігу, ru: Вышивка}
description: {kk: Ұлттық өрнектер, ru: Национальные узоры}
tags: [crafts, sewing]
capacity: 8
policy: priority:unemployed,women
enrol_closes: 2026-12-10 18:00
sessions:
  - {start: 2026-12-12 15:00, minutes: 120, place: {kk: Клуб, ru: Клуб}}
  - {start: 2026-12-19 15:00, minutes: 120, place: {kk: Клуб, ru: Клуб}}
"""


def write(tmp_path: Path, text: str, name: str = "course.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_course_from_a_file_keeps_local_times_and_is_audited(
    cli: CliRunner, sqlite_url: str, tmp_path: Path  # noqa: F811
) -> None:
    added = cli.invoke(app, ["course", "add", "--file", write(tmp_path, EMBROIDERY)])
    assert added.exit_code == 0, added.output
    assert "course embroidery-1 added as a draft" in added.output
    (course,) = rows(sqlite_url, select(Course).where(Course.code == "embroidery-1"))
    assert (course.title_kk, course.status, course.capacity, course.tags, course.policy) == (  # type: ignore[attr-defined]
        "Кесте тігу", "draft", 8, ["crafts", "sewing"], "priority:unemployed,women")
    assert course.enrol_closes_at == dt.datetime(2026, 12, 10, 13, 0, tzinfo=dt.UTC)  # type: ignore[attr-defined]
    starts = rows(sqlite_url, select(CourseSession.starts_at).order_by(CourseSession.starts_at)
                  .where(CourseSession.course_id == course.id))  # type: ignore[attr-defined]
    assert starts[0] == dt.datetime(2026, 12, 12, 10, 0, tzinfo=dt.UTC)  # 15:00 in Almaty
    again = cli.invoke(app, ["course", "add", "--file", write(tmp_path, EMBROIDERY)])
    assert again.exit_code == 1 and "already has a course 'embroidery-1'" in again.output


def test_every_problem_of_a_file_is_named_with_its_line(cli: CliRunner, tmp_path: Path) -> None:  # noqa: F811
    bad = """\
code: Вышивка 1
title: {kk: Кесте тігу}
capacity: 0
policy: vip
sessions:
  - {start: завтра, minutes: 120, place: {kk: Клуб, ru: Клуб}}
"""
    path = write(tmp_path, bad)
    result = cli.invoke(app, ["course", "add", "--file", path])
    assert result.exit_code == 2
    out = " ".join(result.output.split())
    for expected in (f"{path}:1: code: use lowercase Latin letters", f"{path}:2: title.ru: Field required",
                     f"{path}:3: capacity:", f"{path}:4: policy:", f"{path}:6: sessions.0.start:"):
        assert expected in out, out
    unknown_tag = cli.invoke(app, ["course", "add", "--file", write(tmp_path, EMBROIDERY.replace("crafts", "knitting"))])
    assert unknown_tag.exit_code == 2 and "tags: unknown interest id 'knitting'" in unknown_tag.output
    broken = cli.invoke(app, ["course", "add", "--file", write(tmp_path, "code: [unclosed")])
    assert broken.exit_code == 2 and "not valid YAML" in broken.output
    missing = cli.invoke(app, ["course", "add", "--file", str(tmp_path / "nowhere.yaml")])
    assert missing.exit_code == 2 and "cannot be read" in missing.output


def test_problems_of_every_kind_are_reported_in_one_run(cli: CliRunner, tmp_path: Path) -> None:  # noqa: F811
    """Keys given twice, a bad field, unknown tags and dates out of order, all at once: a
    facilitator fixes the file once instead of once per kind of mistake."""
    bad = """\
code: Вышивка 1
title: {kk: Кесте тігу, ru: Вышивка}
capacity: 8
capacity: 0
tags: [crafts, knitting, magic]
enrol_opens: 2026-12-10 18:00
enrol_closes: 2026-12-01 18:00
sessions:
  - {start: 2026-12-12 15:00, minutes: 120, place: {kk: Клуб, ru: Клуб}}
  - {start: 2026-12-12 15:00, minutes: 5, place: {kk: Клуб, ru: Клуб}}
teacher: Айгүл
"""
    path = write(tmp_path, bad)
    result = cli.invoke(app, ["course", "add", "--file", path])
    assert result.exit_code == 2
    out = result.output
    for expected in (
        f"{path}:4: capacity: is given twice; only the last one counts",
        f"{path}:1: code: use lowercase Latin letters",
        f"{path}:4: capacity: Input should be greater than or equal to 1",
        f"{path}:5: tags: unknown interest id 'knitting'",
        f"{path}:5: tags: unknown interest id 'magic'",
        f"{path}:7: enrol_closes: must come after enrol_opens",
        f"{path}:10: sessions.1.minutes: Input should be greater than or equal to 10",
        f"{path}:10: sessions.1.start: starts at the same time as session 1",
        f"{path}:11: teacher: Extra inputs are not permitted",
    ):
        assert expected in out, out
    assert f"{path}:5: tags: the interest ids are carpentry, computer, cooking, crafts" in out
    assert len([line for line in out.splitlines() if line.startswith(f"{path}:")]) == 10, out


def test_flags_are_checked_by_the_same_rules(cli: CliRunner) -> None:  # noqa: F811
    no_title = cli.invoke(app, ["course", "add", "x-1", "--capacity", "3"])
    assert no_title.exit_code == 2 and "title: Field required" in no_title.output
    bad_tag = cli.invoke(app, ["course", "add", "x-1", "--title-kk", "а", "--title-ru", "б", "--capacity", "3",
                               "--tag", "magic"])
    assert bad_tag.exit_code == 2 and "unknown interest id 'magic'" in bad_tag.output


def test_edit_by_flags_changes_only_what_is_given_and_new_seats_are_offered(
    cli: CliRunner, sqlite_url: str  # noqa: F811
) -> None:
    assert cli.invoke(app, ["course", "capacity", "computer-1", "4"]).exit_code == 0
    (waiting,) = waiting_people(sqlite_url, "computer-1", 1)
    edited = cli.invoke(app, ["course", "edit", "computer-1", "--title-ru", "Компьютер для начинающих",
                              "--capacity", "5"])
    assert edited.exit_code == 0, edited.output
    assert "changed: title_ru, capacity" in edited.output
    (course,) = rows(sqlite_url, select(Course).where(Course.code == "computer-1"))
    assert (course.title_ru, course.title_kk, course.capacity) == (  # type: ignore[attr-defined]
        "Компьютер для начинающих", "Компьютер сауаттылығы", 5)
    offered = rows(sqlite_url, select(Enrolment.contact_id).where(Enrolment.status == "offered"))
    assert offered == [waiting]
    assert rows(sqlite_url, select(OutboxMessage.contact_id).where(OutboxMessage.kind == "offer")) == [waiting]
    audit = rows(sqlite_url, select(CourseAudit.details).where(CourseAudit.action == "edit"))
    assert audit == [{"changed": ["title_ru", "capacity"]}]
    same = cli.invoke(app, ["course", "edit", "computer-1", "--capacity", "5"])
    assert same.exit_code == 0 and "nothing to change" in same.output


def test_edit_from_a_file_never_deletes_a_session_with_attendance(
    cli: CliRunner, sqlite_url: str, tmp_path: Path  # noqa: F811
) -> None:
    assert cli.invoke(app, ["course", "add", "--file", write(tmp_path, EMBROIDERY)]).exit_code == 0
    moved = EMBROIDERY.replace("2026-12-19 15:00, minutes: 120", "2026-12-20 11:00, minutes: 90")
    edited = cli.invoke(app, ["course", "edit", "embroidery-1", "--file", write(tmp_path, moved, "v2.yaml")])
    assert edited.exit_code == 0, edited.output
    assert "session 2026-12-19 15:00 removed" in edited.output and "session 2026-12-20 11:00 added" in edited.output
    wrong = cli.invoke(app, ["course", "edit", "computer-1", "--file", write(tmp_path, moved, "v3.yaml")])
    assert wrong.exit_code == 2 and "the file's code is 'embroidery-1'" in wrong.output

    people = rows(sqlite_url, select(Enrolment.contact_id).order_by(Enrolment.id))[:1]
    later(days=8)  # the first session is over
    assert cli.invoke(app, ["course", "attend", "computer-1", "--session", "1", "--contact", str(people[0])]).exit_code == 0
    sessions = rows(sqlite_url, select(CourseSession).join(Course).where(Course.code == "computer-1")
                    .order_by(CourseSession.starts_at))
    first = sessions[0].starts_at.astimezone(dt.timezone(dt.timedelta(hours=5))).strftime("%Y-%m-%d %H:%M")  # type: ignore[attr-defined]
    only_later = "\n".join(
        f"  - {{start: {s.starts_at.astimezone(dt.timezone(dt.timedelta(hours=5))):%Y-%m-%d %H:%M}, "  # type: ignore[attr-defined]
        f"minutes: {s.minutes}, place: {{kk: {s.place_kk}, ru: {s.place_ru}}}}}" for s in sessions[1:]  # type: ignore[attr-defined]
    )
    computer = ("code: computer-1\ntitle: {kk: Компьютер сауаттылығы, ru: Компьютерная грамотность}\n"
                f"tags: [computer]\ncapacity: 5\nsessions:\n{only_later}\n")
    refused = cli.invoke(app, ["course", "edit", "computer-1", "--file", write(tmp_path, computer, "c.yaml")])
    assert refused.exit_code == 2 and f"the session of {first} has attendance marks" in refused.output
    assert len(rows(sqlite_url, select(CourseSession).join(Course).where(Course.code == "computer-1"))) == len(sessions)


def test_the_enrolment_window_by_flags_in_local_time(cli: CliRunner, sqlite_url: str) -> None:  # noqa: F811
    added = cli.invoke(app, ["course", "add", "welding-1", "--title-kk", "Дәнекерлеу", "--title-ru", "Сварка",
                             "--capacity", "4", "--tag", "welding", "--enrol-opens", "2026-12-01 09:00",
                             "--enrol-closes", "2026-12-10 18:00"])
    assert added.exit_code == 0, added.output
    backwards = cli.invoke(app, ["course", "edit", "welding-1", "--enrol-opens", "2026-12-11 09:00"])
    assert backwards.exit_code == 2 and "enrol_closes: must come after enrol_opens" in backwards.output
    (course,) = rows(sqlite_url, select(Course).where(Course.code == "welding-1"))
    assert course.enrol_opens_at == dt.datetime(2026, 12, 1, 4, 0, tzinfo=dt.UTC)  # type: ignore[attr-defined]
    assert course.enrol_closes_at == dt.datetime(2026, 12, 10, 13, 0, tzinfo=dt.UTC)  # type: ignore[attr-defined]


def test_a_moved_session_is_told_to_everyone_holding_a_seat(
    cli: CliRunner, sqlite_url: str, tmp_path: Path  # noqa: F811
) -> None:
    sessions = rows(sqlite_url, select(CourseSession).join(Course).where(Course.code == "computer-1")
                    .order_by(CourseSession.starts_at))
    local = [s.starts_at.astimezone(dt.timezone(dt.timedelta(hours=5))) for s in sessions]  # type: ignore[attr-defined]
    lines = [f"  - {{start: {start:%Y-%m-%d %H:%M}, minutes: 90, place: {{kk: Мектеп кітапханасы, "
             "ru: Школьная библиотека}}" for start in local]
    lines[1] = lines[1].replace(f"{local[1]:%Y-%m-%d %H:%M}", f"{local[1] + dt.timedelta(days=1):%Y-%m-%d %H:%M}")
    computer = ("code: computer-1\ntitle: {kk: Компьютер сауаттылығы, ru: Компьютерная грамотность}\n"
                "description: {kk: Компьютерді қосудан бастап электрондық пошта мен eGov порталына дейін., "
                "ru: От включения компьютера до электронной почты и портала eGov.}\n"
                "tags: [computer]\ncapacity: 5\nsessions:\n" + "\n".join(lines) + "\n")
    edited = cli.invoke(app, ["course", "edit", "computer-1", "--file", write(tmp_path, computer)])
    assert edited.exit_code == 0, edited.output
    assert "4 learner(s) holding a seat or an offer told about the new schedule" in edited.output
    told = rows(sqlite_url, select(OutboxMessage.contact_id).where(OutboxMessage.kind == "schedule"))
    enrolled = rows(sqlite_url, select(Enrolment.contact_id).join(Course)
                    .where(Course.code == "computer-1", Enrolment.status == "enrolled"))
    assert sorted(told) == sorted(enrolled)  # type: ignore[type-var]
    again = cli.invoke(app, ["course", "edit", "computer-1", "--file", write(tmp_path, computer)])
    assert "nothing to change" in again.output
    assert len(rows(sqlite_url, select(OutboxMessage.id).where(OutboxMessage.kind == "schedule"))) == 4


def test_edit_cannot_lower_capacity_below_the_seat_holders(cli: CliRunner) -> None:  # noqa: F811
    refused = cli.invoke(app, ["course", "edit", "computer-1", "--capacity", "2"])
    assert refused.exit_code == 2
    assert "computer-1 has 4 seat holders (4 enrolled, 0 with an open offer)" in " ".join(refused.output.split())
