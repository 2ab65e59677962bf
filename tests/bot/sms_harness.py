"""The real SMS channel: signed webhooks into the project's Starlette app (httpx ASGI
transport), replies through the real twilio client to the fake Twilio API on 127.0.0.1."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx

from bot.channels.sms import INBOUND_PATH, STATUS_PATH, TwilioConfig, TwilioSender
from bot.channels.sms_webhook import SmsWebhook
from bot.clock import FakeClock
from bot.dispatcher import Dispatcher
from bot.http import create_app
from bot.i18n import Catalogs
from storage.db import Database
from tests.bot.fakes.server import serving
from tests.bot.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, PUBLIC_URL, FakeTwilio, signed
from tests.built import FEATURES

CENTRE_NUMBER = FROM_NUMBER
_sids = itertools.count(1)


def message_sid() -> str:
    return f"SM{next(_sids):032x}"


@dataclass
class SmsWorld:
    fake: FakeTwilio
    sender: TwilioSender
    http: httpx.AsyncClient
    seen: dict[str, int] = field(default_factory=dict)

    async def post(self, path: str, params: dict[str, str], headers: dict[str, str] | None = None) -> httpx.Response:
        sign = signed(PUBLIC_URL + path, params) if headers is None else headers
        return await self.http.post(path, data=params, headers=sign)

    async def text(self, phone: str, body: str, *, sid: str | None = None, **extra: str) -> httpx.Response:
        """A villager's SMS as Twilio posts it: signed, with the fields Twilio sends."""
        params = {
            "ToCountry": "KZ", "SmsMessageSid": sid or "", "NumMedia": "0", "SmsSid": sid or "",
            "SmsStatus": "received", "Body": body, "To": CENTRE_NUMBER, "NumSegments": "1",
            "MessageSid": sid or message_sid(), "AccountSid": ACCOUNT_SID, "From": phone,
            "ApiVersion": "2010-04-01", **extra,
        }
        params["SmsMessageSid"] = params["SmsSid"] = params["MessageSid"]
        return await self.post(INBOUND_PATH, params)

    async def say(self, phone: str, body: str) -> list[str]:
        """Send an SMS and return what the phone received in answer."""
        response = await self.text(phone, body)
        assert response.status_code == 200, response.text
        return self.new_for(phone)

    def new_for(self, phone: str) -> list[str]:
        received = self.fake.to(phone)
        start = self.seen.get(phone, 0)
        self.seen[phone] = len(received)
        return received[start:]

    async def report(self, sid: str, status: str, *, error_code: str | None = None, to: str = "") -> httpx.Response:
        params = {"MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status,
                  "AccountSid": ACCOUNT_SID, "From": CENTRE_NUMBER, "To": to, "ApiVersion": "2010-04-01"}
        if error_code is not None:
            params["ErrorCode"] = error_code
        return await self.post(STATUS_PATH, params)


@asynccontextmanager
async def sms_world(
    database: Database, catalogs: Catalogs, clock: FakeClock, *, transliterate: bool = False,
    messaging_service_sid: str | None = None,
) -> AsyncIterator[SmsWorld]:
    fake = FakeTwilio()
    async with serving(fake.app) as api_url:
        config = TwilioConfig(
            account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, public_url=PUBLIC_URL + "/",
            sender=None if messaging_service_sid else FROM_NUMBER,
            messaging_service_sid=messaging_service_sid, api_url=api_url, transliterate=transliterate,
        )
        sender = TwilioSender(config, database, clock=clock)
        dispatcher = Dispatcher(database, FEATURES, default_language="kk", clock=clock)
        webhook = SmsWebhook(config, dispatcher, catalogs, database, sender, clock=clock)
        app = create_app(webhook.routes())
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8080") as http:
            try:
                yield SmsWorld(fake, sender, http)
            finally:
                await sender.close()
