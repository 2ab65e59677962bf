"""``clc-admin contacts``: import a centre's list (CSV and XLSX), list, search and show."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]
from sqlalchemy import func, select
from typer.testing import CliRunner

from admin_cli import app
from bot.admin import contacts as contacts_cli
from bot.channels.addresses import SMS, phone_address
from bot.clock import FakeClock
from storage.contact_import import check_rows, import_rows
from storage.db import Database
from storage.models import Centre, ChannelIdentity, Contact
from tests.bot.test_admin_course import cli, rows  # noqa: F401  (the fixture)
from tests.conftest import Chat

HEADER = ["name", "phone", "language", "telegram_id", "settlement", "contact_consent"]
GOOD = [
    ["Айгүл Серікова", "8 701 123 45 67", "Қазақша", "5551", "Ақсу", "yes"],
    ["Иван Петров", "+7 (705) 222-33-44", "русский", "", "", "no"],
    ["Дана", "87471234567", "kk", "", "", ""],
]
BAD = [
    ["Айгүл again", "+77011234567", "kk", "", "", ""],       # row 5: duplicate of row 2
    ["Ерлан", "12345", "kk", "", "", ""],                   # row 6: invalid number
    ["Сауле", "+77017654321", "deutsch", "", "", ""],        # row 7: unknown language
    ["Пётр", "+7 912 345 67 89", "ru", "", "", ""],          # row 8: a Russian number
    ["", "+77017654322", "ru", "", "", ""],                  # row 9: missing name
]


def write_csv(path: Path, table: list[list[str]], *, bom: bool = False) -> Path:
    text = "\n".join(",".join(f'"{cell}"' for cell in row) for row in table) + "\n"
    path.write_text(("\ufeff" if bom else "") + text, encoding="utf-8")
    return path


def write_xlsx(path: Path, table: list[list[str]]) -> Path:
    book = Workbook()
    for row in table:
        # a spreadsheet keeps a Telegram id as a number
        book.active.append([int(c) if c.isdigit() and len(c) < 8 else c for c in row])
    book.save(path)
    return path


def counts(url: str) -> tuple[int, int]:
    return (len(rows(url, select(Contact.id))), len(rows(url, select(ChannelIdentity.id))))


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(contacts_cli.console, "width", 200)


@pytest.mark.parametrize("kind", ["csv", "csv-bom", "xlsx"])
def test_import_reports_bad_rows_and_twice_changes_nothing(
    cli: CliRunner, sqlite_url: str, tmp_path: Path, wide: None, kind: str  # noqa: F811
) -> None:
    table = [HEADER, *GOOD, *BAD]
    file = (write_xlsx(tmp_path / "list.xlsx", table) if kind == "xlsx"
            else write_csv(tmp_path / "list.csv", table, bom=kind == "csv-bom"))
    before = counts(sqlite_url)
    first = cli.invoke(app, ["contacts", "import", str(file), "--centre", "demo"])
    assert first.exit_code == 0, first.output
    out = first.output
    assert "added 3, already present 0, updated 0, rejected 5" in out
    assert "duplicate of row 2 within the file" in out
    assert "invalid phone number '12345'" in out
    assert "unknown language 'deutsch'" in out
    assert "is not a Kazakhstan number (region RU)" in out
    assert "missing name" in out
    for number in ("5", "6", "7", "8", "9"):
        assert f"│ {number}   │" in out
    after = counts(sqlite_url)
    assert after == (before[0] + 3, before[1] + 4)  # Айгүл has a phone and a Telegram id
    imported = rows(sqlite_url, select(Contact).where(Contact.name == "Айгүл Серікова"))
    aigul = imported[0]
    assert (aigul.language, aigul.consent, aigul.contact_consent) == ("kk", None, True)  # type: ignore[attr-defined]
    ivan = rows(sqlite_url, select(Contact).where(Contact.name == "Иван Петров"))[0]
    assert (ivan.language, ivan.contact_consent) == ("ru", False)  # type: ignore[attr-defined]
    again = cli.invoke(app, ["contacts", "import", str(file), "--centre", "demo"])
    assert "added 0, already present 3, updated 0, rejected 5" in again.output
    assert counts(sqlite_url) == after


def test_a_changed_row_updates_and_file_errors_are_clear(
    cli: CliRunner, sqlite_url: str, tmp_path: Path, wide: None  # noqa: F811
) -> None:
    file = write_csv(tmp_path / "a.csv", [["name", "phone", "language"], ["Дана", "87471234567", "kk"]])
    assert "added 1" in cli.invoke(app, ["contacts", "import", str(file), "--centre", "demo"]).output
    write_csv(file, [["Name", "Phone", "Language"], ["Дана Ахметова", "+77471234567", "ru"]])
    changed = cli.invoke(app, ["contacts", "import", str(file), "--centre", "demo"])
    assert "added 0, already present 0, updated 1, rejected 0" in changed.output
    dana = rows(sqlite_url, select(Contact).where(Contact.name == "Дана Ахметова"))[0]
    assert dana.language == "ru"  # type: ignore[attr-defined]
    odd = write_csv(tmp_path / "b.csv", [["name", "phone", "language", "email", "age"]])
    refused = cli.invoke(app, ["contacts", "import", str(odd), "--centre", "demo"])
    assert refused.exit_code == 2 and "unknown column(s): 'email', 'age'" in refused.output
    short = write_csv(tmp_path / "c.csv", [["name", "language"]])
    assert "missing column(s): phone" in cli.invoke(
        app, ["contacts", "import", str(short), "--centre", "demo"]).output
    nowhere = cli.invoke(app, ["contacts", "import", str(file), "--centre", "mars"])
    assert nowhere.exit_code == 2 and "no centre 'mars'" in nowhere.output


def test_list_search_and_show(cli: CliRunner, tmp_path: Path, wide: None) -> None:  # noqa: F811
    file = write_csv(tmp_path / "list.csv", [HEADER, *GOOD])
    assert cli.invoke(app, ["contacts", "import", str(file), "--centre", "demo"]).exit_code == 0
    listing = cli.invoke(app, ["contacts", "list", "--centre", "demo"]).output
    assert "Айгүл Серікова" in listing and "Иван Петров" in listing and "tel:+77011234567" in listing
    by_phone = cli.invoke(app, ["contacts", "list", "--search", "8 705 222 33 44"]).output
    assert "Иван Петров" in by_phone and "Айгүл" not in by_phone
    by_name = cli.invoke(app, ["contacts", "list", "--search", "айгүл"]).output
    assert "Айгүл Серікова" in by_name and "telegram:5551" in by_name and "Иван" not in by_name
    contact_id = next(line.split("│")[1].strip() for line in by_name.splitlines() if "Айгүл" in line)
    shown = cli.invoke(app, ["contacts", "show", contact_id])
    assert shown.exit_code == 0, shown.output
    for expected in ("Айгүл Серікова", "centre: demo", "language: kk", "survey consent: not asked",
                     "contact consent (announcements): yes", "identity: tel:+77011234567",
                     "identity: telegram:5551", "last message: none"):
        assert expected in shown.output
    missing = cli.invoke(app, ["contacts", "show", "99999"])
    assert missing.exit_code == 2 and "no contact 99999" in missing.output


async def test_an_imported_number_texting_the_bot_is_the_same_contact(
    database: Database, chat: Chat, clock: FakeClock, tmp_path: Path
) -> None:
    file = write_csv(tmp_path / "list.csv", [["name", "phone", "language"], ["Иван", "8 705 222 33 44", "ru"]])
    async with database.transaction() as session:
        centre = Centre(slug="aksu", name_kk="Ақсу", name_ru="Аксу", oblast="o", district="d",
                        settlement="Ақсу", created_at=clock())
        session.add(centre)
        await session.flush()
        good, rejected = check_rows(contacts_cli.read_rows(file))
        report = await import_rows(session, centre, good, clock())
    assert (report.added, rejected) == (1, [])
    chat.channel, chat.address = SMS, phone_address("+77052223344")
    await chat.send("привет")
    assert chat.last is not None and chat.last.language == "ru"  # the bot answers in Russian
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Contact)) == 1
        contact = await session.scalar(select(Contact))
        assert contact is not None and chat.last.contact_id == contact.id
        assert contact.consent is None  # texting is no consent to surveys


def test_show_lists_enrolments_and_opt_outs(cli: CliRunner, sqlite_url: str, tmp_path: Path) -> None:  # noqa: F811
    from storage.models.courses import Enrolment

    learner = rows(sqlite_url, select(Enrolment.contact_id).order_by(Enrolment.id))[0]
    shown = cli.invoke(app, ["contacts", "show", str(learner)])
    assert shown.exit_code == 0 and "enrolment: computer-1" in shown.output
    file = write_csv(tmp_path / "a.csv", [["name", "phone", "language"], ["Дана", "87471234567", "kk"]])
    assert cli.invoke(app, ["contacts", "import", str(file), "--centre", "demo"]).exit_code == 0

    async def opt_out() -> int:  # the person texted STOP
        db = Database.from_url(sqlite_url)
        try:
            async with db.transaction() as session:
                identity = await session.scalar(select(ChannelIdentity).where(
                    ChannelIdentity.address == "tel:+77471234567"))
                assert identity is not None
                identity.opted_out_at = FakeClock()()
                return identity.contact_id
        finally:
            await db.dispose()

    dana = asyncio.run(opt_out())
    assert "identity: tel:+77471234567 opted out" in cli.invoke(app, ["contacts", "show", str(dana)]).output
