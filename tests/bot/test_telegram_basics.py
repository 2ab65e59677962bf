"""The Telegram channel end to end: real python-telegram-bot against the fake Bot API server."""

from __future__ import annotations

from sqlalchemy import select

from bot.clock import FakeClock
from bot.i18n import Catalogs
from storage.db import Database
from storage.models import Centre, ChannelIdentity, Contact
from tests.bot.fakes.telegram_api import FakeTelegram
from tests.bot.telegram_harness import Villager, running_bot


async def test_language_choice_by_button_then_menu_in_russian(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    fake = FakeTelegram()
    async with running_bot(fake, database, catalogs, clock) as channel:
        aigul = Villager(fake, channel, 501, language="ru")
        (greeting,) = await aigul.says("/start")
        assert greeting.text.startswith("Здравствуйте! Выберите язык.")
        assert [label for label, _ in greeting.buttons()] == ["Қазақша", "Русский ✓"]
        replies = await aigul.presses("Русский")
        assert [m.text for m in replies] == [
            "Хорошо, теперь я буду писать вам по-русски.",
            "Как к вам обращаться? Напишите ваше имя или выберите пункт меню.",
            "Главное меню. Что вы хотите сделать?",
        ]
        assert replies[1].buttons() == []  # "User501" is not a name to offer (tests/bot/test_names.py)
        assert [label for label, _ in replies[2].buttons()][:2] == ["Опрос о потребностях", "Курсы"]
        assert all(0 < len(data.encode()) <= 64 for _, data in replies[2].buttons())
    commands = {params.get("language_code") for method, params in fake.calls if method == "setMyCommands"}
    assert commands == {"kk", "ru"}
    descriptions = [p for m, p in fake.calls if m == "setMyDescription"]
    assert {p.get("language_code") for p in descriptions} == {"kk", "ru"}
    assert any("Қоғамдастық оқу орталығыңыздың боты" in p["description"] for p in descriptions)


async def test_kazakh_from_telegrams_language_code(database: Database, catalogs: Catalogs, clock: FakeClock) -> None:
    fake = FakeTelegram()
    async with running_bot(fake, database, catalogs, clock) as channel:
        (greeting,) = await Villager(fake, channel, 508, language="kk").says("/start")
    assert greeting.text.startswith("Сәлеметсіз бе! Тілді таңдаңыз.")
    assert [label for label, _ in greeting.buttons()] == ["Қазақша ✓", "Русский"]


async def test_the_same_update_twice_has_no_second_effect(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    fake = FakeTelegram()
    async with running_bot(fake, database, catalogs, clock) as channel:
        user = Villager(fake, channel, 503)
        await user.says("/start")
        await user._act(lambda: fake.user_sends(503, "2", update_id=9001))
        assert fake.texts(503)[-1] == "Главное меню. Что вы хотите сделать?"
        redelivered = await user._act(lambda: fake.user_sends(503, "тіл", update_id=9001))
        assert redelivered == []
        assert [m.text for m in await user.says("меню")] == ["Главное меню. Что вы хотите сделать?"]
    async with database.transaction() as session:
        assert await session.scalar(select(Contact.language)) == "ru"


async def test_deep_link_attaches_the_centre(database: Database, catalogs: Catalogs, clock: FakeClock) -> None:
    async with database.transaction() as session:
        session.add(Centre(slug="aksu", name_kk="Ақсу", name_ru="Аксу", oblast="o", district="d",
                           settlement="Ақсу", created_at=clock()))
    fake = FakeTelegram()
    async with running_bot(fake, database, catalogs, clock) as channel:
        await Villager(fake, channel, 504).says("/start aksu")
        await Villager(fake, channel, 505).says("/start nowhere")
    async with database.transaction() as session:
        rows = (await session.execute(
            select(ChannelIdentity.address, Contact.centre_id).join(Contact).order_by(ChannelIdentity.address)
        )).all()
        centre_id = await session.scalar(select(Centre.id).where(Centre.slug == "aksu"))
    assert rows == [("telegram:504", centre_id), ("telegram:505", None)]


async def test_stickers_and_very_long_texts_get_an_answer(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    fake = FakeTelegram()
    async with running_bot(fake, database, catalogs, clock) as channel:
        user = Villager(fake, channel, 507)
        await user.in_russian()
        replies = await user.says("ә" * 5000)
        assert replies[0].text.startswith("Не удалось понять ответ. Отправьте число от 1 до 6")
        sticker = await user._act(lambda: fake._push({"message": {
            "message_id": 99, "date": 0, "chat": {"id": 507, "type": "private"},
            "from": {"id": 507, "is_bot": False, "first_name": "A"}, "sticker": {
                "file_id": "x", "file_unique_id": "y", "width": 1, "height": 1, "is_animated": False,
                "is_video": False, "type": "regular"}}}))
        assert sticker[0].text.startswith("Не удалось понять ответ.")


async def test_long_replies_are_split_at_4096_on_line_boundaries() -> None:
    from bot.channels.telegram_render import split_text

    paragraph = "Бірінші жол.\n" * 400  # 5,200 characters
    parts = split_text(paragraph)
    assert len(parts) == 2 and all(len(p) <= 4096 for p in parts)
    assert all(p.endswith("жол.") for p in parts)
    assert "".join(p + "\n" for p in parts) == paragraph
    assert split_text("x" * 9000) == ["x" * 4096, "x" * 4096, "x" * 808]


def test_callback_data_always_fits_64_bytes_and_old_contexts_stay_recognisable() -> None:
    from bot.channels.telegram_render import callback_data, parse_callback
    from bot.codec import context_digest

    short = callback_data("survey:1-1:age", "age_60_plus")
    assert short == "survey:1-1:age|age_60_plus"
    long_context = "survey:" + "ә" * 30 + ":situation"
    data = callback_data(long_context, "a" * 24)
    assert len(data.encode()) <= 64
    assert parse_callback(data) == (context_digest(long_context), "a" * 24)
