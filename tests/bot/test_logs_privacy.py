"""Whole journeys on Telegram and SMS, logged as ``clc-bot run`` logs them: no personal data at INFO.

Issue 14: logs leave the machine more easily than the database (a terminal, a journal, a
support ticket), so at INFO and above a person appears by contact or identity id only, never
by phone number, Telegram id, name or anything they typed. Both villagers type distinctive
words (names, villages, wishes), so the check cannot pass by accident; the journeys go through
the error paths too (a database error in the middle of a step, Twilio down, Twilio naming the
number in its error, a person who blocked the bot), since errors log the most. What is
checked is the text the service's own handler writes, tracebacks included.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from bot.clock import FakeClock
from bot.features.courses import expire_due_offers
from bot.i18n import Catalogs
from storage.db import Database
from storage.erasure import forget_contact
from storage.models import ChannelIdentity, Contact, OutboxMessage
from tests.bot.fakes.telegram_api import FakeTelegram
from tests.bot.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN
from tests.bot.phones import TelegramPhone, TextPhone
from tests.bot.service_logs import ServiceLogs, leaks, service_logs
from tests.bot.sms_harness import SmsWorld, sms_world
from tests.bot.telegram_harness import Villager, running_bot
from tests.bot.test_courses_every_channel import SEEN, one_seat
from tests.built import outbox_sender
from tests.storage.courses_helpers import T0

RU = SEEN["ru"]
TG_USER = 731904652
TG_PHONE = "+77011234567"
TG_PROFILE_NAME = "Жанаргүл"  # the first name on the Telegram profile: never typed, still personal
TG_NAME = "Гульнар Әбдіқадырова"
TG_VILLAGE = "Қызылжарқайың"
TG_WISH = "Хочу курс валяния войлока, позовите Шолпан-апай"
SMS_PHONE = "+77057654321"
SMS_NAME = "Бакытжан Ермекұлы"
SMS_VILLAGE = "Сарыжайлаутөбе"
SMS_WISH = "Нужны вечерние занятия по сварке для Ерлана"

# The needs survey's answers from the menu on (tests/bot/golden/needs_ru.txt): the village
# (8th) and the wishes (last) are typed freely.
SURVEY = ["1", "да", "5;7", "нет", "три", "женский", "4", "VILLAGE", "да", "назад", "нет", "4 9", "3", "3",
          "1 2", "1", "WISH"]
VILLAGE_AT = SURVEY.index("VILLAGE")


def survey(village: str, wish: str) -> list[str]:
    return [{"VILLAGE": village, "WISH": wish}.get(answer, answer) for answer in SURVEY]


@pytest.fixture
def logs() -> Iterator[ServiceLogs]:
    with service_logs("INFO", secrets=[FakeTelegram.token, AUTH_TOKEN]) as captured:
        yield captured


def texting_phone(world: SmsWorld, number: str) -> TextPhone:
    async def send(body: str | None) -> None:
        assert (await world.text(number, body if body is not None else "Сәлем")).status_code == 200

    return TextPhone(send, lambda: "\n".join(world.new_for(number)))


@asynccontextmanager
async def writes_refused(database: Database, table: str) -> AsyncIterator[None]:
    """The database refuses new rows in ``table`` (as when its disk is full) inside the block."""
    if database.is_sqlite:
        create = [f"CREATE TRIGGER refused BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'disk full'); END"]
        drop = ["DROP TRIGGER refused"]
    else:
        create = ["CREATE FUNCTION refused() RETURNS trigger LANGUAGE plpgsql AS "
                  "$$ BEGIN RAISE EXCEPTION 'disk full'; END $$",
                  f"CREATE TRIGGER refused BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION refused()"]
        drop = [f"DROP TRIGGER refused ON {table}", "DROP FUNCTION refused()"]
    async with database.transaction() as session:
        for statement in create:
            await session.execute(text(statement))
    try:
        yield
    finally:
        async with database.transaction() as session:
            for statement in drop:
                await session.execute(text(statement))


async def contact_at(database: Database, address: str) -> tuple[int, int]:
    """(contact id, identity id) of the person at ``address``."""
    async with database.transaction() as session:
        identity = await session.scalar(select(ChannelIdentity).where(ChannelIdentity.address == address))
        assert identity is not None
        return identity.contact_id, identity.id


async def sms_villager_takes_the_seat(texting: TextPhone) -> None:
    """Language, name, the survey with STOP and START in the middle, the course's only seat."""
    await texting.open()
    await texting.choose(RU["language"])
    assert SMS_NAME in await texting.say(SMS_NAME)
    answers = survey(SMS_VILLAGE, SMS_WISH)
    for answer in answers[:3]:
        await texting.say(answer)
    assert "СТАРТ" in await texting.say("STOP")
    assert await texting.say("да") == ""
    assert "С возвращением!" in await texting.say("START")
    for answer in answers[3:]:
        await texting.say(answer)
    await texting.choose(RU["courses"])
    await texting.choose(RU["course"])
    assert "Вы записаны" in await texting.choose(RU["enrol"])


