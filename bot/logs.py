"""Logging set-up that never prints a secret: known secret values are masked in every record."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

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
    # httpx logs every request URL at INFO, and Telegram's URLs carry the token.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("alembic").setLevel(max(logging.WARNING, root.level))
    # APScheduler logs every tick at INFO ("Running job …") and a tick skipped behind a long
    # job at WARNING: noise in the service, and in the simulator it would print over the
    # villager's conversation. Our jobs log their own failures (``bot.scheduler``).
    logging.getLogger("apscheduler").setLevel(max(logging.ERROR, root.level))
