"""A whole SMS journey logged at INFO, as the service logs it: no phone number, no message text.

The logs go to a terminal, a journal, a support ticket; the database keeps the rest. People
appear in them by their contact or identity id only.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest

from bot.clock import FakeClock
from bot.i18n import Catalogs
from bot.logs import QUIET_LOGGERS, configure_logging
from storage.db import Database
from tests.bot.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN
from tests.bot.sms_harness import sms_world
from tests.bot.test_survey_transcripts import RUSSIAN

PHONE = "+77051234567"
NATIONAL = "7051234567"  # the number's digits in any format: +7 705 123-45-67, 87051234567, …


@pytest.fixture
def service_logging(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """The service's logging set-up (bot.logs) at INFO, with pytest's capture still attached."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in (*QUIET_LOGGERS, "apscheduler")}
    configure_logging("INFO", secrets=[AUTH_TOKEN])
    root.addHandler(caplog.handler)
    caplog.handler.setLevel(logging.DEBUG)
    try:
        yield caplog
    finally:
        root.handlers[:], root.level = handlers, level
        for name, previous in levels.items():
            logging.getLogger(name).setLevel(previous)


def shown(record: logging.LogRecord) -> str:
    return record.getMessage() + (f"\n{record.exc_text}" if record.exc_text else "")


async def test_a_survey_over_sms_logs_no_number_and_no_text(
    database: Database, catalogs: Catalogs, clock: FakeClock, service_logging: pytest.LogCaptureFixture
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
    records = [r for r in service_logging.records if r.levelno >= logging.INFO]
    assert any("21610" in r.getMessage() for r in records)  # the opt-out is logged, by id
    assert not [r.name for r in records if r.name.startswith(("twilio", "httpx"))]
    for record in records:
        message = shown(record)
        assert NATIONAL not in re.sub(r"\D", "", message), (record.name, message)
        assert ACCOUNT_SID not in message, (record.name, message)
        for text in [t for t in typed if len(t) >= 4] + [line for sms in received for line in sms.splitlines()
                                                         if len(line) >= 8]:
            assert text not in message, (record.name, message)
