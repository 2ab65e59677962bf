"""What every channel provides: a sender for queued messages and a runtime the service runs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from starlette.routing import BaseRoute

from bot.i18n import Translator
from flows.events import Reply

# Awaited after each part the provider accepted: parts sent so far (skipped ones included),
# how many parts the replies make, and the part's provider id.
PartSent = Callable[[int, int, str], Awaitable[None]]


class Sender(Protocol):
    """Delivers rendered replies to one address of its channel.

    Replies may go out as several parts (messages past Telegram's 4,096 characters, SMS bodies
    past 1,600); the first ``skip`` parts were sent by an earlier attempt and are not sent again,
    and ``on_part`` is awaited after each part so the outbox records it before the next one.
    Returns the provider's ids of the parts sent by this call. Raises
    ``flows.errors.Unreachable``, ``RetryLater`` or ``PermanentFailure`` so the outbox knows
    what to do next.
    """

    channel: str

    async def send(
        self, address: str, replies: Sequence[Reply], tr: Translator, *, skip: int = 0,
        on_part: PartSent | None = None,
    ) -> list[str]: ...


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