async def telegram_villager_waits(telegram: TelegramPhone, database: Database) -> None:
    """Language, name, the survey (the database failing once at the village), the phone
    number shared, the course's waiting list."""
    await telegram.open()
    await telegram.choose(RU["language"])
    assert TG_NAME in await telegram.say(TG_NAME)
    answers = survey(TG_VILLAGE, TG_WISH)
    await telegram.villager.answers_like_a_transcript(answers[:VILLAGE_AT])
    async with writes_refused(database, "survey_answers"):
        assert "ошибка" in await telegram.say(TG_VILLAGE)  # the apology; the answer is asked again
    await telegram.villager.answers_like_a_transcript(answers[VILLAGE_AT:])
    assert "Ваши ответы сохранены" in telegram.inbox()
    await telegram.say("/phone")
    await telegram.villager.shares_contact(TG_PHONE)
    assert "номер телефона сохранён" in telegram.inbox()
    await telegram.choose(RU["courses"])
    await telegram.choose(RU["course"])
    assert RU["waiting"] in await telegram.choose(RU["join"])


async def test_whole_journeys_log_ids_and_never_personal_data(
    database: Database, catalogs: Catalogs, clock: FakeClock, logs: ServiceLogs
) -> None:
    await one_seat(database)
    fake = FakeTelegram(first_names={TG_USER: TG_PROFILE_NAME})
    async with sms_world(database, catalogs, clock) as sms, running_bot(fake, database, catalogs, clock) as bot:
        outbox = outbox_sender(database, catalogs, {"telegram": bot.sender, "sms": sms.sender}, clock=clock)
        texting = texting_phone(sms, SMS_PHONE)
        telegram = TelegramPhone(Villager(fake, bot, TG_USER, language="ru"))
        await sms_villager_takes_the_seat(texting)
        await telegram_villager_waits(telegram, database)

        # Twilio down while the SMS villager is answered (the outbox keeps the reply), then
        # Twilio refusing that reply with an error that names the number.
        sms.fake.fail_next.append((500, 20500, "Internal Server Error"))
        assert await texting.say("меню") == ""
        clock.advance(minutes=1)
        sms.fake.fail_next.append((400, 21211, f"The 'To' number {SMS_PHONE} is not a valid phone number."))
        assert await outbox.send_due() == 1 and sms.fake.fail_next == []
        # The SMS villager leaves: the outbox offers the seat on Telegram; the offer lapses
        # after the Telegram villager blocked the bot, and the notice meets a 403.
        await texting.say("меню")
        await texting.choose(RU["mine"])
        await texting.choose(RU["course"])
        await texting.choose(RU["leave"])
        assert "Вы ушли" in await texting.choose(RU["yes_leave"])
        assert await outbox.send_due() == 1
        assert RU["offer"] in telegram.inbox()
        fake.blocked.add(TG_USER)
        clock.advance(hours=49)
        async with database.transaction() as session:
            assert await expire_due_offers(session, clock()) == 1
        assert await outbox.send_due() == 1
        assert telegram.inbox() == ""
        # The carrier reports that the SMS villager texted STOP to it.
        report = await sms.report(sms.fake.sent[-1].sid, "undelivered", error_code="21610", to=SMS_PHONE)
        assert report.status_code == 204
    async with database.transaction() as session:
        failed = list(await session.scalars(select(OutboxMessage.last_error).where(OutboxMessage.status == "failed")))
    assert any("21211" in (e or "") for e in failed) and any("unreachable" in (e or "") for e in failed)
    tg_contact, _ = await contact_at(database, f"telegram:{TG_USER}")
    _, sms_identity = await contact_at(database, f"tel:{SMS_PHONE}")
    async with database.transaction() as session:  # the Telegram villager asks to be forgotten
        await forget_contact(session, tg_contact, clock(), reason=f"{TG_NAME} asked")

    records = [r for r in logs.records if r.levelno >= logging.INFO]
    # Logging was on, at INFO, through the error paths, and people appear by their ids.
    assert any(r.name.startswith(("bot.", "storage.")) and r.levelno == logging.INFO for r in records)
    assert any(r.name == "bot.dispatcher" and r.exc_info for r in records), "the database error is logged"
    assert f"identity {sms_identity} opted out" in logs.text
    assert f"contact {tg_contact} forgotten" in logs.text
    assert not [r.name for r in records if r.name.startswith(("twilio", "httpx", "apscheduler", "sqlalchemy"))]
    private = [
        str(TG_USER), TG_PROFILE_NAME, *TG_NAME.split(), TG_VILLAGE, TG_WISH, *TG_WISH.split(", "),
        *SMS_NAME.split(), SMS_VILLAGE, SMS_WISH, *SMS_WISH.split(" для "), ACCOUNT_SID,
    ]
    assert leaks(logs.text, phones=[TG_PHONE, SMS_PHONE], private=private) == []


