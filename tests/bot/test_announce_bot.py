"""/announce end to end (issue 16, "Done when"): a facilitator composes and sends in Kazakh on
Telegram and in Russian over SMS, and the seeded audience receives it through the fake Bot API
and the fake Twilio API after the outbox runs; those without consent, opted out or unreachable
get nothing; a villager is refused; a facilitator of another centre cannot reach these people."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.dispatcher import Dispatcher
from bot.effects import EffectContext
from bot.features import announce
from bot.features.broadcasting import broadcasts_job
from bot.i18n import Catalogs
from bot.scheduler import JobContext
from flows.announce_facts import CreateBroadcast, Texts
from flows.audience import Audience
from flows.errors import StaleFacts
from flows.events import Inbound
from storage.db import Database
from storage.models import ChannelIdentity, Contact, FacilitatorRole
from storage.models.broadcasts import Broadcast
from tests.bot.centre_pair import two_centres
from tests.bot.phones import SmsPhoneWorld, TelegramWorld, world_of
from tests.built import FEATURES
from tests.conftest import Chat
from tests.storage.courses_helpers import T0, make_centre

KK_TEXT = "Ертең сағат 18:00-де орталықта жиналыс болады 🎉"
RU_TEXT = "Завтра в 18:00 в центре собрание 🎉"


async def seed(database: Database, channel: str, addresses: dict[str, str]) -> None:
    """The centre and its people: ``kk`` and ``ru`` consented, ``unsure`` never asked, ``gone``
    unreachable (Telegram blocked) or opted out (SMS STOP)."""
    async with database.transaction() as session:
        centre = await make_centre(session)
        for who, address in addresses.items():
            contact = Contact(created_at=T0, centre_id=centre.id, language="ru" if who == "ru" else "kk",
                              contact_consent=None if who == "unsure" else True, name=who)
            session.add(contact)
            await session.flush()
            identity = ChannelIdentity(contact_id=contact.id, channel=channel, address=address, created_at=T0)
            if who == "gone":
                if channel == "sms":
                    identity.opted_out_at = T0
                else:
                    identity.unreachable_at = T0
            session.add(identity)


async def make_facilitator(database: Database, address: str) -> None:
    async with database.transaction() as session:
        contact_id = await session.scalar(select(ChannelIdentity.contact_id).where(ChannelIdentity.address == address))
        assert contact_id is not None
        session.add(FacilitatorRole(contact_id=contact_id, centre_id=1, created_at=T0))


async def test_a_facilitator_announces_in_kazakh_on_telegram(
    database: Database, clock: FakeClock, catalogs: Catalogs
) -> None:
    await seed(database, "telegram", {"kk": "telegram:2001", "ru": "telegram:2002", "unsure": "telegram:2003",
                                      "gone": "telegram:2004"})
    async with world_of("telegram", database, catalogs, clock) as world:
        assert isinstance(world, TelegramWorld)
        phone = world.phone(1, "kk")
        await phone.open()
        await phone.choose("Қазақша")
        await make_facilitator(database, "telegram:1001")
        assert "Жаңа хабарландыру." in await phone.say("/announce")
        assert await phone.choose("Қазақша және орысша мәтіндер") == "Хабарландыруды қазақша жазыңыз."
        assert "Хабарландыру бос болмауы керек." in await phone.say("   ")
        await phone.say(KK_TEXT)
        await phone.say(RU_TEXT)
        await phone.choose("Орталықтағы барлық адам")
        assert await world.deliver() == 0  # nothing goes out while composing
        preview = await phone.choose("Қазір")
        # The facilitator is at the centre too and has talked to the bot: three of five.
        assert f"Қазақша:\n\n{KK_TEXT}\nОрысша:\n\n{RU_TEXT}" in preview
        assert "Оны 3 адам алады:\n\nАрналар бойынша: Telegram 3.\n\nҚазақша: 2, орысша: 1." in preview
        assert "Жіберілмейді, хабарласуға келісім жоқ: 1" in preview
        assert "Жіберілмейді, байланыс мүмкін емес: 1" in preview and "SMS" not in preview
        assert world.fake.texts(2001) == []
        done = await phone.choose("Растау және жіберу")
        assert "Жарайды, хабарландыру қазір 3 адамға жіберіліп жатыр." in done
        assert await world.deliver() == 3
    assert world.fake.texts(2001) == [KK_TEXT] and world.fake.texts(2002) == [RU_TEXT]
    assert world.fake.texts(2003) == [] and world.fake.texts(2004) == []


async def test_a_facilitator_announces_in_russian_over_sms_to_russian_speakers(
    database: Database, clock: FakeClock, catalogs: Catalogs
) -> None:
    await seed(database, "sms", {"kk": "tel:+77012000001", "ru": "tel:+77012000002", "gone": "tel:+77012000003"})
    async with database.transaction() as session:  # a second Russian speaker who texted STOP
        await session.execute(ChannelIdentity.__table__.update().where(
            ChannelIdentity.address == "tel:+77012000003").values(opted_out_at=T0))
        gone = await session.scalar(select(ChannelIdentity.contact_id).where(
            ChannelIdentity.address == "tel:+77012000003"))
        (await session.get_one(Contact, gone)).language = "ru"
    async with world_of("sms", database, catalogs, clock) as world:
        assert isinstance(world, SmsPhoneWorld)
        phone = world.phone(1, "ru")
        await phone.open()
        await phone.choose("Русский")
        await make_facilitator(database, "tel:+77010000001")
        asked = await phone.say("объявление")
        assert "Новое объявление: один текст для всех или на казахском и русском?" in asked  # the SMS wording
        await phone.choose("Один текст для всех")
        too_long = await phone.say("я" * 4097)
        assert "Слишком длинно: 4" in too_long and "097, максимум 4" in too_long
        await phone.say(RU_TEXT)
        await phone.choose("Говорящие на русском")
        await phone.choose("В выбранное время")
        assert "Это время уже прошло." in await phone.say("02.03.2026 13:00")
        assert "Не удалось понять" in await phone.say("завтра вечером")
        preview = await phone.say("02.03 18:00")
        # The facilitator and the other Russian speaker by SMS; the one who texted STOP is counted.
        assert "Его получат 2 человека:" in preview and "По каналам: SMS 2." in preview
        assert "На человека: 1 SMS." in preview and "Всего: 2 SMS." in preview
        assert "Не получат, отписались от сообщений: 1" in preview
        assert "Отправить 2 марта, 18:00?" in preview
        done = await phone.choose("Подтвердить и отправить")
        assert "Готово: объявление будет отправлено 2 марта, 18:00." in done
        async with database.transaction() as session:
            row = await session.scalar(select(Broadcast))
            assert row is not None and row.status == "scheduled" and row.created_by.startswith("contact:")
        assert world.world.new_for("+77012000002") == []  # not before its time
        clock.advance(hours=4)  # 18:00 in Almaty: the broadcasts job queues it, the outbox sends it
        assert await broadcasts_job(JobContext(database, catalogs, clock)) == 1
        assert await world.deliver() == 2
    assert world.world.new_for("+77012000002") == [RU_TEXT]
    assert world.world.new_for("+77012000001") == [] and world.world.new_for("+77012000003") == []


async def test_a_villager_is_refused(database: Database, clock: FakeClock, catalogs: Catalogs) -> None:
    async with database.transaction() as session:
        await make_centre(session)
    chat = Chat(Dispatcher(database, FEATURES, clock=clock), catalogs, address="sim:villager")
    await chat.send()
    await chat.send("2")
    for word in ("объявление", "/announce", "хабарландыру"):
        answer = await chat.say(word)
        assert "Этот раздел только для сотрудников центра." in answer and "Главное меню" in answer
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Broadcast)) == 0


async def test_a_facilitator_of_another_centre_cannot_reach_this_centres_people(
    database: Database, clock: FakeClock, catalogs: Catalogs
) -> None:
    pair = await two_centres(database)
    async with database.transaction() as session:
        identity = await session.scalar(select(ChannelIdentity).where(
            ChannelIdentity.contact_id == pair.b_facilitator))
        assert identity is not None
        address = identity.address
    chat = Chat(Dispatcher(database, FEATURES, clock=clock), catalogs, channel="sms", address=address)
    await chat.send("привет")
    await chat.send("2")
    await chat.say("объявление")
    await chat.say("1")  # one text
    await chat.say("Всем привет")
    courses = await chat.say("4")  # a course's learners: only B's course is listed
    assert "Английский язык" in courses and "Вышивка" not in courses
    forged = await chat.say(choice=f"k{pair.a_course}", context="announce:course:learners")
    assert "Вышивка" not in forged and "Асель" not in forged
    async with database.transaction() as session:
        contact = await session.get_one(Contact, pair.b_facilitator)
        sms = await session.get_one(ChannelIdentity, identity.id)
        ctx = EffectContext(session, contact, sms, Inbound("sms", address, text="x"), clock())
        for effect in (CreateBroadcast(1, Texts("а", "а"), Audience(), None),  # centre A itself
                       CreateBroadcast(2, Texts("а", "а"), Audience(course_id=pair.a_course, course_group="seated"),
                                       None)):  # B, but A's course
            with pytest.raises(StaleFacts):
                await announce.create_broadcast(ctx, effect)
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Broadcast)) == 0
