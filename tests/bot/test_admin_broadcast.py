"""``clc-admin broadcast`` (issue 16): create, preview, send, status, cancel, list; bad input as
one line and a non-zero exit; a facilitator of another centre refused (``--as``)."""

from __future__ import annotations

import asyncio

import pytest
from typer.testing import CliRunner

from admin_cli import app
from bot.clock import FakeClock
from storage.db import Database
from storage.models import ChannelIdentity, Contact, FacilitatorRole
from tests.storage.broadcast_seed import Seeded, at, seed
from tests.storage.courses_helpers import T0

NOW = at(9)  # 14:00 in Almaty
OTHER_FACILITATOR = "+77011119999"


def seeded_with_staff(url: str) -> Seeded:
    async def run() -> Seeded:
        db = Database.from_url(url)
        try:
            s = await seed(db)
            async with db.transaction() as session:
                staff = Contact(created_at=T0, language="ru", centre_id=s.other_centre_id)
                session.add(staff)
                await session.flush()
                session.add_all([
                    ChannelIdentity(contact_id=staff.id, channel="sms", address=f"tel:{OTHER_FACILITATOR}",
                                    created_at=T0),
                    FacilitatorRole(contact_id=staff.id, centre_id=s.other_centre_id, created_at=T0)])
            return s
        finally:
            await db.dispose()

    return asyncio.run(run())


@pytest.fixture
def seeded(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Seeded:
    from bot.admin import broadcast, runner, scope

    monkeypatch.setenv("CLC_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("CLC_ADMIN_AS", raising=False)
    for module in (broadcast, runner, scope):
        monkeypatch.setattr(module.console, "width", 200)
    monkeypatch.setattr(broadcast, "clock", FakeClock(NOW))
    return seeded_with_staff(sqlite_url)


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == code, (args, result.output)
    assert "Traceback" not in result.output
    return result.output


def test_create_preview_send_status_and_list(seeded: Seeded) -> None:
    created = run("broadcast", "create", "--centre", "aksu", "--text-kk", "Жұмада жиналыс",
                  "--text-ru", "В пятницу собрание", "--language", "ru")
    assert "broadcast 1 created, draft" in created
    shown = run("broadcast", "preview", "1")
    assert "1 recipients" in shown and "on sms" in shown and "skipped: opted out" in shown
    assert "В пятницу собрание" in shown and "total SMS segments: 1" in shown
    assert "1 message(s) queued; skipped opted out: 1, unreachable: 1" in run("broadcast", "send", "1")
    status = run("broadcast", "status", "1", "--once")
    assert "pending" in status and "0/1" in status
    assert "sending" in run("broadcast", "list")
    assert "cancelled; 1 message(s) not sent" in run("broadcast", "cancel", "1")
    assert "nothing to cancel" in run("broadcast", "cancel", "1", code=2)


def test_scheduled_at_local_time_and_course_options(seeded: Seeded) -> None:
    created = run("broadcast", "create", "--centre", "aksu", "--text", "Сабақ ертең", "--at", "2026-03-02 18:30",
                  "--for-course", "computer-1")
    assert "scheduled for 2026-03-02 18:30 (Asia/Almaty)" in created
    listed = run("broadcast", "list")
    assert "scheduled" in listed and "2026-03-02 18:30" in listed
    assert "1 recipients" in run("broadcast", "preview", "1")  # aigul: computers, not on the course


@pytest.mark.parametrize(("args", "line"), [
    (["--text", " "], "the text is empty"),
    (["--text", "ы" * 4097], "the text has 4097 characters; Telegram takes at most 4096"),
    (["--text-kk", "Сәлем"], "give the text in Kazakh and in Russian"),
    (["--text", "x", "--survey", "age < < 30"], "position 7"),
    (["--text", "x", "--course", "nope-1"], "no course 'nope-1' at centre 'aksu'"),
    (["--text", "x", "--at", "2026-03-02 13:59"], "that time is in the past"),
    (["--text", "x", "--at", "tomorrow"], "give the centre's local time as 'YYYY-MM-DD HH:MM'"),
    (["--text", "x", "--channel", "fax"], "give telegram or sms"),
])
def test_bad_input_is_one_line_and_a_non_zero_exit(seeded: Seeded, args: list[str], line: str) -> None:
    result = CliRunner().invoke(app, ["broadcast", "create", "--centre", "aksu", *args])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert line in result.output and len(result.output.strip().splitlines()) == 1, result.output


def test_unknown_centre_and_another_centres_facilitator_refused(seeded: Seeded) -> None:
    run("broadcast", "create", "--centre", "aksu", "--text", "Жиналыс")
    assert "mars" in run("broadcast", "create", "--centre", "mars", "--text", "x", code=1)
    refused = run("--as", OTHER_FACILITATOR, "broadcast", "create", "--centre", "aksu", "--text", "x", code=1)
    assert "not a facilitator at centre 'aksu'" in refused
    for command in (["preview", "1"], ["send", "1"], ["status", "1", "--once"], ["cancel", "1"]):
        output = run("--as", OTHER_FACILITATOR, "broadcast", *command, code=2)
        assert "no broadcast 1" in output and "Жиналыс" not in output
    assert "no broadcasts" in run("--as", OTHER_FACILITATOR, "broadcast", "list")


def test_a_course_announcement_without_a_text_has_the_course_its_dates_and_enrol(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "broadcast 1 created, draft" in run("broadcast", "create", "--centre", "aksu", "--for-course",
                                                "computer-1")
    shown = run("broadcast", "preview", "1")
    assert "Новый курс в вашем центре: «Компьютерная грамотность»." in shown
    assert "Первое занятие: 9 марта, 14:00, Школа, кабинет 12." in shown
    assert "Орталығыңызда жаңа курс: «Компьютер сауаттылығы»." in shown
    assert "1 Записаться" in shown and "1 Жазылу" in shown  # how to enrol by SMS
    assert "segment(s) of UCS-2" in shown
    monkeypatch.setenv("CLC_SMS_TRANSLITERATE", "true")  # the SMS as it will go: Latin, cheaper
    latin = run("broadcast", "preview", "1")
    assert "Novyy kurs v vashem tsentre" in latin and "segment(s) of GSM-7" in latin
    assert "segment(s) of UCS-2" not in latin
