"""Logging set-up that never prints a secret: known secret values are masked in every record.

At INFO and above, people appear by their contact or identity id only: never a phone number,
an address or what they wrote (those logs may be shared; the database holds the rest).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

QUIET_LOGGERS = ("httpx", "twilio", "alembic")
_BOT_TOKEN_IN_URL = re.compile(r"/bot\d+:[A-Za-z0-9_-]+")


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _BOT_TOKEN_IN_URL.sub("/bot***", message)
        for secret in self.secrets:
            redacted = redacted.replace(secret, "***")
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def configure_logging(level: str, secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO, and Telegram's URLs carry the token. The twilio
    # client logs 11 INFO lines per SMS (the URL with the Account SID, the recipient's number,
    # headers): no phone number or message text may reach the logs at INFO or above.
    for noisy in QUIET_LOGGERS:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    # APScheduler logs every tick at INFO ("Running job …") and a tick skipped behind a long
    # job at WARNING: noise in the service, and in the simulator it would print over the
    # villager's conversation. Our jobs log their own failures (``bot.scheduler``).
    logging.getLogger("apscheduler").setLevel(max(logging.ERROR, root.level))
