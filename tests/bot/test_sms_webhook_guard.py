"""Requests no stranger can stall the bot with: refused before parsing, nothing stored.

Speed is measured in ``bench/webhook_guard.py``; here the outcomes: statuses, nothing stored,
``/healthz`` answering while a webhook body is still arriving, Twilio's own requests accepted.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from bot.channels.sms import INBOUND_PATH, STATUS_PATH, TwilioConfig, TwilioSender
from bot.channels.sms_webhook import SmsWebhook
from bot.channels.twilio_request import MAX_BODY_BYTES, MAX_FIELDS
from bot.clock import FakeClock
from bot.dispatcher import Dispatcher
from bot.http import create_app
from bot.i18n import Catalogs
from storage.db import Database
from storage.models import ChannelIdentity, InboundMessage
from tests.bot.fakes.server import serving
from tests.bot.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, PUBLIC_URL, FakeTwilio, signed
from tests.bot.sms_harness import message_sid, sms_world
from tests.built import FEATURES

PHONE = "+77011234567"
FORM = {"content-type": "application/x-www-form-urlencoded"}
MANY = {f"f{i}": "x" for i in range(16_000)}  # 133 kB: the request that took 8 s


async def stored(database: Database) -> int:
    async with database.transaction() as session:
        inbound = await session.scalar(select(func.count()).select_from(InboundMessage))
        identities = await session.scalar(select(func.count()).select_from(ChannelIdentity))
    return int(inbound or 0) + int(identities or 0)


def sms(body: str = "1") -> dict[str, str]:
    return {"MessageSid": message_sid(), "AccountSid": ACCOUNT_SID, "From": PHONE, "To": FROM_NUMBER,
            "Body": body}


@pytest.mark.parametrize("path", [INBOUND_PATH, STATUS_PATH])
@pytest.mark.parametrize(("headers", "status"), [
    ({}, 403),  # no signature: refused before the body is read
    ({"X-Twilio-Signature": "bm90IHRoZSByaWdodCBvbmU="}, 413),
    (signed(PUBLIC_URL + INBOUND_PATH, MANY), 413),  # even signed right, 133 kB is not Twilio's
])
async def test_sixteen_thousand_fields_are_refused_and_nothing_is_stored(
    database: Database, catalogs: Catalogs, clock: FakeClock, path: str, headers: dict[str, str], status: int
) -> None:
    async with sms_world(database, catalogs, clock) as world:
        response = await world.http.post(path, data=MANY, headers=headers)
        assert response.status_code == status
        assert world.fake.sent == []
    assert await stored(database) == 0


async def test_too_many_fields_in_a_small_body_are_refused_with_400(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    compact = "&".join(["a"] * 16_000)  # 31,999 bytes: under the size limit
    assert len(compact) <= MAX_BODY_BYTES
    params = {**sms(), **{f"extra{i}": "" for i in range(MAX_FIELDS)}}  # signed right, but 105 fields
    async with sms_world(database, catalogs, clock) as world:
        wrong = {**FORM, "X-Twilio-Signature": "bm90IHRoZSByaWdodCBvbmU="}
        assert (await world.http.post(INBOUND_PATH, content=compact, headers=wrong)).status_code == 400
        right = {**FORM, **signed(PUBLIC_URL + INBOUND_PATH, params)}
        response = await world.http.post(INBOUND_PATH, content=urlencode(params), headers=right)
        assert (response.status_code, response.text) == (400, "too many form fields")
        assert world.fake.sent == []
    assert await stored(database) == 0


@pytest.mark.parametrize("content_type", [None, "application/json", "text/plain"])
async def test_a_body_that_is_not_urlencoded_is_refused_with_415(
    database: Database, catalogs: Catalogs, clock: FakeClock, content_type: str | None
) -> None:
    params = sms()
    headers = signed(PUBLIC_URL + INBOUND_PATH, params)
    if content_type:
        headers["content-type"] = content_type
    async with sms_world(database, catalogs, clock) as world:
        response = await world.http.post(INBOUND_PATH, content=urlencode(params), headers=headers)
        assert response.status_code == 415
    assert await stored(database) == 0


async def test_a_multipart_body_is_refused_with_415_not_a_500(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    params = sms()
    async with sms_world(database, catalogs, clock) as world:
        response = await world.http.post(INBOUND_PATH, data=params, files={"upload": ("a.txt", b"hello")},
                                         headers=signed(PUBLIC_URL + INBOUND_PATH, params))
        assert response.status_code == 415
    assert await stored(database) == 0


@pytest.mark.parametrize("raw", ["%ff%fe", "%ED%A0%80", "\xff"])  # not UTF-8; a lone surrogate
async def test_bytes_that_are_not_utf8_become_replacement_characters_and_the_signature_decides(
    database: Database, catalogs: Catalogs, clock: FakeClock, raw: str
) -> None:
    fields = {name: value for name, value in sms().items() if name != "Body"}
    body = (urlencode(fields) + "&Body=" + raw).encode("latin-1")
    replaced = {**fields, "Body": "\ufffd" * (2 if raw == "%ff%fe" else 3 if raw == "%ED%A0%80" else 1)}
    async with sms_world(database, catalogs, clock) as world:
        forged = {**FORM, **signed(PUBLIC_URL + INBOUND_PATH, {**fields, "Body": "1"})}
        assert (await world.http.post(INBOUND_PATH, content=body, headers=forged)).status_code == 403
        assert await stored(database) == 0
        as_read = {**FORM, **signed(PUBLIC_URL + INBOUND_PATH, replaced)}
        assert (await world.http.post(INBOUND_PATH, content=body, headers=as_read)).status_code == 200
        assert len(world.new_for(PHONE)) == 1  # answered: the language question


async def test_a_streamed_body_without_length_is_cut_off_at_the_limit(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(100):  # 100 kB, chunked: no Content-Length to refuse it by
            yield b"a=" + b"x" * 1022

    async with sms_world(database, catalogs, clock) as world:
        headers = {**FORM, "X-Twilio-Signature": "bm90IHRoZSByaWdodCBvbmU="}
        response = await world.http.post(INBOUND_PATH, content=chunks(), headers=headers)
        assert response.status_code == 413
    assert await stored(database) == 0


async def test_the_largest_sms_twilio_sends_is_accepted(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    """1,600 characters of 3-byte UTF-8 (14.4 kB percent-encoded) and an MMS's 20 media fields."""
    params = {**sms("€" * 1600), "NumMedia": "10",
              **{f"MediaUrl{i}": f"https://api.twilio.com/media/ME{i:032x}" for i in range(10)},
              **{f"MediaContentType{i}": "image/jpeg" for i in range(10)}}
    async with sms_world(database, catalogs, clock) as world:
        response = await world.post(INBOUND_PATH, params)
        assert response.status_code == 200
        assert len(world.new_for(PHONE)) == 1  # the language question


