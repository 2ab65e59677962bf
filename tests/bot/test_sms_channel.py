"""The SMS channel's settings, sender errors, transliteration, segment budget and idle resume."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.channels.pause import ChannelPaused
from bot.channels.sms import THROTTLED_SECONDS
from bot.channels.sms_render import render_sms
from bot.channels.sms_webhook import build_sms
from bot.clock import FakeClock
from bot.context import ServiceContext
from bot.dispatcher import Dispatcher
from bot.i18n import Catalogs
from bot.settings import load_settings
from flows.errors import ConfigError, PermanentFailure, RetryLater, Unreachable
from flows.events import Choice, Localized, Msg, Reply
from storage.db import Database
from tests.bot.fakes.twilio_api import ACCOUNT_SID
from tests.bot.sms_harness import sms_world
from tests.built import FEATURES

PHONE = "+77011234567"
TWILIO = {"twilio_account_sid": ACCOUNT_SID, "twilio_auth_token": "secret-token-123",
          "twilio_from": "+77170000000", "public_url": "https://clc.example.org"}


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("CLC_") and not name.startswith("CLC_TEST_"):  # keep the test database
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("missing", list(TWILIO))
def test_half_configured_twilio_is_a_one_line_error(missing: str) -> None:
    given = {name: value for name, value in TWILIO.items() if name != missing}
    with pytest.raises(ConfigError) as caught:
        load_settings(**given)
    message = str(caught.value)
    assert "\n" not in message and message.startswith("CLC_" + missing.upper())


def test_sms_settings() -> None:
    settings = load_settings(**TWILIO)
    assert settings.has_twilio and not settings.sms_transliterate
    assert settings.sms_resume_after.days == 3
    service = load_settings(**{**TWILIO, "twilio_from": None, "twilio_messaging_service_sid": "MG" + "1" * 32,
                               "sms_resume_after_hours": 12})
    assert service.has_twilio and service.sms_resume_after.total_seconds() == 12 * 3600


async def test_errors_are_mapped_for_the_outbox(database: Database, catalogs: Catalogs, clock: FakeClock) -> None:
    tr = catalogs.translator("ru")
    reply = Reply(body=(Localized("Сәлем", "Привет"),))
    async with sms_world(database, catalogs, clock) as world:
        world.fake.fail_next.append((429, 20429, "Too Many Requests"))
        with pytest.raises(RetryLater):
            await world.sender.send("tel:" + PHONE, [reply], tr)
        # The channel is silent for the process: a reply too is handed back at once, unsent,
        # rather than holding Twilio's webhook request for the pause (the outbox sends it).
        with pytest.raises(ChannelPaused):
            await world.sender.send("tel:" + PHONE, [reply], tr)
        assert world.fake.sent == []
        clock.advance(seconds=THROTTLED_SECONDS)
        world.fake.fail_next.append((500, 20500, "Internal Server Error"))
        with pytest.raises(RetryLater):
            await world.sender.send("tel:" + PHONE, [reply], tr)
        world.fake.fail_next.append((400, 21614, "'To' number is not a valid mobile number"))
        with pytest.raises(Unreachable):
            await world.sender.send("tel:" + PHONE, [reply], tr)
        world.fake.fail_next.append((400, 21617, "too long"))
        with pytest.raises(PermanentFailure):
            await world.sender.send("tel:" + PHONE, [reply], tr)
        assert await world.sender.send("tel:" + PHONE, [reply], tr) == [world.fake.sent[0].sid]
        assert world.fake.to(PHONE) == ["Привет"]


async def test_a_messaging_service_sends_instead_of_a_number(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    async with sms_world(database, catalogs, clock, messaging_service_sid="MG" + "2" * 32) as world:
        await world.say(PHONE, "hello")
        assert world.fake.sent[0].sender == "MG" + "2" * 32


async def test_transliteration_fits_a_question_in_one_gsm_segment(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    async with sms_world(database, catalogs, clock, transliterate=True) as world:
        await world.say(PHONE, "hello")
        [menu] = await world.say(PHONE, "1")
        assert "Mäzir:\n1 Saualnama\n2 Kurstar" in menu and "Nömirin" not in menu  # the lines are numbered
        assert world.fake.sent[-1].num_segments == 1  # 2 in Cyrillic
        [question] = await world.say(PHONE, "1")
        assert "\n1/" in question and "Kelisesiz be?" in question
        assert world.fake.sent[-1].num_segments == 1  # 2 in Cyrillic
        assert all(not any("\u0400" <= ch <= "\u04ff" for ch in sent.body) for sent in world.fake.sent[1:])


def test_questions_fit_two_segments_with_compact_choices_and_no_done_line(catalogs: Catalogs) -> None:
    reply = Reply(
        body=(Msg("Question {n} of {total}", {"n": 10, "total": 14}),
              Localized(kk="Сізге қай уақытта оқыған ыңғайлы?", ru="Когда вам удобно учиться?")),
        choices=(Choice("m", Localized("Таңертең", "Утром")), Choice("e", Localized("Кешке", "Вечером")),
                 Choice("_done", Msg("Done: save my choices"))),
        expects="choices", context="survey:x:times",
    )
    [text] = render_sms([reply], catalogs.translator("ru"))
    assert text.body == "10/14\nКогда вам удобно учиться?\n1 Утром 2 Вечером\nОтветьте номерами, например: 1 3"
    assert (text.count.encoding, text.count.segments) == ("UCS-2", 2)


async def test_an_idle_conversation_resumes_politely_or_restarts(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    async with sms_world(database, catalogs, clock) as world:
        for text in ("hello", "2", "1", "да", "1 2", "нет", "мужской", "2"):
            answer = await world.say(PHONE, text)
        assert answer[0].startswith("6/")  # SMS's short "question 6 of 15"
        clock.advance(days=2)
        assert (await world.say(PHONE, "Шелек"))[0].startswith("7/")  # not idle yet
        clock.advance(days=3, minutes=1)
        [resumed] = await world.say(PHONE, "да")
        assert resumed.startswith("С возвращением! Вот на чём вы остановились. Ответьте, чтобы продолжить, "
                                  "или отправьте МЕНЮ, чтобы начать заново.")
        assert "\n7/" in resumed  # the same question; "да" was not taken as its answer
        assert (await world.say(PHONE, "нет"))[0].startswith("8/")
        clock.advance(days=4)
        assert "Меню:\n1 Опрос" in (await world.say(PHONE, "меню"))[0]  # or start over


async def test_the_service_paces_sms_at_this_process_s_share_of_the_setting(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    """The service's sender, not only a test's: 3 segments a second shared by 2 processes."""
    settings = load_settings(**TWILIO, twilio_segments_per_second=3, sender_processes=2)
    ctx = ServiceContext(settings=settings, db=database, catalogs=catalogs,
                         dispatcher=Dispatcher(database, FEATURES, clock=clock), clock=clock)
    channel = build_sms(ctx)
    assert channel is not None
    try:
        assert channel.sender.pacer.segments_per_second == 1.5
    finally:
        await channel.sender.close()
