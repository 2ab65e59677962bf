"""Forgetting a person: everything personal of one contact goes, anonymous aggregates stay.

``forget_contact`` works on the contact and every contact merged into it (the same person on
another channel). What happens to each table (every model in ``storage.models``):

* ``contacts``: kept as a tombstone (``deleted_at`` set, ``name`` NULL, ``merged_into_id`` kept),
  so foreign keys and counts of runs or enrolments stay valid; language, centre and consent
  flags are not personal on their own and stay for reports.
* ``channel_identities``: deleted (phone numbers, Telegram ids).
* ``conversations``: deleted (the engine's state may hold typed text).
* ``inbound_messages``: blanked, not deleted (``address`` "-", ``text``/``payload``/``contact_id``
  NULL): the row still deduplicates a provider's retry, so a retried message cannot bring back
  a new contact. Rows are found by contact and by the person's addresses.
* ``outbox``: deleted, whatever their status (payloads hold names and typed text).
* ``sms_messages``: deleted when sent to one of the person's addresses or to the contact.
* ``survey_runs``: kept on the tombstone (response counts).
* ``survey_answers``: choice answers (single, multi, yes_no) kept with ``raw_text`` NULL, since
  the chosen option is an anonymous aggregate once the contact is a tombstone; every other
  answer (free text, numbers, phone, date) is deleted.
* ``survey_invitations``: kept on the tombstone (response rates); they hold course titles only.
* ``reminders``: kept (which reminder went when: kinds, ids and times, nothing personal); the
  outbox rows they queued are deleted with the rest.
* ``broadcast_recipients``: kept on the tombstone (a broadcast's counts: ids and a skip reason,
  no text); their outbox rows are deleted with the rest.
* ``broadcasts``: untouched (a facilitator's announcement to a centre, not about this person;
  ``created_by`` names an actor as the audit log does).
* ``enrolments``: the person leaves every course and waiting list like someone leaving does
  (status ``left``, seat freed); the freed seats are offered to the next people, which the
  caller queues (``Forgotten.offers``, as after a merge). Past rows stay for attendance counts.
* ``course_attendance``: kept (counts); ``marked_by`` holds actors like ``contact:12``.
* ``course_audit``: kept (rows are only ever added), but ``reason`` is blanked on the rows about
  this person, since a facilitator may have written personal things there.
* ``facilitator_roles``: deleted.
* ``centres``, ``courses``, ``course_sessions``, ``questionnaires``, ``questionnaire_versions``:
  nothing personal, untouched.
* ``pseudonym_keys``: untouched (one random key for ``--pseudonymize`` exports, nothing of anyone).
* ``audit_log``: kept, and one row is added: who erased, when, the contact id and counts.

The erasure is also logged at INFO with the contact id only; the reason is written by a
facilitator and may itself be personal, so it is neither logged nor stored.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from flows.courses.statuses import ACTIVE_STATUSES
from flows.errors import Refused
from storage import audit
from storage.contacts import live_contact
from storage.courses.seats import leave
from storage.models.core import (
    ChannelIdentity,
    Contact,
    Conversation,
    FacilitatorRole,
    InboundMessage,
    OutboxMessage,
)
from storage.models.courses import CourseAudit, Enrolment
from storage.models.sms import SmsMessage
from storage.models.surveys import QuestionnaireVersion, SurveyAnswer, SurveyRun
from storage.surveys import same_person

log = logging.getLogger(__name__)

# Answers to these question types are a choice among fixed options: anonymous once detached.
CHOICE_TYPES = frozenset({"single", "multi", "yes_no"})


@dataclass
class Forgotten:
    contact_ids: list[int]
    addresses: int = 0
    left: int = 0
    # Seats freed by leaving, now offered to the next people; the caller queues the offers.
    offers: list[Enrolment] = field(default_factory=list)


def _choice_questions(definition: dict[str, Any]) -> set[str]:
    questions = definition.get("questions", []) if isinstance(definition, dict) else []
    return {
        str(q.get("id")) for q in questions if isinstance(q, dict) and q.get("type") in CHOICE_TYPES
    }


async def forget_contact(
    session: AsyncSession, contact_id: int, now: dt.datetime, reason: str | None = None, *,
    actor: str = "system",
) -> Forgotten:
    """Erase the person's data (see the module docstring); the reason is deliberately unused.

    The audit log gets one row: who (``actor``), when, the contact id and counts; nothing erased.
    """
    del reason  # may be personal: neither stored nor logged
    try:
        # A contact merged into another is the same person: forget the whole person.
        contact_id = (await live_contact(session, contact_id)).id
    except LookupError:
        raise Refused(f"contact {contact_id} does not exist") from None
    people = await same_person(session, contact_id)
    result = Forgotten(contact_ids=people)
    centre_id = await session.scalar(select(Contact.centre_id).where(Contact.id == contact_id))

    identities = (
        await session.execute(
            select(ChannelIdentity.channel, ChannelIdentity.address)
            .where(ChannelIdentity.contact_id.in_(people))
        )
    ).all()
    pairs = [(channel, address) for channel, address in identities]
    addresses = [address for _, address in pairs]
    result.addresses = len(pairs)

    for enrolment_id in (
        await session.scalars(
            select(Enrolment.id)
            .where(Enrolment.contact_id.in_(people), Enrolment.status.in_(ACTIVE_STATUSES))
        )
    ).all():
        _, offers = await leave(session, enrolment_id, now, actor="system")
        result.left += 1
        result.offers.extend(o for o in offers if o.contact_id not in people)

    inbound_match = [InboundMessage.contact_id.in_(people)]
    if pairs:
        inbound_match.append(tuple_(InboundMessage.channel, InboundMessage.address).in_(pairs))
    await session.execute(
        update(InboundMessage).where(or_(*inbound_match))
        # Handled now too: a blank message left for a restart to handle would come from "-".
        .values(address="-", text=None, payload=None, contact_id=None,
                handled_at=func.coalesce(InboundMessage.handled_at, now))
    )
    sms_match = [SmsMessage.contact_id.in_(people)]
    if addresses:
        sms_match.append(SmsMessage.address.in_(addresses))
    await session.execute(delete(SmsMessage).where(or_(*sms_match)))
    await session.execute(delete(OutboxMessage).where(OutboxMessage.contact_id.in_(people)))
    await session.execute(delete(Conversation).where(Conversation.contact_id.in_(people)))
    await session.execute(delete(FacilitatorRole).where(FacilitatorRole.contact_id.in_(people)))
    await session.execute(delete(ChannelIdentity).where(ChannelIdentity.contact_id.in_(people)))
    await session.execute(update(CourseAudit).where(CourseAudit.contact_id.in_(people)).values(reason=None))
    await _answers(session, people)
    await session.execute(
        update(Contact).where(Contact.id.in_(people)).values(name=None, settlement=None, deleted_at=now)
    )
    await audit.record(
        session, at=now, actor=actor, action=audit.FORGOTTEN, subject=f"contact:{contact_id}",
        centre_id=centre_id, detail={"contacts": len(people), "addresses": len(pairs), "left": result.left},
    )
    await session.flush()
    log.info("contact %s forgotten (%d contacts, %d addresses)", contact_id, len(people), len(pairs))
    return result


async def _answers(session: AsyncSession, people: list[int]) -> None:
    """Keep choice answers without the typed text; delete every other answer."""
    runs = (
        await session.execute(
            select(SurveyRun.id, QuestionnaireVersion.definition)
            .join(QuestionnaireVersion, QuestionnaireVersion.id == SurveyRun.version_id)
            .where(SurveyRun.contact_id.in_(people))
        )
    ).all()
    for run_id, definition in runs:
        keep = _choice_questions(definition)
        await session.execute(
            delete(SurveyAnswer).where(SurveyAnswer.run_id == run_id, SurveyAnswer.question_id.not_in(keep))
        )
        await session.execute(update(SurveyAnswer).where(SurveyAnswer.run_id == run_id).values(raw_text=None))
