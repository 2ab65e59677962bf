"""What the outbox and the channels agree on about queued traffic and pauses.

- ``queued_traffic``: set by the outbox around its sends, so a channel paces that traffic
  behind the immediate replies it also sends (a context variable, so the ``Sender`` protocol
  and every sender keep their one ``send``).
- ``ChannelPaused``: a queued message handed back unsent because its channel is paused (a
  429 met by another message): not this message's fault, so the attempt is not counted.
"""

from __future__ import annotations

from contextvars import ContextVar

from flows.errors import RetryLater

queued_traffic: ContextVar[bool] = ContextVar("queued_traffic", default=False)


class ChannelPaused(RetryLater):
    """Not sent: the channel is silent for ``retry_after`` seconds after a 429."""
