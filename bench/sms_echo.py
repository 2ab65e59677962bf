"""The bare endpoint the SMS benchmark compares clc-bot with: Starlette under uvicorn, answering
every POST with TwiML that echoes its ``Body`` (``<Response><Message>…</Message></Response>``).
It checks nothing (no signature, no database, no Twilio API call): the cost of the framework
alone, as a Twilio webhook that answers in TwiML would have it.

    python -m bench.sms_echo PORT
"""

from __future__ import annotations

import sys
from xml.sax.saxutils import escape

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

PATH = "/sms"


async def echo(request: Request) -> Response:
    form = await request.form()
    body = escape(str(form.get("Body", "")))
    twiml = f'<?xml version="1.0" encoding="UTF-8"?><Response><Message>{body}</Message></Response>'
    return Response(twiml, media_type="text/xml")


async def healthz(_request: Request) -> Response:
    return Response("ok")


app = Starlette(routes=[Route(PATH, echo, methods=["POST"]), Route("/healthz", healthz)])


def main(argv: list[str]) -> None:
    # uvicorn handles SIGTERM itself: it stops accepting, finishes what is in flight and exits.
    uvicorn.run(app, host="127.0.0.1", port=int(argv[0]), log_level="warning", lifespan="off")


if __name__ == "__main__":
    main(sys.argv[1:])
