"""Blocked users, rate limits, someone else's phone card, and errors inside a handler."""

from __future__ import annotations

from sqlalchemy import select

from bot.clock import FakeClock
from bot.i18n import Catalogs
from storage.db import Database
from storage.models import ChannelIdentity, Contact, InboundMessage
from tests.bot.fakes.telegram_api import FakeTelegram
from tests.bot.telegram_harness import Villager, running_bot


async def test_a_user_who_blocked_the_bot_is_marked_unreachable_until_they_write_again(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    fake = FakeTelegram()
    fake.blocked.add(506)
    async with running_bot(fake, database, catalogs, clock) as channel:
        user = Villager(fake, channel, 506)
        assert await user.says("/start") == []
        async with database.transaction() as session:
            assert await session.scalar(select(ChannelIdentity.unreachable_at)) == clock()
        fake.blocked.discard(506)
        (greeting,) = await user.says("/start")
        assert greeting.text.startswith("Здравствуйте!")
    async with database.transaction() as session:
        assert await session.scalar(select(ChannelIdentity.unreachable_at)) is None


async def test_429_is_honoured_and_nothing_is_sent_twice(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    fake = FakeTelegram()
    fake.fail_next["sendMessage"] = (429, "Too Many Requests: retry after 1", 1)
    async with running_bot(fake, database, catalogs, clock) as channel:
        (greeting,) = await Villager(fake, channel, 509).says("/start")
    assert greeting.text.startswith("Здравствуйте!")
    assert [m for m, _ in fake.calls].count("sendMessage") == 2  # the refused one, then one delivery
    assert len(fake.chat(509)) == 1


async def test_someone_elses_contact_card_is_not_linked(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    fake = FakeTelegram()
    async with running_bot(fake, database, catalogs, clock) as channel:
        user = Villager(fake, channel, 510)
        await user.says("/start")
        (answer,) = await user.shares_contact("+77011234567", owner=999)
        assert answer.text == "Пожалуйста, отправьте свой номер телефона с помощью кнопки."
        assert answer.reply_markup is not None and answer.reply_markup["keyboard"][0][0]["request_contact"]
    async with database.transaction() as session:
        assert (await session.scalars(select(ChannelIdentity.channel))).all() == ["telegram"]


async def test_an_error_inside_the_step_is_logged_and_answered_with_an_apology(
    database: Database, catalogs: Catalogs, clock: FakeClock, monkeypatch: object
) -> None:
    import flows.engine

    fake = FakeTelegram()
    async with running_bot(fake, database, catalogs, clock) as channel:
        user = Villager(fake, channel, 511)
        await user.in_russian()

        def broken(*_args: object, **_kwargs: object) -> object:
            raise RuntimeError("a bug")

        monkeypatch.setattr(flows.engine, "step", broken)  # type: ignore[attr-defined]
        (apology,) = await user.says("меню")
        assert apology.text == "Извините, у нас произошла ошибка. Попробуйте ещё раз."
        monkeypatch.undo()  # type: ignore[attr-defined]
        (menu,) = await user.says("меню")
        assert menu.text == "Главное меню. Что вы хотите сделать?"  # the state was not corrupted
    async with database.transaction() as session:
        failed = await session.scalar(select(InboundMessage).where(InboundMessage.text == "меню"))
        assert failed is not None and failed.payload is not None and failed.payload.get("failed")
        assert await session.scalar(select(Contact.language)) == "ru"


async def test_a_5xx_from_telegram_is_retried_and_delivered_once(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    fake = FakeTelegram()
    fake.fail_next["sendMessage"] = (502, "Bad Gateway", None)
    async with running_bot(fake, database, catalogs, clock) as channel:
        (greeting,) = await Villager(fake, channel, 512).says("/start")
    assert greeting.text.startswith("Здравствуйте!")
    assert [m for m, _ in fake.calls].count("sendMessage") == 2 and len(fake.chat(512)) == 1


async def test_a_token_telegram_rejects_is_a_clear_start_up_error(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    import pytest

    from flows.errors import ConfigError

    fake = FakeTelegram()
    fake.fail_next["getMe"] = (401, "Unauthorized", None)
    with pytest.raises(ConfigError, match="CLC_TELEGRAM_TOKEN: Telegram rejected the token"):
        async with running_bot(fake, database, catalogs, clock):
            pass
