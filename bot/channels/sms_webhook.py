"""Twilio's webhooks: inbound SMS (``POST /sms/twilio``) and delivery reports (``…/status``).

Both are checked with twilio's ``RequestValidator`` against ``CLC_PUBLIC_URL`` + path (the URL
Twilio called; behind a proxy the request's own URL differs). A missing or wrong signature is
answered 403 before anything is stored; so are, before the body is parsed, an oversized body
(413), too many fields (400) and a body that is not urlencoded (415): see
``bot.channels.twilio_request`` for the limits. Twilio retries a webhook that fails, so every
accepted request is answered 2xx, even when its ``From`` is not a phone number (logged and
dropped). Replies go out through the REST API, not TwiML, so that they are counted, recorded and
reported on like every other SMS; the inbound answer is an empty ``<Response/>``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import select, update
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from twilio.request_validator import RequestValidator

from bot.channels.addresses import SMS_CAPABILITIES, phone_address
from bot.channels.sms import CHANNEL, INBOUND_PATH, OPTED_OUT_CODE, STATUS_PATH, TwilioConfig, TwilioSender
from bot.channels.twilio_request import read_signed_form
from bot.clock import Clock, system_clock
from bot.context import ServiceContext
from bot.dispatcher import Dispatcher, Handled
from bot.i18n import Catalogs
from flows.events import Inbound
from flows.phones import normalize_phone
from storage.db import Database
from storage.models import ChannelIdentity, OutboxMessage
from storage.models.sms import SmsMessage

log = logging.getLogger(__name__)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
# Later statuses never go back to earlier ones: reports can arrive out of order.
STATUS_RANK = {"accepted": 0, "scheduled": 0, "queued": 0, "sending": 1, "sent": 2,
               "delivered": 3, "undelivered": 3, "failed": 3, "read": 4}


def twiml() -> Response:
    return Response(EMPTY_TWIML, media_type="text/xml")


class SmsWebhook:
    def __init__(
        self, config: TwilioConfig, dispatcher: Dispatcher, catalogs: Catalogs, db: Database,
        sender: TwilioSender, *, clock: Clock = system_clock,
    ) -> None:
        self.config, self.dispatcher, self.catalogs, self.db = config, dispatcher, catalogs, db
        self.sender, self.clock = sender, clock
        self.validator = RequestValidator(config.auth_token)

    def routes(self) -> list[BaseRoute]:
        return [
            Route(INBOUND_PATH, self.inbound, methods=["POST"]),
            Route(STATUS_PATH, self.status, methods=["POST"]),
        ]

    async def _signed_form(self, request: Request) -> FormData:
        """The verified form. Every refusal (403, 413, 415, 400) is raised as an HTTPException
        that Starlette answers, before anything is stored; None is never returned."""
        return await read_signed_form(request, self.validator, self.config.public_url)

    async def inbound(self, request: Request) -> Response:
        form = await self._signed_form(request)
        sid = str(form.get("MessageSid") or form.get("SmsSid") or "") or None
        raw_from = str(form.get("From", ""))
        e164 = normalize_phone(raw_from)
        if e164 is None:
            log.warning("SMS %s dropped: its From (%d characters) is not a valid phone number", sid,
                        len(raw_from))
            return twiml()
        address = phone_address(e164)
        event = Inbound(CHANNEL, address, text=str(form.get("Body", "")), capabilities=SMS_CAPABILITIES)

        async def deliver(handled: Handled) -> None:
            # A reply not sent now stays with the outbox (``bot.replies``); Twilio gets its 2xx
            # either way, since the step is committed and must not run again.
            await self.sender.send(address, handled.replies, self.catalogs.translator(handled.language))

        await self.dispatcher.handle(event, provider_id=sid, deliver=deliver)
        return twiml()

    async def status(self, request: Request) -> Response:
        form = await self._signed_form(request)
        sid = str(form.get("MessageSid") or form.get("SmsSid") or "")
        status = str(form.get("MessageStatus") or form.get("SmsStatus") or "").lower()
        code = str(form.get("ErrorCode") or "") or None
        if not sid or status not in STATUS_RANK:
            log.warning("status callback ignored: sid %r, status %r", sid, status)
            return Response(status_code=204)
        await self._record_status(sid, status, code, str(form.get("To", "")))
        return Response(status_code=204)

    async def _record_status(self, sid: str, status: str, code: str | None, to: str) -> None:
        now = self.clock()
        async with self.db.transaction() as session:
            row = await session.scalar(select(SmsMessage).where(SmsMessage.sid == sid))
            outbox = await session.scalar(select(OutboxMessage).where(OutboxMessage.provider_id == sid))
            if row is None and outbox is None:
                log.info("status %s for unknown SMS %s", status, sid)
            if row is not None and STATUS_RANK[status] >= STATUS_RANK.get(row.status, 0):
                row.status, row.updated_at = status, now
                row.error_code = code or row.error_code
                row.outbox_id = row.outbox_id or (outbox.id if outbox else None)
            if outbox is not None and STATUS_RANK[status] >= STATUS_RANK.get(outbox.delivery_status or "", 0):
                outbox.delivery_status = status
                outbox.error_code = code or outbox.error_code
            if code == str(OPTED_OUT_CODE):
                address = row.address if row is not None else phone_address(normalize_phone(to) or to)
                opted_out = await session.scalars(
                    update(ChannelIdentity)
                    .where(ChannelIdentity.channel == CHANNEL, ChannelIdentity.address == address,
                           ChannelIdentity.opted_out_at.is_(None))
                    .values(opted_out_at=now)
                    .returning(ChannelIdentity.id)
                )
                # The identity's id, never the number: logs leave the machine more easily than the database.
                log.info("SMS %s: its recipient texted STOP to the carrier (error 21610), identity %s "
                         "opted out", sid, ", ".join(map(str, opted_out)) or "(none new)")


class SmsChannel:
    """The SMS runtime: two webhook routes and the sender."""

    name = CHANNEL

    def __init__(self, sender: TwilioSender, routes: Sequence[BaseRoute]) -> None:
        self.sender = sender
        self.routes = list(routes)

    async def start(self) -> None:
        self.sender.open()

    async def stop(self) -> None:
        await self.sender.close()


def build_sms(ctx: ServiceContext) -> SmsChannel | None:
    settings = ctx.settings
    if not settings.has_twilio:
        return None
    assert settings.twilio_account_sid and settings.twilio_auth_token and settings.public_url
    config = TwilioConfig(
        account_sid=settings.twilio_account_sid,
        auth_token=settings.twilio_auth_token.get_secret_value(),
        public_url=str(settings.public_url),
        sender=settings.twilio_from,
        messaging_service_sid=settings.twilio_messaging_service_sid,
        api_url=str(settings.twilio_api_url) if settings.twilio_api_url else None,
        transliterate=settings.sms_transliterate,
        segments_per_second=settings.twilio_share_per_second,
    )
    sender = TwilioSender(config, ctx.db, clock=ctx.clock)
    webhook = SmsWebhook(config, ctx.dispatcher, ctx.catalogs, ctx.db, sender, clock=ctx.clock)
    return SmsChannel(sender, webhook.routes())
