"""How each channel writes a person's address (``ChannelIdentity.address``), in one place.

Kept apart from the channels themselves so that ``clc-admin`` (adding a facilitator by phone or
Telegram id) and the effect appliers can name an address without loading a channel's library.
"""

from __future__ import annotations

from flows.events import Capability

TELEGRAM = "telegram"
SMS = "sms"
SIMULATOR = "simulator"
# Over SMS the person pays per message: STOP words and idle resume apply (also to the
# simulator standing in for a phone).
SMS_CAPABILITIES: frozenset[Capability] = frozenset({"stop_words", "idle_resume"})


def telegram_address(user_id: int) -> str:
    return f"telegram:{user_id}"


def phone_address(e164: str) -> str:
    """The address of a phone number, shared by SMS and the simulator's ``--phone``."""
    return f"tel:{e164}"
