"""``clc-admin centre``: add, edit, list with counts; and how ``--centre`` is resolved everywhere."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from admin_cli import app


@pytest.fixture
def cli(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    from bot.admin import centre, course, runner

    monkeypatch.setenv("CLC_DATABASE_URL", sqlite_url)
    for module in (centre, course, runner):
        monkeypatch.setattr(module.console, "width", 200)  # a wide terminal: nothing cut
    return CliRunner()


def add(cli: CliRunner, slug: str, *extra: str) -> str:
    result = cli.invoke(app, ["centre", "add", slug, "--name-kk", f"{slug} орталығы", "--name-ru", f"Центр {slug}",
                              "--settlement", "Ақсу", "--district", "Еңбекшіқазақ", "--oblast", "Алматы", *extra])
    assert result.exit_code == 0, result.output
    return result.output


def course(cli: CliRunner, code: str, *centre: str) -> None:
    added = cli.invoke(app, ["course", "add", code, "--title-kk", "Курс", "--title-ru", "Курс", "--capacity", "3",
                             *centre])
    assert added.exit_code == 0, added.output
    opened = cli.invoke(app, ["course", "open", code, *centre])
    assert opened.exit_code == 0, opened.output


def test_add_edit_and_list_with_counts(cli: CliRunner) -> None:
    assert "centre aul-1 added" in add(cli, "aul-1", "--timezone", "Asia/Aqtobe")
    add(cli, "aul-2")
    course(cli, "sewing-1", "--centre", "aul-1")
    assert cli.invoke(app, ["facilitator", "add", "--phone", "+77011234567", "--centre", "aul-1"]).exit_code == 0
    edited = cli.invoke(app, ["centre", "edit", "aul-2", "--name-ru", "Центр Бірлік"])
    assert edited.exit_code == 0 and "changed name_ru" in edited.output
    listing = cli.invoke(app, ["centre", "list"]).output
    lines = {line.split()[1]: line for line in listing.splitlines() if line.startswith("│ aul-")}
    # contacts 1 (the facilitator), open courses 1, facilitators 1 at aul-1; nothing at aul-2
    assert [cell.strip() for cell in lines["aul-1"].split("│")[-4:-1]] == ["1", "1", "1"]
    assert [cell.strip() for cell in lines["aul-2"].split("│")[-4:-1]] == ["0", "0", "0"]
    assert "Asia/Aqtobe" in lines["aul-1"] and "Asia/Almaty" in lines["aul-2"]
    assert "Центр Бірлік" in listing and "Центр aul-1" in listing


def test_bad_slug_bad_timezone_and_a_duplicate_are_one_line_errors(cli: CliRunner) -> None:
    base = ["--name-kk", "а", "--name-ru", "б", "--settlement", "с", "--district", "д", "--oblast", "о"]
    for slug, extra, message in (("Aul_1", [], "bad centre slug 'Aul_1'"), ("a", [], "bad centre slug 'a'"),
                                 ("aul-1", ["--timezone", "Mars/Olympus"], "unknown timezone 'Mars/Olympus'")):
        result = cli.invoke(app, ["centre", "add", slug, *base, *extra])
        assert result.exit_code == 2 and message in result.output, result.output
        assert "Traceback" not in result.output
    add(cli, "aul-1")
    again = cli.invoke(app, ["centre", "add", "aul-1", *base])
    assert again.exit_code == 2 and "centre 'aul-1' already exists" in again.output
    bad_zone = cli.invoke(app, ["centre", "edit", "aul-1", "--timezone", "Nowhere"])
    assert bad_zone.exit_code == 2 and "unknown timezone 'Nowhere'" in bad_zone.output
    unknown = cli.invoke(app, ["centre", "edit", "aul-9", "--oblast", "x"])
    assert unknown.exit_code == 2 and "no centre 'aul-9' (known: aul-1)" in unknown.output


def test_no_centre_yet_is_a_clear_error(cli: CliRunner) -> None:
    result = cli.invoke(app, ["course", "list"])
    assert result.exit_code == 1 and "no centre yet: add one with clc-admin centre add" in result.output


def test_the_only_centre_is_used_without_the_option(cli: CliRunner) -> None:
    add(cli, "aul-1")
    course(cli, "sewing-1")
    listing = cli.invoke(app, ["course", "list"])
    assert listing.exit_code == 0 and "sewing-1" in listing.output
    added = cli.invoke(app, ["facilitator", "add", "--phone", "+77011234567"])
    assert added.exit_code == 0 and "a facilitator at aul-1" in added.output


def test_several_centres_need_the_option_and_each_sees_only_its_courses(cli: CliRunner) -> None:
    add(cli, "aul-1")
    add(cli, "aul-2")
    for command in (["course", "list"], ["course", "learners", "x"],
                    ["facilitator", "add", "--phone", "+77011234567"], ["facilitator", "list"]):
        result = cli.invoke(app, command)
        assert result.exit_code == 1, (command, result.output)
        assert "several centres: say which with --centre SLUG (aul-1, aul-2)" in result.output, command
    course(cli, "sewing-1", "--centre", "aul-1")
    course(cli, "computer-1", "--centre", "aul-2")
    first = cli.invoke(app, ["course", "list", "--centre", "aul-1"]).output
    second = cli.invoke(app, ["course", "list", "--centre", "aul-2"]).output
    assert "sewing-1" in first and "computer-1" not in first
    assert "computer-1" in second and "sewing-1" not in second
    unknown = cli.invoke(app, ["course", "list", "--centre", "aul-3"])
    assert unknown.exit_code == 1 and "no centre 'aul-3' (known: aul-1, aul-2)" in unknown.output
