"""STOP / СТОП / ТОҚТА: confirmed once, then nothing of any kind reaches the number until
START / СТАРТ / БАСТАУ; queued messages skip it; Twilio's 21610 opts out too."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from bot.i18n import Catalogs
from bot.outbox import enqueue
from flows.events import Localized, Reply
from storage.db import Database
from storage.models import ChannelIdentity, InboundMessage, OutboxMessage
from tests.bot.sms_harness import SmsWorld, sms_world
from tests.built import outbox_sender

PHONE = "+77011234567"
NEWS = Reply(body=(Localized(kk="Ертең сабақ жоқ.", ru="Завтра занятий нет."),))


async def queue_news(database: Database, clock: FakeClock) -> int:
    async with database.transaction() as session:
        identity = await session.scalar(select(ChannelIdentity).where(ChannelIdentity.address == "tel:" + PHONE))
        assert identity is not None
        row = await enqueue(session, contact_id=identity.contact_id, replies=[NEWS], kind="moved", now=clock())  # a plain notice
        return row.id


async def outbox_row(database: Database, row_id: int) -> OutboxMessage:
    async with database.transaction() as session:
        row = await session.get(OutboxMessage, row_id)
        assert row is not None
        return row


async def opted_out_at(database: Database) -> object:
    async with database.transaction() as session:
        return await session.scalar(select(ChannelIdentity.opted_out_at).where(ChannelIdentity.address == "tel:" + PHONE))


async def in_kazakh(world: SmsWorld) -> None:
    await world.say(PHONE, "hello")
    assert "Мәзір:\n1 Сауалнама" in "".join(await world.say(PHONE, "1"))


@pytest.mark.parametrize(("stop", "start"), [("STOP", "START"), ("стоп", "Старт"), ("Тоқта", "БАСТАУ"),
                                             ("  stop ", "start")])
async def test_stop_then_silence_then_start(
    database: Database, catalogs: Catalogs, clock: FakeClock, stop: str, start: str
) -> None:
    async with sms_world(database, catalogs, clock) as world:
        outbox = outbox_sender(database, catalogs, {"sms": world.sender}, clock=clock)
        await in_kazakh(world)
        assert await world.say(PHONE, stop) == [
            "Енді сізге бізден хабарлама келмейді. Қайта бастау үшін БАСТАУ деп жіберіңіз."
        ]
        assert await opted_out_at(database) == clock()
        for text in (stop, "1", "көмек", "HELP", "menu", "what?"):
            assert await world.say(PHONE, text) == []  # confirmed once; nothing else
        skipped = await queue_news(database, clock)
        assert await outbox.send_due() == 1
        assert world.new_for(PHONE) == []
        assert (await outbox_row(database, skipped)).status == "skipped"

        back = await world.say(PHONE, start)
        assert len(back) == 1
        assert back[0].startswith("Қайта қосылдыңыз! Хабарламаларымыз сізге қайтадан келеді.")
        assert "Мәзір:\n1 Сауалнама" in back[0]
        assert await opted_out_at(database) is None
        delivered = await queue_news(database, clock)
        await outbox.send_due()
        assert world.new_for(PHONE) == ["Ертең сабақ жоқ."]
        assert (await outbox_row(database, delivered)).status == "sent"
    async with database.transaction() as session:
        texts = list(await session.scalars(select(InboundMessage.text).order_by(InboundMessage.id)))
    assert stop in texts and "what?" in texts  # kept as received, even while opted out


async def test_stop_in_the_middle_of_the_survey_is_honoured(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    async with sms_world(database, catalogs, clock) as world:
        await world.say(PHONE, "hello")
        await world.say(PHONE, "2")
        assert "\n1/" in (await world.say(PHONE, "1"))[0]  # SMS's short "question 1 of 15"
        assert await world.say(PHONE, "СТОП") == [
            "Вы больше не будете получать от нас сообщения. Чтобы возобновить, отправьте СТАРТ."
        ]
        assert await world.say(PHONE, "да") == []


async def test_a_carrier_stop_21610_on_send_and_in_a_report_opts_the_number_out(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    async with sms_world(database, catalogs, clock) as world:
        outbox = outbox_sender(database, catalogs, {"sms": world.sender}, clock=clock)
        await in_kazakh(world)
        world.fake.stopped.add(PHONE)
        row_id = await queue_news(database, clock)
        await outbox.send_due()
        row = await outbox_row(database, row_id)
        assert row.status == "failed" and "21610" in (row.last_error or "")
        assert world.new_for(PHONE) == []

        world.fake.stopped.clear()
        await world.say(PHONE, "1")  # they write again: reachable again, answered
        sid = world.fake.sent[-1].sid
        response = await world.report(sid, "failed", error_code="21610", to=PHONE)
        assert response.status_code == 204
        assert await opted_out_at(database) == clock()
        assert await world.say(PHONE, "menu") == []
        back = (await world.say(PHONE, "start"))[0]  # opted in again, back at the survey they began
        assert "Қайта қосылдыңыз!" in back and "\n1/" in back  # START opts in again first
