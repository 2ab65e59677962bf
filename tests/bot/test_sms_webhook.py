"""Twilio's inbound webhook through the real app: signatures, duplicates, odd fields, KZ numbers."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.i18n import Catalogs
from storage.db import Database
from storage.models import ChannelIdentity, InboundMessage
from storage.models.sms import SmsMessage
from tests.bot.fakes.twilio_api import PUBLIC_URL, signed
from tests.bot.sms_harness import message_sid, sms_world

PHONE = "+77011234567"


async def count(database: Database, model: type) -> int:
    async with database.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_first_sms_gets_the_language_question_in_both_languages(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    async with sms_world(database, catalogs, clock) as world:
        response = await world.text(PHONE, "Сәлем")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/xml")
        assert "<Response></Response>" in response.text
        [answer] = world.new_for(PHONE)
        assert "Сәлеметсіз бе! Тілді таңдаңыз." in answer and "Здравствуйте! Выберите язык." in answer
        assert "1 Қазақша 2 Русский\nНөмірін жіберіңіз. / Ответьте номером." in answer
        [sent] = world.fake.sent
        assert sent.status_callback == PUBLIC_URL + "/sms/twilio/status"
        assert sent.sender == "+77170000000"


@pytest.mark.parametrize("headers", [{}, {"X-Twilio-Signature": "bm90IHRoZSByaWdodCBvbmU="}])
async def test_a_missing_or_wrong_signature_is_refused_and_nothing_is_stored(
    database: Database, catalogs: Catalogs, clock: FakeClock, headers: dict[str, str]
) -> None:
    async with sms_world(database, catalogs, clock) as world:
        params = {"MessageSid": message_sid(), "From": PHONE, "To": "+77170000000", "Body": "1"}
        response = await world.post("/sms/twilio", params, headers=headers)
        assert response.status_code == 403
        assert world.fake.sent == []
    assert await count(database, InboundMessage) == 0
    assert await count(database, ChannelIdentity) == 0


async def test_a_signature_for_another_url_or_other_fields_is_refused(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    async with sms_world(database, catalogs, clock) as world:
        params = {"MessageSid": message_sid(), "From": PHONE, "To": "+77170000000", "Body": "1"}
        # Signed for the address the proxy forwarded to, not the public one Twilio called.
        local = signed("http://127.0.0.1:8080/sms/twilio", params)
        assert (await world.post("/sms/twilio", params, headers=local)).status_code == 403
        tampered = signed(PUBLIC_URL + "/sms/twilio", {**params, "Body": "2"})
        assert (await world.post("/sms/twilio", params, headers=tampered)).status_code == 403
        assert world.fake.sent == []
    assert await count(database, InboundMessage) == 0


async def test_the_same_message_sid_twice_has_one_effect(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    async with sms_world(database, catalogs, clock) as world:
        await world.say(PHONE, "hello")
        sid = message_sid()
        first = await world.text(PHONE, "2", sid=sid)
        again = await world.text(PHONE, "2", sid=sid)
        assert first.status_code == again.status_code == 200
        [answer] = world.new_for(PHONE)  # one answer only
        assert "Меню:\n1 Опрос" in answer
    assert await count(database, InboundMessage) == 2


async def test_unknown_fields_are_accepted(database: Database, catalogs: Catalogs, clock: FakeClock) -> None:
    async with sms_world(database, catalogs, clock) as world:
        response = await world.text(PHONE, "1", FromCity="ALMATY", SomethingNew="x", MessagingServiceSid="MG1")
        assert response.status_code == 200 and len(world.new_for(PHONE)) == 1


@pytest.mark.parametrize("raw", ["+77011234567", "87011234567", "8 701 123 45 67", "8-701-123-45-67",
                                 "7011234567", "+7 (701) 123-45-67"])
async def test_kazakh_number_formats_are_one_person(
    database: Database, catalogs: Catalogs, clock: FakeClock, raw: str
) -> None:
    async with sms_world(database, catalogs, clock) as world:
        await world.text("+77011234567", "hello")
        assert (await world.text(raw, "2")).status_code == 200
        assert "Меню:\n1 Опрос" in world.new_for(PHONE)[-1]
    async with database.transaction() as session:
        addresses = list(await session.scalars(select(ChannelIdentity.address)))
    assert addresses == ["tel:+77011234567"]


@pytest.mark.parametrize("raw", ["", "12345", "+7 000 000 00 00", "ALMATY-BANK", "+1 555"])
async def test_a_from_that_is_not_a_phone_is_logged_and_acknowledged(
    database: Database, catalogs: Catalogs, clock: FakeClock, raw: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with sms_world(database, catalogs, clock) as world:
        with caplog.at_level(logging.WARNING, logger="bot.channels.sms_webhook"):
            response = await world.text(raw, "1")
        assert response.status_code == 200  # Twilio must not retry it forever
        assert world.fake.sent == []
        assert "is not a valid phone number" in caplog.text
        assert not raw or raw not in caplog.text  # what was typed there may be a number: not logged
    assert await count(database, InboundMessage) == 0


async def test_every_sent_sms_is_recorded_with_its_segments(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    async with sms_world(database, catalogs, clock) as world:
        await world.say(PHONE, "hello")
        [sent] = world.fake.sent
    async with database.transaction() as session:
        row = await session.scalar(select(SmsMessage))
    assert row is not None
    assert (row.sid, row.address, row.status) == (sent.sid, "tel:" + PHONE, "queued")
    assert (row.encoding, row.segments) == ("UCS-2", sent.num_segments)


@pytest.mark.parametrize(("word", "shown"), [
    ("HELP", "Чтобы больше не получать от нас SMS, отправьте СТОП."),
    ("помощь", "Чтобы больше не получать от нас SMS, отправьте СТОП."),
    ("КӨМЕК", "Чтобы больше не получать от нас SMS, отправьте СТОП."),
    ("опрос", "Согласны? Подробнее: «подробнее»"),
    ("Сауалнама", "Согласны? Подробнее: «подробнее»"),
    ("КУРСЫ", "Курсы"),
    ("язык", "Выберите язык."),
    ("абракадабра", "Не удалось понять ответ. Отправьте число от 1 до 6 или слово из меню."),
])
async def test_keywords_in_three_languages_and_a_short_help_for_anything_else(
    database: Database, catalogs: Catalogs, clock: FakeClock, word: str, shown: str
) -> None:
    async with sms_world(database, catalogs, clock) as world:
        await world.say(PHONE, "hello")
        await world.say(PHONE, "2")
        await world.say(PHONE, "меню")  # past the name question (where any word would be a name)
        [answer] = await world.say(PHONE, word)
        assert shown in answer


async def test_an_hmac_sha256_signature_named_in_the_settings_header_is_accepted(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    from twilio.request_validator import HMAC_SHA256, RequestValidator

    from tests.bot.fakes.twilio_api import AUTH_TOKEN

    async with sms_world(database, catalogs, clock) as world:
        params = {"MessageSid": message_sid(), "From": PHONE, "To": "+77170000000", "Body": "hi"}
        signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL + "/sms/twilio", params, HMAC_SHA256)
        headers = {"X-Twilio-Signature": signature,
                   "X-Twilio-Webhooks-Signature-Settings": "algorithm=HMAC_SHA256"}
        assert (await world.post("/sms/twilio", params, headers=headers)).status_code == 200
        other = {**params, "MessageSid": message_sid()}
        sha1_named_sha256 = {**headers, **signed(PUBLIC_URL + "/sms/twilio", other)}
        assert (await world.post("/sms/twilio", other, headers=sha1_named_sha256)).status_code == 403
        assert len(world.fake.sent) == 1
