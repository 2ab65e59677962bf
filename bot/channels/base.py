"""What every channel provides: a sender for queued messages and a runtime the service runs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from starlette.routing import BaseRoute

from bot.i18n import Translator
from flows.events import Reply


class Sender(Protocol):
    """Delivers rendered replies to one address of its channel.

    Returns the provider's message ids. Raises ``bot.errors.Unreachable``, ``RetryLater`` or
    ``PermanentFailure`` so the outbox knows what to do next.
    """

    channel: str

    async def send(self, address: str, replies: Sequence[Reply], tr: Translator) -> list[str]: ...


class ChannelRuntime(Protocol):
    """A configured channel inside the running service (read-only members, so a channel whose
    ``sender`` is its own sender type still satisfies it)."""

    @property
    def name(self) -> str: ...

    @property
    def routes(self) -> Sequence[BaseRoute]: ...

    @property
    def sender(self) -> Sender | None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...
