"""What every step reads about the person, in one statement on SQLite and two on PostgreSQL.

A step used to ask one thing at a time (the identity, the contact, the lock, unsent replies, the
conversation, the centre's slug): seven round trips before any feature's facts. Here:

1. the identity and its contact, the contact row locked on PostgreSQL (FOR NO KEY UPDATE: steps
   and erasures of one person serialise on it; see ``storage.contacts.lock_contact``);
2. after the lock, so from a snapshot that includes whatever the previous step of this person
   committed: the conversation, the centre's slug, whether replies are owed on this channel and
   whether other contacts were merged into this one, and their survey runs (``survey_facts``).

On PostgreSQL the lock is taken by the first statement and the state read by the second on
purpose: a row read in the same statement that waits for the lock would come from the snapshot
taken before the wait, i.e. before the previous step's commit. The second also claims the
message in the inbound log (``storage.inbound.claim``, a data-modifying WITH): one round trip
fewer. That claim may wait too, for a transaction writing the same message's row (the poller
recording it, another process claiming it, a failed step marking it, an erasure), but none of
those change what the rest reads, and a step claiming it holds the person's lock first.

On SQLite the step's transaction holds the database's write lock from its start (``BEGIN
IMMEDIATE``), so the read is one statement, and the claim (SQLite cannot write in a WITH) the
next.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, exists, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from flows.questionnaire.statuses import OPEN_INVITATION_STATUSES
from storage import inbound, invitations, survey_facts, surveys
from storage.contacts import live_contact, lock_contact
from storage.models import Centre, ChannelIdentity, Contact, Conversation, OutboxMessage
from storage.models.surveys import Questionnaire, QuestionnaireVersion, SurveyInvitation

REPLY = "reply"  # bot.replies' kind: a step's own replies kept until sent


@dataclass
class Person:
    identity: ChannelIdentity
    contact: Contact
    is_new: bool
    conversation: Conversation | None = None
    centre_slug: str | None = None
    owes_replies: bool = False  # unsent replies on this channel nobody is sending now
    has_merged: bool = False  # other contacts were merged into this one (the same person)
    # How many centres there are, the highest id and the sum of their edits: changes whenever
    # the list of centres does, so a process may keep its copy while it stays the same.
    centres_key: tuple[int, int, int] = (0, 0, 0)
    # The message's row in the inbound log, claimed with the read (``person``, ``new_person``);
    # None: it was handled before (a redelivery).
    claim_id: int | None = None


def _centre_stats(centre: Any) -> tuple[Any, Any, Any]:
    return (func.count(centre.id).label("n"), func.coalesce(func.max(centre.id), 0).label("top"),
            func.coalesce(func.sum(centre.revision), 0).label("edits"))


# Built once: a statement built per step (aliases, subqueries) costs more CPU than running it.
_WHO = (select(ChannelIdentity, Contact).join(Contact, Contact.id == ChannelIdentity.contact_id)
        .where(ChannelIdentity.channel == bindparam("channel"),
               ChannelIdentity.address == bindparam("address")))
_WHO_LOCKED = (_WHO.with_for_update(of=Contact, key_share=True)
               .execution_options(populate_existing=True))
_MERGED = aliased(Contact)
_CENTRES = select(*_centre_stats(aliased(Centre))).subquery()
_OWED = exists().where(
    OutboxMessage.contact_id == Contact.id, OutboxMessage.kind == REPLY,
    OutboxMessage.channel == bindparam("channel"),
    or_(OutboxMessage.status == "pending",
        and_(OutboxMessage.status == "sending", OutboxMessage.due_at <= bindparam("now"))),
)
_INVITED = exists().where(SurveyInvitation.contact_id == Contact.id,
                          SurveyInvitation.status.in_(OPEN_INVITATION_STATUSES))
_VERSIONS = (select(func.coalesce(func.max(QuestionnaireVersion.id), 0)).scalar_subquery(),
             select(func.coalesce(func.min(Questionnaire.id), 0)).where(Questionnaire.active)
             .scalar_subquery())
_REST_COLUMNS = (Conversation, Centre.slug, _OWED, exists().where(_MERGED.merged_into_id == Contact.id),
                 *_CENTRES.c, _INVITED, *_VERSIONS)


def _rest_of(statement: Any) -> Any:
    return (statement.join(_CENTRES, true())
            .outerjoin(Conversation, Conversation.contact_id == Contact.id)
            .outerjoin(Centre, Centre.id == Contact.centre_id))


@dataclass(frozen=True)
class _Statements:
    rest: Any  # after the lock: the rest, by contact id
    whole: Any  # SQLite: the identity, its contact and the rest, by address
    # PostgreSQL: ``rest`` with the inbound claim (``storage.inbound.claim``) made in the same
    # statement, as a data-modifying WITH, its row id first; None where WITH cannot write.
    rest_claiming: Any


_BUILT: dict[str, _Statements] = {}


def _statements(dialect: str) -> _Statements:
    if dialect not in _BUILT:
        runs, with_runs = survey_facts.run_columns(Contact.id, dialect)
        rest = with_runs(_rest_of(select(*_REST_COLUMNS, *runs).select_from(Contact)))
        whole = with_runs(_rest_of(select(ChannelIdentity, Contact, *_REST_COLUMNS, *runs)
                                   .select_from(ChannelIdentity)
                                   .join(Contact, Contact.id == ChannelIdentity.contact_id)))
        claiming = None
        if dialect == "postgresql":
            claimed = inbound.claim_statement(dialect).cte("claimed")
            first = select(claimed.c.id).scalar_subquery()
            claiming = (with_runs(_rest_of(select(first, *_REST_COLUMNS, *runs).select_from(Contact)))
                        .add_cte(claimed).where(Contact.id == bindparam("contact")))
        _BUILT[dialect] = _Statements(
            rest.where(Contact.id == bindparam("contact")),
            whole.where(ChannelIdentity.channel == bindparam("channel"),
                        ChannelIdentity.address == bindparam("address")),
            claiming)
    return _BUILT[dialect]


async def person(
    session: AsyncSession, claiming: inbound.Arrived, now: dt.datetime, *, lock: bool
) -> Person | None:
    """The person who sent ``claiming`` (None: nobody yet, see ``new_person``); see the module's
    docstring. The message is claimed with this read (``Person.claim_id``): on PostgreSQL in
    the same statement, on SQLite (no writes in a WITH) just after it. ``lock``: on PostgreSQL
    (SQLite's transaction holds the whole database)."""
    built = _statements(session.get_bind().dialect.name)
    channel = claiming.channel  # one "channel" parameter stands for the read's and the claim's
    who = {"channel": channel, "address": claiming.address}
    if not lock:
        found = (await session.execute(built.whole, {**who, "now": now})).first()
        if found is None:
            return None
        identity, contact, *rest = found
        if contact.merged_into_id is None:
            return await _claimed(session, _person(session, identity, contact, rest), claiming, now)
        contact = await live_contact(session, contact.id)  # joined into another: that one stands for them
    else:
        locked = (await session.execute(_WHO_LOCKED, who)).first()
        if locked is None:
            return None
        identity, contact = locked
        if contact.merged_into_id is not None:
            contact = await lock_contact(session, (await live_contact(session, contact.id)).id)
    by_contact = {"contact": contact.id, "channel": channel, "now": now}
    if built.rest_claiming is None:
        values = (await session.execute(built.rest, by_contact)).one()
        return await _claimed(session, _person(session, identity, contact, list(values)), claiming, now)
    parameters = {**inbound.claim_parameters(claiming, contact.id, now), **by_contact}
    claim_id, *claimed_with = (await session.execute(built.rest_claiming, parameters)).one()
    person_read = _person(session, identity, contact, claimed_with)
    person_read.claim_id = int(claim_id) if claim_id is not None else None
    return person_read


async def _claimed(
    session: AsyncSession, person_read: Person, claiming: inbound.Arrived, now: dt.datetime
) -> Person:
    person_read.claim_id = await inbound.claim(session, claiming, person_read.contact.id, now)
    return person_read


def _person(session: AsyncSession, identity: ChannelIdentity, contact: Contact, rest: list[Any]) -> Person:
    conversation, slug, owes, has_merged, count, top, edits, invited, newest, active, *runs = rest
    if not has_merged:  # what the survey's facts would ask again, known already (one person)
        surveys.knows_unmerged(session, contact.id)
        survey_facts.knows_runs(session, contact.id, runs)
        if not invited:
            invitations.knows_none_open(session, contact.id)
    survey_facts.knows_versions(session, (int(newest), int(active)))
    return Person(identity, contact, False, conversation, slug, bool(owes), bool(has_merged),
                  (int(count), int(top), int(edits)))


async def new_person(session: AsyncSession, claiming: inbound.Arrived, now: dt.datetime) -> Person:
    """A first contact: the contact and its identity, and the message they sent claimed."""
    contact = Contact(created_at=now)
    session.add(contact)
    await session.flush()
    identity = ChannelIdentity(contact_id=contact.id, channel=claiming.channel, address=claiming.address,
                               created_at=now)
    session.add(identity)
    # A unique violation here means another process created it first: the caller retries.
    await session.flush()
    found = Person(identity, contact, True, centres_key=await centres_key(session))
    return await _claimed(session, found, claiming, now)


async def centres_key(session: AsyncSession) -> tuple[int, int, int]:
    count, top, edits = (await session.execute(select(*_centre_stats(Centre)))).one()
    return int(count), int(top), int(edits)
