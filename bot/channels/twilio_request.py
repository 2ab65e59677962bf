"""Reading a Twilio webhook: refused early and cheaply unless it can be Twilio's.

Anyone can post to ``/sms/twilio``, and it shares the event loop with Telegram and the
scheduler, so nothing here may cost more than a few milliseconds whatever is sent:

- no ``X-Twilio-Signature`` header: 403 before the body is read;
- a content type other than ``application/x-www-form-urlencoded`` (multipart, JSON, none): 415;
- a body over ``MAX_BODY_BYTES`` (32 kB, by ``Content-Length`` or while it streams in): 413;
- over ``MAX_FIELDS`` (100) fields: 400;
- a wrong signature: 403.

Twilio's webhooks are far below the limits: an inbound SMS has about 20 fields (20 more for
the ten media of an MMS) and at most 1,600 characters of ``Body``, which percent-encoded is
14.4 kB even for 3-byte characters. The form is parsed once, in linear time, and the signature
is checked by twilio's own ``RequestValidator`` fed a plain dict of lists: over Starlette's
``FormData`` the validator is quadratic in the number of fields (``FormData.getlist`` scans
every field for every name), and 16,000 fields took 8 s.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)

from flows.errors import ClcError

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 32 * 1024
MAX_FIELDS = 100
FORM_TYPE = "application/x-www-form-urlencoded"
_LENGTH = re.compile(r"[0-9]{1,12}")


class RefusedWebhook(HTTPException, ClcError):
    """A request refused before it reaches the bot; Starlette answers it with its status."""


class _Fields(dict[str, list[str]]):
    """All values of each name, as twilio's validator asks for them (``getall``), in O(1)."""

    def getall(self, name: str) -> list[str]:
        return self[name]


def signed_url(public_url: str, request: Request) -> str:
    """The URL Twilio called: behind a proxy the request's own URL differs."""
    url = public_url.rstrip("/") + request.url.path
    return url + "?" + request.url.query if request.url.query else url


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The body, refused with 413 as soon as it is known to exceed ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not _LENGTH.fullmatch(declared.strip()):
            raise RefusedWebhook(400, "bad Content-Length")
        if int(declared) > limit:
            raise RefusedWebhook(413, "request body too large")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise RefusedWebhook(413, "request body too large")
    return bytes(body)


def parse_form(body: bytes, max_fields: int = MAX_FIELDS) -> list[tuple[str, str]]:
    """The fields of an urlencoded body, in order; 400 for too many.

    Bytes that are not UTF-8 become U+FFFD, as Starlette's form parser made them: the signature
    then decides (a lone surrogate, ``%ED%A0%80``, never reaches the bot)."""
    try:
        # parse_qsl counts the separators before it splits: linear, and bounded by max_fields.
        return parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True,
                         encoding="utf-8", errors="replace", max_num_fields=max_fields)
    except ValueError:  # "Max number of fields exceeded", the only one it raises when not strict
        raise RefusedWebhook(400, "too many form fields") from None


async def read_signed_form(request: Request, validator: RequestValidator, public_url: str) -> FormData:
    """The form of a request Twilio signed; anything else raises :class:`RefusedWebhook`."""
    path = request.url.path
    signature = request.headers.get(SIGNATURE_HEADER)
    if not signature:
        log.warning("twilio webhook %s without a signature: refused", path)
        raise RefusedWebhook(403, "invalid signature")
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != FORM_TYPE:
        log.warning("twilio webhook %s with content type %r: refused", path, media_type[:60])
        raise RefusedWebhook(415, f"expected {FORM_TYPE}")
    try:
        pairs = parse_form(await read_body(request))
    except RefusedWebhook as refused:
        log.warning("twilio webhook %s refused: %s", path, refused.detail)
        raise
    fields = _Fields()
    for name, value in pairs:
        fields.setdefault(name, []).append(value)
    algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
    if not validator.validate(signed_url(public_url, request), fields, signature, algorithm):
        log.warning("twilio webhook %s with a wrong signature: refused", path)
        raise RefusedWebhook(403, "invalid signature")
    return FormData([(name, value) for name, value in pairs])  # typed as FormData takes it
