"""Messages that are not an immediate answer: a row first, then a delivery.

``enqueue`` adds rows inside the caller's transaction. A message that asks something (a seat
offer, a questionnaire invitation) may carry ``awaits``: once it is delivered, an idle
conversation (at the main menu or only browsing: ``flows.registry.taken_over``) is put into
that flow's view, so a typed "1" answers what the person just read, never something still
waiting in the queue. Each feature declares its kinds (``OutboxKind``): the check made just
before sending that the message is still wanted, and its ``Priority``.

``OutboxSender.send_due`` (``bot.outbox.sender``) claims due rows in batches, most urgent
first (``bot.outbox.store``), checks them again (``bot.outbox.prepare``: the contact still
exists, the address has not opted out or become unreachable, the message is still wanted and
is no loop's copy), sends them concurrently at the channels' pace and records the outcomes in
batches. A process claims only messages for people it has an address for on its own channels;
the rest wait for a process that serves theirs.

A ``farewell`` row (``enqueue_farewell``) is the one kind sent to no contact's identity: the
person was forgotten, so their address is in the row itself, and the row is deleted once sent
or given up, so that nothing of them stays behind.
"""

from bot.outbox.rows import (
    FAREWELL,
    PARTS_SENT,
    PARTS_TO,
    TO,
    Awaits,
    Claimed,
    OutboxKind,
    Priority,
    StillWanted,
    Target,
    enqueue,
    enqueue_farewell,
    reachable,
)
from bot.outbox.sender import OutboxSender
from bot.outbox.store import LEASE, MAX_ATTEMPTS

__all__ = [
    "FAREWELL", "LEASE", "MAX_ATTEMPTS", "PARTS_SENT", "PARTS_TO", "TO", "Awaits", "Claimed", "OutboxKind",
    "OutboxSender", "Priority", "StillWanted", "Target", "enqueue", "enqueue_farewell", "reachable",
]
