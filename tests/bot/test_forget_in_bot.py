"""A villager erases their own data from the bot: «удалить мои данные» on Telegram, «деректерімді
өшіру» over SMS. Afterwards a search of every table and column finds nothing of theirs, their seat
goes to the next person, and a new message starts afresh."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.channels.base import Sender
from bot.clock import FakeClock
from bot.i18n import Catalogs
from storage.db import Database
from storage.models import Contact, Conversation
from storage.models.courses import Enrolment
from tests.bot.fakes.telegram_api import FakeTelegram
from tests.bot.phones import SmsPhoneWorld, TelegramPhone
from tests.bot.sms_harness import sms_world
from tests.bot.telegram_harness import Villager, running_bot
from tests.bot.test_courses_every_channel import SEEN, one_seat
from tests.built import outbox_sender
from tests.storage.db_search import where_found

RU, KK = SEEN["ru"], SEEN["kk"]
TELEGRAM_ID = 918273645
PHONE = "+77019876543"
PHONE_FORMS = (PHONE, "77019876543", "87019876543", "7019876543")
NAME = "Гүлнар Серікқызы"
TYPED = "Менің ауылымда интернет нашар"


async def test_a_telegram_villager_erases_their_data_and_their_seat_goes_to_the_next_person(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    await one_seat(database)
    fake = FakeTelegram()
    async with sms_world(database, catalogs, clock) as sms, running_bot(fake, database, catalogs, clock) as bot:
        telegram = TelegramPhone(Villager(fake, bot, TELEGRAM_ID, language="ru"))
        await telegram.open()
        await telegram.choose(RU["language"])
        await telegram.say(NAME)  # the name question
        await telegram.say("/phone")
        await telegram.villager.shares_contact(PHONE)
        await telegram.say(TYPED)
        await telegram.choose(RU["courses"])
        await telegram.choose(RU["course"])
        assert RU["seat"] in await telegram.choose(RU["enrol"])

        waiting = SmsPhoneWorld(sms, database, catalogs, clock).phone(2, "ru")
        await waiting.open()
        await waiting.choose(RU["language"])
        await waiting.choose(RU["courses"])
        await waiting.choose(RU["course"])
        await waiting.choose(RU["join"])

        assert [] != await where_found(database, (*PHONE_FORMS, str(TELEGRAM_ID), NAME, TYPED))
        asked = await telegram.say("удалить мои данные")
        assert "Удалить ваши данные?" in asked and "Это нельзя отменить." in asked
        assert "Ничего не удалено." in await telegram.choose("Нет, оставить")
        await telegram.say("/forget")
        done = await telegram.choose("Да, удалить")
        assert "Ваши данные удалены." in done and RU["menu"] not in done

        assert await where_found(database, (*PHONE_FORMS, str(TELEGRAM_ID), NAME, TYPED)) == []
        async with database.transaction() as s:
            assert await s.scalar(select(func.count()).select_from(Conversation)) == 1  # the SMS villager's
            erased = (await s.scalars(select(Contact).where(Contact.deleted_at.is_not(None)))).all()
            assert [c.name for c in erased] == [None]
        senders: dict[str, Sender] = {"telegram": bot.sender, "sms": sms.sender}
        await outbox_sender(database, catalogs, senders, clock=clock).send_due()
        offer = waiting.inbox()  # the freed seat went to the next in line (SMS words it briefly)
        assert "Для вас есть место на курсе «Компьютерная грамотность»!" in offer and "Принять" in offer

        again = await telegram.open()
        assert "Здравствуйте" in again or "Сәлеметсіз" in again  # a stranger again: the language question
        async with database.transaction() as s:
            statuses = (await s.scalars(select(Enrolment.status).order_by(Enrolment.id))).all()
        assert list(statuses) == ["left", "offered"]


async def test_an_sms_villager_erases_their_data_in_kazakh(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    async with sms_world(database, catalogs, clock) as sms:
        phone = SmsPhoneWorld(sms, database, catalogs, clock).phone(5550101, "kk")  # +77015550101
        await phone.open()
        await phone.choose(KK["language"])
        await phone.say("Бекзат Нұрланов")
        asked = await phone.say("деректерімді өшіру")
        assert "Деректеріңізді (есім, телефон, жауаптар, курстар) өшірейік пе?" in asked
        done = await phone.say("1")
        assert "Деректеріңіз өшірілді." in done
        forms = ("+77015550101", "77015550101", "87015550101", "7015550101")
        assert await where_found(database, (*forms, "Бекзат", "Нұрланов")) == []