async def test_a_database_error_quoting_a_phone_number_is_logged_without_it(
    database: Database, logs: ServiceLogs
) -> None:
    """A unique violation, as when two processes record the same new person at once: SQLite and
    SQLAlchemy quote the statement's parameters, PostgreSQL the duplicate key's values too."""
    address = f"tel:{SMS_PHONE}"
    async with database.transaction() as session:
        contact = Contact(created_at=T0, language="ru", name=SMS_NAME)
        session.add(contact)
        await session.flush()
        session.add(ChannelIdentity(contact_id=contact.id, channel="sms", address=address, created_at=T0))
    try:
        async with database.transaction() as session:
            session.add(ChannelIdentity(contact_id=contact.id, channel="sms", address=address, created_at=T0))
    except IntegrityError:
        logging.getLogger("bot.dispatcher").exception("step failed for sms (provider id SM1)")
    # The engine hides the parameters itself (storage.db); the formatter would hide them otherwise.
    assert "IntegrityError" in logs.text and "[SQL parameters hidden due to hide_parameters=True]" in logs.text
    if not database.is_sqlite:
        assert "Key (channel, address)=(…) already exists" in logs.text
    assert leaks(logs.text, phones=[SMS_PHONE], private=[address]) == []


def test_a_traceback_is_masked_like_the_message(logs: ServiceLogs) -> None:
    """Secrets and quoted rows are hidden in exception text too, which the filter never sees."""
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{FakeTelegram.token}/sendMessage with {AUTH_TOKEN}"
                           f"\nDETAIL:  Failing row contains (7, sms, tel:{SMS_PHONE}).")
    except RuntimeError:
        logging.getLogger("bot.outbox").exception("outbox row 7: sending failed")
    assert "outbox row 7: sending failed" in logs.text and "/bot***/sendMessage with ***" in logs.text
    assert "Failing row contains (…)" in logs.text
    assert leaks(logs.text, phones=[SMS_PHONE], private=[FakeTelegram.token, AUTH_TOKEN]) == []
