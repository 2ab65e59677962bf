"""A whole SMS journey logged at INFO, as the service logs it: no phone number, no message text.

The logs go to a terminal, a journal, a support ticket; the database keeps the rest. People
appear in them by their contact or identity id only. ``test_logs_privacy`` runs the same
check over Telegram and SMS together, with the error paths; this one adds what the bot said.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.clock import FakeClock
from bot.i18n import Catalogs
from storage.db import Database
from tests.bot.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN
from tests.bot.service_logs import ServiceLogs, leaks, service_logs
from tests.bot.sms_harness import sms_world
from tests.bot.test_survey_transcripts import RUSSIAN

PHONE = "+77051234567"


@pytest.fixture
def logs() -> Iterator[ServiceLogs]:
    with service_logs("INFO", secrets=[AUTH_TOKEN]) as captured:
        yield captured


async def test_a_survey_over_sms_logs_no_number_and_no_text(
    database: Database, catalogs: Catalogs, clock: FakeClock, logs: ServiceLogs
) -> None:
    typed = ["Сәлем", *(a for a in RUSSIAN if a != "/quit")]
    async with sms_world(database, catalogs, clock) as world:
        for text in typed:
            clock.advance(minutes=1)
            await world.say(PHONE, text)
        received = world.fake.to(PHONE)
        first, last = world.fake.sent[0].sid, world.fake.sent[-1].sid
        assert (await world.report(first, "delivered", to=PHONE)).status_code == 204
        assert (await world.report(last, "undelivered", error_code="21610", to=PHONE)).status_code == 204
        assert (await world.post("/sms/twilio", {"From": PHONE, "Body": "подделка"}, headers={})).status_code == 403
    records = [r for r in logs.records if r.levelno >= logging.INFO]
    assert any("21610" in r.getMessage() for r in records)  # the opt-out is logged, by id
    assert not [r.name for r in records if r.name.startswith(("twilio", "httpx"))]
    said = [line for sms in received for line in sms.splitlines() if len(line) >= 8]
    assert leaks(logs.text, phones=[PHONE], private=[ACCOUNT_SID, *(t for t in typed if len(t) >= 4), *said]) == []
