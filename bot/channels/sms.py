"""The SMS channel through Twilio: a sender built on the twilio client, and the runtime.

Inbound SMS and delivery reports arrive as signed webhooks (``bot.channels.sms_webhook``);
replies and queued messages leave through :class:`TwilioSender`, which counts segments,
records every SMS it sent to a known address (``sms_messages``; not a forgotten person's
farewell, which would keep their number) and maps Twilio's errors onto the outbox's:

- 21610 (recipient texted STOP to the carrier), 21211/21614 (not a valid or mobile number):
  :class:`Unreachable`;
- 429 and 5xx, network trouble: :class:`RetryLater` (a 429 also silences SMS for the whole
  process for ``THROTTLED_SECONDS``: ``SmsPacer.pause``);
- any other 4xx: :class:`PermanentFailure`.

Every SMS waits for its segments' turn at the sender's pace (``bot.channels.sms_pacer``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import aiohttp
from sqlalchemy import select
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http import AsyncHttpClient
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from bot.channels.addresses import SMS
from bot.channels.base import PartSent
from bot.channels.sms_pacer import SmsPacer
from bot.channels.sms_render import render_sms
from bot.clock import Clock, system_clock
from bot.i18n import Translator
from flows.errors import PermanentFailure, RetryLater, Unreachable
from flows.events import Reply
from storage.db import Database
from storage.models import ChannelIdentity
from storage.models.sms import SmsMessage

log = logging.getLogger(__name__)
CHANNEL = SMS
INBOUND_PATH = "/sms/twilio"
STATUS_PATH = "/sms/twilio/status"
OPTED_OUT_CODE = 21610
UNREACHABLE_CODES = frozenset({OPTED_OUT_CODE, 21211, 21612, 21614})
THROTTLED_SECONDS = 30  # Twilio's 429 says no Retry-After


@dataclass(frozen=True)
class TwilioConfig:
    account_sid: str
    auth_token: str
    public_url: str
    sender: str | None = None  # CLC_TWILIO_FROM
    messaging_service_sid: str | None = None
    api_url: str | None = None
    transliterate: bool = False
    # This process's share of the sender's pace (CLC_TWILIO_SEGMENTS_PER_SECOND divided by
    # CLC_SENDER_PROCESSES); None: unpaced (tests against the fake Twilio).
    segments_per_second: float | None = None

    @property
    def status_callback(self) -> str:
        return self.public_url.rstrip("/") + STATUS_PATH


def phone_of(address: str) -> str:
    return address.removeprefix("tel:")


class TwilioSender:
    """Sends replies as SMS; the same object serves immediate replies and the outbox."""

    channel = CHANNEL

    def __init__(
        self, config: TwilioConfig, db: Database, *, http_client: AsyncHttpClient | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.config, self.db, self.clock = config, db, clock
        self._http = http_client
        self._client: Client | None = None
        self.pacer = SmsPacer(config.segments_per_second, clock=clock)

    @property
    def client(self) -> Client:
        return self.open()

    def open(self) -> Client:
        """Built on first use inside the running loop (aiohttp sessions belong to a loop)."""
        if self._client is None:
            self._http = self._http or AsyncTwilioHttpClient(timeout=15)
            client = Client(self.config.account_sid, self.config.auth_token, http_client=self._http)
            if self.config.api_url:
                client.api.base_url = self.config.api_url.rstrip("/")
            self._client = client
        return self._client

    async def close(self) -> None:
        if isinstance(self._http, AsyncTwilioHttpClient):
            await self._http.close()

    async def send(
        self, address: str, replies: Sequence[Reply], tr: Translator, *, skip: int = 0,
        on_part: PartSent | None = None,
    ) -> list[str]:
        """One SMS per body (usually one per step); the first ``skip`` went out earlier."""
        texts = render_sms(replies, tr, latin=self.config.transliterate)
        sids: list[str] = []
        for done, text in enumerate(texts[skip:], start=skip + 1):
            await self.pacer.take(text.count.segments)
            sids.append(await self._create(address, text.body))
            try:
                await self._record(address, sids[-1], text.count.encoding, text.count.segments)
            except Exception:  # it was sent: failing now would make the outbox send it twice
                log.exception("SMS %s sent but not recorded", sids[-1])
            if on_part is not None:
                await on_part(done, len(texts), sids[-1])
        return sids

    async def _create(self, address: str, body: str) -> str:
        extra = (
            {"messaging_service_sid": self.config.messaging_service_sid}
            if self.config.messaging_service_sid else {"from_": self.config.sender}
        )
        try:
            message = await self.client.messages.create_async(
                to=phone_of(address), body=body, status_callback=self.config.status_callback, **extra
            )
        except TwilioRestException as exc:
            if exc.status == 429:
                self.pacer.pause(THROTTLED_SECONDS)
            raise _mapped(exc) from exc
        except (aiohttp.ClientError, TimeoutError, TwilioException) as exc:
            raise RetryLater(f"Twilio not reachable: {exc!r}", retry_after=10) from exc
        return str(message.sid)

    async def _record(self, address: str, sid: str, encoding: str, segments: int) -> None:
        now = self.clock()
        async with self.db.transaction() as session:
            contact_id = await session.scalar(
                select(ChannelIdentity.contact_id).where(
                    ChannelIdentity.channel == CHANNEL, ChannelIdentity.address == address
                )
            )
            if contact_id is None:
                # Nobody is known at this address any more (their data was erased, the
                # farewell went out): keeping the number here would bring it back.
                return
            session.add(
                SmsMessage(
                    sid=sid, address=address, contact_id=contact_id, encoding=encoding, segments=segments,
                    status="queued", created_at=now, updated_at=now,
                )
            )


def _mapped(exc: TwilioRestException) -> Exception:
    text = f"Twilio {exc.status} error {exc.code}: {exc.msg}"
    if exc.code in UNREACHABLE_CODES:
        return Unreachable(text)
    if exc.status == 429 or exc.status >= 500:
        return RetryLater(text, retry_after=THROTTLED_SECONDS if exc.status == 429 else 10)
    return PermanentFailure(text)
