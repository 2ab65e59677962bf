"""One person on two channels: enrolled by SMS, then the same phone shared on Telegram.

After ``/phone`` the two contacts are one (``storage.merge``): My enrolments on Telegram shows
the course joined over SMS, and a seat offer for it reaches Telegram.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.channels.base import Sender
from bot.clock import FakeClock
from bot.i18n import Catalogs
from storage.db import Database
from storage.models import Contact
from storage.models.courses import Enrolment
from tests.bot.fakes.telegram_api import FakeTelegram
from tests.bot.phones import SmsPhoneWorld, TelegramPhone
from tests.bot.sms_harness import sms_world
from tests.bot.telegram_harness import Villager, running_bot
from tests.bot.test_courses_every_channel import SEEN, one_seat
from tests.built import outbox_sender

RU = SEEN["ru"]
COURSE = RU["course"]


async def test_an_sms_enrolment_follows_the_phone_to_telegram(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    await one_seat(database)
    fake = FakeTelegram()
    async with sms_world(database, catalogs, clock) as sms, running_bot(fake, database, catalogs, clock) as bot:
        texts = SmsPhoneWorld(sms, database, catalogs, clock)
        seated, waiting = texts.phone(1, "ru"), texts.phone(2, "ru")  # +77010000001, +77010000002
        for phone, action in ((seated, "enrol"), (waiting, "join")):
            await phone.open()
            await phone.choose(RU["language"])
            await phone.choose(RU["courses"])
            await phone.choose(COURSE)
            await phone.choose(RU[action])

        telegram = TelegramPhone(Villager(fake, bot, 4242, language="ru"))
        await telegram.open()
        assert RU["menu"] in await telegram.choose(RU["language"])
        assert COURSE not in await telegram.choose(RU["mine"])
        await telegram.say("/start")
        await telegram.say("/phone")
        await telegram.villager.shares_contact("+77010000002")
        telegram.inbox()

        mine = await telegram.say("/my")
        assert COURSE in mine and RU["mine_waiting"] in mine

        await seated.say("меню")  # SMS points to the menu after enrolling
        await seated.choose(RU["mine"])
        await seated.choose(COURSE)
        await seated.choose(RU["leave"])
        assert RU["left"] in await seated.choose(RU["yes_leave"])
        senders: dict[str, Sender] = {"telegram": bot.sender, "sms": sms.sender}
        assert await outbox_sender(database, catalogs, senders, clock=clock).send_due() == 1
        assert RU["offer"] in telegram.inbox()
        assert waiting.inbox() == ""  # Telegram is preferred: one notice, not two
        assert RU["confirmed"] in await telegram.choose(RU["accept"])

    async with database.transaction() as session:
        rows = (await session.execute(select(Enrolment.contact_id, Enrolment.status))).all()
        merged = (await session.scalars(select(Contact.id).where(Contact.merged_into_id.is_not(None)))).all()
    assert len(merged) == 1
    assert sorted(status for _, status in rows) == ["enrolled", "left"]
    assert merged[0] not in {contact for contact, _ in rows}
