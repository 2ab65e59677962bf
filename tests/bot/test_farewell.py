"""The farewell after ``clc-admin contact forget`` (issue 14): the person is told on their
channels, in their language, that their data is gone, unless they opted out (SMS STOP) or the
channel cannot deliver; the farewell row goes once sent or given up, so afterwards a search of
every table and column finds nothing of them."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

import bot.admin.contact
from admin_cli import app
from bot.clock import FakeClock
from bot.features.privacy import forget_and_tell, forget_expired
from bot.i18n import Catalogs
from bot.outbox import FAREWELL
from flows.errors import PermanentFailure, Refused
from storage.db import Database
from storage.models import ChannelIdentity, Contact, OutboxMessage
from tests.bot.fakes.telegram_api import FakeTelegram
from tests.bot.sms_harness import SmsWorld, sms_world
from tests.bot.telegram_harness import Villager, running_bot
from tests.bot.test_outbox import RecordingSender
from tests.built import outbox_sender
from tests.storage.test_erasure import _all_text

PHONE = "+77017654321"
PHONE_FORMS = (PHONE, PHONE[1:], "8" + PHONE[2:], PHONE[2:])
TELEGRAM_USER = 918273646
FAREWELL_KK = "Жеке деректеріңіз оқу орталығының ботынан өшірілді. Қайта жазсаңыз, бәрі басынан басталады."
FAREWELL_RU = "Ваши личные данные удалены из бота центра обучения. Если напишете снова, начнём заново."
TYPED = ("Менің атым Динара", "Динара Оспанова")


async def _contact_at(database: Database, address: str) -> int:
    async with database.transaction() as s:
        found = await s.scalar(select(ChannelIdentity.contact_id).where(ChannelIdentity.address == address))
        assert found is not None
        return found


async def _outbox_rows(database: Database) -> int:
    async with database.transaction() as s:
        return int(await s.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


async def _leaks(database: Database, secrets: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(where, secret) for where, text in await _all_text(database) for secret in secrets if secret in text]


async def _sms_villager_in_kazakh(world: SmsWorld) -> None:
    await world.say(PHONE, "сәлем")
    await world.say(PHONE, "1")  # Қазақша
    for text in TYPED:
        await world.say(PHONE, text)


async def test_an_sms_villager_is_told_in_kazakh_and_then_nothing_of_them_is_left(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    async with sms_world(database, catalogs, clock) as world:
        await _sms_villager_in_kazakh(world)
        contact_id = await _contact_at(database, f"tel:{PHONE}")
        async with database.transaction() as s:
            await forget_and_tell(s, contact_id, clock(), "asked at the centre")
        assert await _leaks(database, (f"tel:{PHONE}",)) != []  # only in the farewell row, until sent
        assert await outbox_sender(database, catalogs, {"sms": world.sender}, clock=clock).send_due() == 1
        assert world.new_for(PHONE) == [FAREWELL_KK]
    assert await _outbox_rows(database) == 0
    assert await _leaks(database, (*PHONE_FORMS, *TYPED)) == []
    async with database.transaction() as s:
        assert (await s.get_one(Contact, contact_id)).deleted_at == clock()


async def test_a_number_that_texted_stop_gets_no_farewell(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    async with sms_world(database, catalogs, clock) as world:
        await _sms_villager_in_kazakh(world)
        await world.say(PHONE, "STOP")
        contact_id = await _contact_at(database, f"tel:{PHONE}")
        async with database.transaction() as s:
            await forget_and_tell(s, contact_id, clock())
        assert await outbox_sender(database, catalogs, {"sms": world.sender}, clock=clock).send_due() == 0
        assert world.new_for(PHONE) == []
    assert await _outbox_rows(database) == 0
    assert await _leaks(database, (*PHONE_FORMS, *TYPED)) == []


async def test_one_farewell_per_address_still_written_to_each_sent_by_its_channel_then_gone(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    """SMS and Telegram: one each; a Telegram account that blocked the bot and a number that
    left by STOP get none. A process without SMS leaves the SMS farewell to one that has it;
    a farewell the provider refuses is given up and deleted all the same."""
    async with database.transaction() as s:
        person = Contact(created_at=clock(), language="ru", name="Динара")
        s.add(person)
        await s.flush()
        s.add_all([
            ChannelIdentity(contact_id=person.id, channel="sms", address=f"tel:{PHONE}", created_at=clock()),
            ChannelIdentity(contact_id=person.id, channel="sms", address="tel:+77010000009", created_at=clock(),
                            opted_out_at=clock()),
            ChannelIdentity(contact_id=person.id, channel="telegram", address=f"telegram:{TELEGRAM_USER}",
                            created_at=clock()),
            ChannelIdentity(contact_id=person.id, channel="telegram", address="telegram:7", created_at=clock(),
                            unreachable_at=clock()),
        ])
        person_id = person.id
    async with database.transaction() as s:
        await forget_and_tell(s, person_id, clock())
        queued = (await s.execute(select(OutboxMessage.kind, OutboxMessage.channel))).all()
    assert sorted(tuple(row) for row in queued) == [(FAREWELL, "sms"), (FAREWELL, "telegram")]

    telegram = RecordingSender("telegram")
    assert await outbox_sender(database, catalogs, {"telegram": telegram}, clock=clock).send_due() == 1
    assert telegram.sent == [(f"telegram:{TELEGRAM_USER}", FAREWELL_RU)]
    refusing = RecordingSender("sms", fail_with=PermanentFailure("Twilio 400 error 21211"))
    assert await outbox_sender(database, catalogs, {"sms": refusing}, clock=clock).send_due() == 1
    assert refusing.sent == []
    assert await _outbox_rows(database) == 0
    assert await _leaks(database, (*PHONE_FORMS, str(TELEGRAM_USER), "Динара")) == []


def _forget_by_cli(contact_id: int) -> str:
    done = CliRunner().invoke(app, ["contact", "forget", str(contact_id), "--reason", "asked", "--yes"])
    assert done.exit_code == 0, done.output
    return done.output


async def test_a_telegram_villager_forgotten_by_the_cli_reads_the_farewell_in_russian(
    sqlite_url: str, catalogs: Catalogs, clock: FakeClock, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The CLI opens the database by its URL, in a thread of its own (it runs its own loop).
    monkeypatch.setenv("CLC_DATABASE_URL", sqlite_url)
    monkeypatch.setattr(bot.admin.contact, "clock", clock)
    database = Database.from_url(sqlite_url)
    fake = FakeTelegram()
    try:
        async with running_bot(fake, database, catalogs, clock) as channel:
            villager = Villager(fake, channel, TELEGRAM_USER)
            await villager.in_russian()
            for text in TYPED:
                await villager.says(text)
            contact_id = await _contact_at(database, f"telegram:{TELEGRAM_USER}")
            before = len(fake.chat(TELEGRAM_USER))
            assert f"contact {contact_id} forgotten" in await asyncio.to_thread(_forget_by_cli, contact_id)
            assert await outbox_sender(database, catalogs, {"telegram": channel.sender}, clock=clock).send_due() == 1
            assert [m.text for m in fake.chat(TELEGRAM_USER)[before:]] == [FAREWELL_RU]
        assert await _outbox_rows(database) == 0
        assert await _leaks(database, (str(TELEGRAM_USER), *TYPED)) == []
    finally:
        await database.dispose()


async def test_an_unknown_contact_is_refused(database: Database, clock: FakeClock) -> None:
    async with database.transaction() as s:
        with pytest.raises(Refused):
            await forget_and_tell(s, 999, clock())


async def test_a_farewell_no_process_ever_sends_is_dropped_with_its_address_after_a_week(
    database: Database, clock: FakeClock
) -> None:
    """On a bot without SMS, an imported person's SMS farewell would keep their number forever."""
    async with database.transaction() as s:
        person = Contact(created_at=clock(), language="kk", name="Динара")
        s.add(person)
        await s.flush()
        s.add(ChannelIdentity(contact_id=person.id, channel="sms", address=f"tel:{PHONE}", created_at=clock()))
        person_id = person.id
    async with database.transaction() as s:
        await forget_and_tell(s, person_id, clock())
    assert await forget_expired(database, clock() + dt.timedelta(days=6), 730) == []
    assert await _outbox_rows(database) == 1  # still waiting for a process with SMS
    await forget_expired(database, clock() + dt.timedelta(days=8), 730)
    assert await _outbox_rows(database) == 0
    assert await _leaks(database, PHONE_FORMS) == []
