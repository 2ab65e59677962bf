"""Who the retention rule forgets: consent older than the period and no activity for as long.

A person is *expired* at ``now`` for a retention period of ``days`` when all of these hold:

* the contact stands for the person (not deleted, not merged into another: a merge moves every
  row of the old contact to the one that stays, so looking at that one sees everything);
* nobody made them staff (no ``facilitator_roles`` row, facilitator or administrator);
* their survey consent (``consent_at``; for someone who never consented, ``created_at``) is
  older than the period;
* none of these activity signals is as recent as the period: a message they sent
  (``inbound_messages.received_at``), a step of their conversation
  (``conversations.updated_at``), a change of an enrolment of theirs (``enrolments.updated_at``:
  joining, leaving, an offer, a facilitator's move), a survey answer
  (``survey_runs.updated_at``) or a new address of theirs (``channel_identities.created_at``).

Messages the bot sent them are not activity: a reminder must not keep someone's data alive.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChannelIdentity, Contact, Conversation, FacilitatorRole, InboundMessage
from storage.models.courses import Enrolment
from storage.models.surveys import SurveyRun

# Two years, as the needs survey's consent always promised.
DEFAULT_RETENTION_DAYS = 730
# Shorter would erase people between a course's enrolment and its first session.
MIN_RETENTION_DAYS = 30
# A century: longer means "never", and the cut-off date must stay a date.
MAX_RETENTION_DAYS = 36500

# (table's contact column, its activity time) for every activity signal.
ACTIVITY = (
    (InboundMessage.contact_id, InboundMessage.received_at),
    (Conversation.contact_id, Conversation.updated_at),
    (Enrolment.contact_id, Enrolment.updated_at),
    (SurveyRun.contact_id, SurveyRun.updated_at),
    (ChannelIdentity.contact_id, ChannelIdentity.created_at),
)


def cutoff(now: dt.datetime, days: int) -> dt.datetime:
    return now - dt.timedelta(days=days)


def _expired(since: dt.datetime) -> ColumnElement[bool]:
    staff = exists().where(FacilitatorRole.contact_id == Contact.id)
    recent = [exists().where(column == Contact.id, at >= since) for column, at in ACTIVITY]
    return and_(
        Contact.deleted_at.is_(None),
        Contact.merged_into_id.is_(None),
        func.coalesce(Contact.consent_at, Contact.created_at) < since,
        ~staff,
        *(~signal for signal in recent),
    )


async def expired_contacts(session: AsyncSession, now: dt.datetime, days: int) -> Sequence[int]:
    """Ids of the contacts the retention rule forgets now, oldest first."""
    query = select(Contact.id).where(_expired(cutoff(now, days))).order_by(Contact.id)
    return (await session.scalars(query)).all()


async def still_expired(session: AsyncSession, contact_id: int, now: dt.datetime, days: int) -> bool:
    """Checked again in the transaction that erases: the person may have written meanwhile."""
    query = select(Contact.id).where(Contact.id == contact_id, _expired(cutoff(now, days)))
    return await session.scalar(query) is not None
