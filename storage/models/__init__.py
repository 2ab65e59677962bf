"""Every model of the schema, in one package: ``storage.models.courses`` and the others are
part of its interface, so ``Base.metadata`` (migrations, the merge of two contacts) always
holds every table, whatever module was imported first. SQLAlchemy maps a model when its class
is defined; that is the library's contract, not a registry of ours."""

from storage.models import audit as audit
from storage.models import broadcasts as broadcasts
from storage.models import courses as courses
from storage.models import pseudonyms as pseudonyms
from storage.models import reminders as reminders
from storage.models import sms as sms
from storage.models import surveys as surveys
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