async def test_repeated_field_names_are_signed_as_twilio_signs_them(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    class Multi(dict[str, list[str]]):
        def getall(self, name: str) -> list[str]:
            return self[name]

    params = sms("hello")
    pairs = [*params.items(), ("Tag", "b"), ("Tag", "a")]
    signature = RequestValidator(AUTH_TOKEN).compute_signature(
        PUBLIC_URL + INBOUND_PATH, Multi({**{k: [v] for k, v in params.items()}, "Tag": ["b", "a"]}))
    async with sms_world(database, catalogs, clock) as world:
        headers = {**FORM, "X-Twilio-Signature": signature}
        assert (await world.http.post(INBOUND_PATH, content=urlencode(pairs), headers=headers)).status_code == 200
        dropped = urlencode(pairs[:-1])  # one value fewer: not what was signed
        assert (await world.http.post(INBOUND_PATH, content=dropped, headers=headers)).status_code == 403


@asynccontextmanager
async def served_webhook(database: Database, catalogs: Catalogs, clock: FakeClock) -> AsyncIterator[str]:
    """The project's app with the SMS routes, on uvicorn at 127.0.0.1, as in production."""
    fake = FakeTwilio()
    async with serving(fake.app) as api_url:
        config = TwilioConfig(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, public_url=PUBLIC_URL,
                              sender=FROM_NUMBER, messaging_service_sid=None, api_url=api_url)
        sender = TwilioSender(config, database, clock=clock)
        dispatcher = Dispatcher(database, FEATURES, default_language="kk", clock=clock)
        webhook = SmsWebhook(config, dispatcher, catalogs, database, sender, clock=clock)
        try:
            async with serving(create_app(webhook.routes())) as url:
                yield url
        finally:
            await sender.close()


async def test_healthz_answers_while_webhook_requests_are_in_flight(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    release = asyncio.Event()

    async def slow_body() -> AsyncIterator[bytes]:
        yield b"From=%2B77011234567&"
        await release.wait()  # the rest comes only once /healthz has answered
        yield b"a=" + b"x" * MAX_BODY_BYTES

    headers = {**FORM, "X-Twilio-Signature": "bm90IHRoZSByaWdodCBvbmU="}
    async with served_webhook(database, catalogs, clock) as url, httpx.AsyncClient(base_url=url) as http:
        slow = asyncio.create_task(http.post(INBOUND_PATH, content=slow_body(), headers=headers))
        floods = [asyncio.create_task(http.post(INBOUND_PATH, data=MANY, headers=headers)) for _ in range(5)]
        health = await asyncio.wait_for(http.get("/healthz"), timeout=30)  # a hang fails, not a pace
        assert (health.status_code, health.json()) == (200, {"status": "ok"})
        assert not slow.done()
        release.set()
        responses = await asyncio.wait_for(asyncio.gather(slow, *floods), timeout=30)
        assert [r.status_code for r in responses] == [413] * 6
    assert await stored(database) == 0
