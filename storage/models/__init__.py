"""All models; importing this package registers every table on ``Base.metadata``."""

from storage.models import courses as courses  # registers the course tables
from storage.models import sms as sms  # registers the SMS delivery table
from storage.models import surveys as surveys  # registers the survey tables
from storage.models.base import Base, UTCDateTime
from storage.models.core import (
    Centre,
    ChannelIdentity,
    Contact,
    Conversation,
    FacilitatorRole,
    InboundMessage,
    OutboxMessage,
)

__all__ = [
    "Base",
    "Centre",
    "ChannelIdentity",
    "Contact",
    "Conversation",
    "FacilitatorRole",
    "InboundMessage",
    "OutboxMessage",
    "UTCDateTime",
]
