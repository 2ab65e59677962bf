"""The bot the tests talk to, built explicitly from every feature (as ``clc-bot`` is)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.channels.base import Sender
from bot.features import standard_features
from bot.i18n import Catalogs
from bot.outbox import OutboxSender
from flows.registry import FlowRegistry
from storage.db import Database

FEATURES = standard_features()
FLOWS: FlowRegistry = FEATURES.flows


def outbox_sender(database: Database, catalogs: Catalogs, senders: Mapping[str, Sender], **options: Any) -> OutboxSender:
    return OutboxSender(database, catalogs, senders, kinds=FEATURES.outbox_kinds, flows=FLOWS, **options)
