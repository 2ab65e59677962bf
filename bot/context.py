"""What a channel factory is given when the service starts (kept apart from ``bot.service`` so
that channels and the service do not import each other)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.channels.base import ChannelRuntime
from bot.clock import Clock
from bot.dispatcher import Dispatcher
from bot.i18n import Catalogs
from bot.settings import Settings
from storage.db import Database


@dataclass
class ServiceContext:
    settings: Settings
    db: Database
    catalogs: Catalogs
    dispatcher: Dispatcher
    clock: Clock
    webhook_url: str | None = None


ChannelFactory = Callable[[ServiceContext], ChannelRuntime | None]
