"""A fake Twilio REST API (Messages) and requests signed exactly as Twilio signs webhooks.

``FakeTwilio.app`` serves ``POST /2010-04-01/Accounts/<sid>/Messages.json`` with HTTP basic
auth (account sid + auth token, 401 JSON error otherwise), validates ``To`` and the sender
(``From`` or ``MessagingServiceSid``) like Twilio does, and answers 201 with the JSON Twilio
returns (``sid`` "SM…", ``status`` "queued", ``num_segments`` …). Numbers in ``stopped``
answer error 21610 (the recipient texted STOP to the carrier); ``fail_next`` makes the next
requests fail with a given status and error code. Every accepted message is recorded.

``signed(url, params, token)`` computes ``X-Twilio-Signature`` with twilio's own
``RequestValidator``, so the app under test is checked against the real algorithm.
"""

from __future__ import annotations

import base64
import email.utils
import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from twilio.request_validator import RequestValidator

from bot.channels.sms_segments import count_segments

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "fake-auth-token-0123456789abcdef"
FROM_NUMBER = "+77170000000"
PUBLIC_URL = "https://clc.example.org"
MAX_BODY = 1600


def signed(url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> dict[str, str]:
    """The headers Twilio sends with a webhook to ``url`` carrying form ``params``."""
    return {"X-Twilio-Signature": RequestValidator(token).compute_signature(url, params)}


@dataclass
class Sent:
    sid: str
    to: str
    body: str
    sender: str
    status_callback: str | None
    num_segments: int


@dataclass
class FakeTwilio:
    account_sid: str = ACCOUNT_SID
    auth_token: str = AUTH_TOKEN
    sent: list[Sent] = field(default_factory=list)
    stopped: set[str] = field(default_factory=set)
    fail_next: list[tuple[int, int, str]] = field(default_factory=list)  # (HTTP status, code, message)
    requests: int = 0
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def app(self) -> Starlette:
        path = "/2010-04-01/Accounts/{account}/Messages.json"
        return Starlette(routes=[Route(path, self._create, methods=["POST"])])

    def to(self, number: str) -> list[str]:
        """The texts a phone received, in order."""
        return [message.body for message in self.sent if message.to == number]

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return user == self.account_sid and password == self.auth_token

    async def _create(self, request: Request) -> JSONResponse:
        self.requests += 1
        if not self._authorised(request) or request.path_params["account"] != self.account_sid:
            return _error(401, 20003, "Authenticate")
        form = await request.form()
        to, body = str(form.get("To", "")), str(form.get("Body", ""))
        sender = str(form.get("From") or form.get("MessagingServiceSid") or "")
        if self.fail_next:
            status, code, message = self.fail_next.pop(0)
            return _error(status, code, message)
        if not sender:
            return _error(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required")
        if not to.startswith("+") or not to[1:].isdigit():
            return _error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if not body:
            return _error(400, 21602, "Message body is required.")
        if len(body) > MAX_BODY:
            return _error(400, 21617, "The concatenated message body exceeds the 1600 character limit.")
        if to in self.stopped:
            return _error(400, 21610, "Attempt to send to unsubscribed recipient")
        sid = "SM" + uuid.UUID(int=next(self._counter)).hex
        segments = count_segments(body).segments
        callback = str(form["StatusCallback"]) if "StatusCallback" in form else None
        self.sent.append(Sent(sid, to, body, sender, callback, segments))
        now = email.utils.format_datetime(email.utils.localtime(), usegmt=False)
        return JSONResponse(
            {
                "account_sid": self.account_sid, "api_version": "2010-04-01", "body": body,
                "date_created": now, "date_sent": None, "date_updated": now,
                "direction": "outbound-api", "error_code": None, "error_message": None,
                "from": form.get("From"), "messaging_service_sid": form.get("MessagingServiceSid"),
                "num_media": "0", "num_segments": str(segments), "price": None, "price_unit": "USD",
                "sid": sid, "status": "queued", "subresource_uris": {
                    "media": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}/Media.json"},
                "to": to, "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
            },
            status_code=201,
        )


def _error(status: int, code: int, message: str) -> JSONResponse:
    body: dict[str, Any] = {
        "code": code, "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status,
    }
    return JSONResponse(body, status_code=status)
