"""What a hostile POST to ``/sms/twilio`` costs the event loop, before and after the guard.

"before" is the old reading (Starlette's ``request.form()`` then twilio's ``RequestValidator``
over the ``FormData``: quadratic in the field count), kept here only as the reference;
"after" is ``bot.channels.twilio_request.read_signed_form``. Both run in one Starlette app over
httpx's ASGI transport, so time spent is time the event loop (Telegram, SMS, the scheduler)
could not run. Also: how long ``/healthz`` waits while 20 such requests arrive at once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

import httpx
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from twilio.request_validator import RequestValidator

from bot.channels.twilio_request import MAX_FIELDS, read_signed_form
from bot.http import create_app

TOKEN = "bench-auth-token-0123456789abcdef"
PUBLIC_URL = "https://clc.example.org"
FIELDS = int(os.environ.get("CLC_BENCH_WEBHOOK_FIELDS", "16000"))
# The old reading at 16,000 fields takes 8-20 s; smaller sizes show its quadratic growth.
BEFORE_FIELDS = [int(n) for n in os.environ.get("CLC_BENCH_WEBHOOK_BEFORE_FIELDS", "2000,4000").split(",")]
REPEAT = 20
FORM = {"content-type": "application/x-www-form-urlencoded"}
WRONG = {**FORM, "X-Twilio-Signature": "bm90IHRoZSByaWdodCBvbmU="}
validator = RequestValidator(TOKEN)


async def before(request: Request) -> Response:
    form = await request.form()
    signature = request.headers.get("X-Twilio-Signature", "")
    ok = validator.validate(PUBLIC_URL + request.url.path, form, signature)
    return Response(status_code=200 if ok else 403)


async def after(request: Request) -> Response:
    await read_signed_form(request, validator, PUBLIC_URL)
    return Response(status_code=200)


def client() -> httpx.AsyncClient:
    app = create_app([Route("/before", before, methods=["POST"]), Route("/after", after, methods=["POST"])])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1")


async def timed(call: Callable[[], Awaitable[httpx.Response]], times: int) -> tuple[float, int]:
    """Median milliseconds of ``times`` calls, and the status the last one got."""
    spent, status = [], 0
    for _ in range(times):
        started = time.perf_counter()
        status = (await call()).status_code
        spent.append((time.perf_counter() - started) * 1000)
    return statistics.median(spent), status


async def healthz_during_flood(http: httpx.AsyncClient, body: str, floods: int = 20) -> float:
    """Milliseconds ``/healthz`` takes to answer while ``floods`` hostile requests arrive."""
    tasks = [asyncio.create_task(http.post("/after", content=body, headers=WRONG)) for _ in range(floods)]
    await asyncio.sleep(0)  # let them start
    started = time.perf_counter()
    assert (await http.get("/healthz")).status_code == 200
    waited = (time.perf_counter() - started) * 1000
    await asyncio.gather(*tasks)
    return waited


async def measure_webhook_guard() -> None:
    logging.getLogger("bot.channels.twilio_request").setLevel(logging.ERROR)  # one warning per refusal
    many = urlencode({f"f{i}": "x" for i in range(FIELDS)})
    compact = "&".join(["a"] * FIELDS)[: 32 * 1024 - 1]
    largest = {f"Field{i}": "€" * 30 for i in range(MAX_FIELDS)}  # accepted size, signed right
    largest_body = urlencode(largest)
    signed = {**FORM, "X-Twilio-Signature": validator.compute_signature(PUBLIC_URL + "/after", largest)}
    print(f"twilio webhook, {FIELDS:,} fields ({len(many) / 1000:.0f} kB), median of {REPEAT}:")
    async with client() as http:
        for n in BEFORE_FIELDS:
            body = urlencode({f"f{i}": "x" for i in range(n)})
            old, status = await timed(lambda body=body: http.post("/before", content=body, headers=WRONG), 1)
            print(f"  before: form() + validate, {n:6,} fields     {old:9.1f} ms  ({status}, measured once)")
        rows = [
            ("after: unsigned", lambda: http.post("/after", content=many, headers=FORM)),
            ("after: wrong signature, 133 kB", lambda: http.post("/after", content=many, headers=WRONG)),
            (f"after: {compact.count('&') + 1:,} fields in 32 kB",
             lambda: http.post("/after", content=compact, headers=WRONG)),
            (f"after: {MAX_FIELDS} fields, {len(largest_body) // 1000} kB, signed right",
             lambda: http.post("/after", content=largest_body, headers=signed)),
        ]
        for name, call in rows:
            spent, status = await timed(call, REPEAT)
            print(f"  {name:43} {spent:9.2f} ms  ({status})")
        waited = await healthz_during_flood(http, many)
        print(f"  /healthz while 20 such requests arrive      {waited:9.2f} ms")


if __name__ == "__main__":
    asyncio.run(measure_webhook_guard())
