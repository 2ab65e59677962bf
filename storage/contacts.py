"""Contacts, their channel identities and conversation state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from flows.events import CentreOption, Localized
from storage.models import Centre, ChannelIdentity, Contact, Conversation


async def find_identity(session: AsyncSession, channel: str, address: str) -> ChannelIdentity | None:
    # Bound to a name first: in a return statement mypy picks session.scalar's untyped overload.
    identity = await session.scalar(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == channel, ChannelIdentity.address == address
        )
    )
    return identity


async def live_contact(session: AsyncSession, contact_id: int) -> Contact:
    """The contact, following merges to the one that now stands for this person."""
    contact = await session.get(Contact, contact_id)
    seen: set[int] = set()
    while contact is not None and contact.merged_into_id is not None and contact.id not in seen:
        seen.add(contact.id)
        contact = await session.get(Contact, contact.merged_into_id)
    if contact is None:
        raise LookupError(f"contact {contact_id} does not exist")
    return contact


async def lock_contact(session: AsyncSession, contact_id: int) -> Contact:
    """The contact row, locked until the transaction ends and read afresh (PostgreSQL): a step
    and an erasure of the same person (retention, ``contact forget``) take it first, so one
    waits for the other and then sees what it did.

    FOR NO KEY UPDATE, not FOR UPDATE: rows that merely point at the contact (an outbox row, a
    seat offer queued by a facilitator's transaction) take a key-share lock on it, which must
    not wait for the step (the step may be waiting for that transaction: a deadlock)."""
    contact = await session.scalar(
        select(Contact).where(Contact.id == contact_id).with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    if contact is None:
        raise LookupError(f"contact {contact_id} does not exist")
    return contact


async def resolve_identity(
    session: AsyncSession, channel: str, address: str, now: dt.datetime
) -> tuple[ChannelIdentity, Contact, bool]:
    """The identity and contact behind an address, created on first contact (third item)."""
    identity = await find_identity(session, channel, address)
    if identity is not None:
        return identity, await live_contact(session, identity.contact_id), False
    contact = Contact(created_at=now)
    session.add(contact)
    await session.flush()
    identity = ChannelIdentity(contact_id=contact.id, channel=channel, address=address, created_at=now)
    session.add(identity)
    # A unique violation here means another process created it first: the caller retries.
    await session.flush()
    return identity, contact, True


async def load_state(session: AsyncSession, contact_id: int, *, lock: bool) -> Conversation | None:
    query = select(Conversation).where(Conversation.contact_id == contact_id)
    if lock:
        # Serialises steps of one contact across processes on PostgreSQL; on SQLite the
        # transaction already holds the database's write lock (BEGIN IMMEDIATE).
        query = query.with_for_update()
    conversation = await session.scalar(query)
    return conversation


@dataclass(frozen=True)
class StateSave:
    """A step's new state for its conversation (``conversation`` None: the person's first)."""

    conversation: Conversation | None
    contact_id: int
    state: dict[str, Any]
    now: dt.datetime

    @property
    def parameters(self) -> dict[str, Any]:
        return {"state_of": self.contact_id, "state": self.state, "state_at": self.now}

    def saved(self) -> None:
        """The loaded object is told the new values (``STATE_UPDATE`` ran) without being dirtied."""
        assert self.conversation is not None
        set_committed_value(self.conversation, "state", self.state)
        set_committed_value(self.conversation, "updated_at", self.now)


async def save_state(session: AsyncSession, save: StateSave) -> None:
    if save.conversation is None:
        session.add(Conversation(contact_id=save.contact_id, state=save.state, updated_at=save.now))
        return
    await session.execute(STATE_UPDATE, save.parameters)
    save.saved()


# A Core UPDATE: the unit of work's flush of one row cost more CPU than the rest of a survey
# answer's writes. Its parameters have names of their own: ``bot.replies`` runs it inside the
# reply's INSERT on PostgreSQL (a data-modifying WITH), one round trip for both.
_CONVERSATIONS = cast(Table, Conversation.__table__)
STATE_UPDATE = (update(_CONVERSATIONS).where(_CONVERSATIONS.c.contact_id == bindparam("state_of"))
                .values(state=bindparam("state", type_=_CONVERSATIONS.c.state.type),
                        updated_at=bindparam("state_at", type_=_CONVERSATIONS.c.updated_at.type)))


async def centre_options(session: AsyncSession) -> tuple[CentreOption, ...]:
    """Every centre as the centre choice lists it: by village name, then slug."""
    rows = await session.scalars(select(Centre).order_by(Centre.settlement, Centre.slug))
    return tuple(
        CentreOption(slug=c.slug, name=Localized(kk=c.name_kk, ru=c.name_ru), settlement=c.settlement,
                     district=c.district)
        for c in rows
    )


async def centre_slug(session: AsyncSession, centre_id: int | None) -> str | None:
    if centre_id is None:
        return None
    slug = await session.scalar(select(Centre.slug).where(Centre.id == centre_id))
    return slug


async def sole_centre_id(session: AsyncSession) -> int | None:
    """The centre, when the installation serves exactly one (the usual village set-up)."""
    ids = (await session.scalars(select(Centre.id).limit(2))).all()
    return ids[0] if len(ids) == 1 else None


# --- clc-admin contacts list / show (issue 14) ---


async def search_contacts(
    session: AsyncSession, centre_id: int | None, search: str | None, limit: int = 500
) -> list[tuple[Contact, list[str], str | None]]:
    """Live contacts (not merged, not deleted) with their addresses and centre slug.

    ``search`` matches part of the name (case-insensitive) or of an address; a phone number
    written as villagers write it is normalised first.
    """
    from flows.phones import normalize_phone

    query = select(Contact).where(Contact.merged_into_id.is_(None), Contact.deleted_at.is_(None))
    if centre_id is not None:
        query = query.where(Contact.centre_id == centre_id)
    contacts = list((await session.scalars(query.order_by(Contact.id))).all())
    if search:
        # Names are matched here, not in SQL: SQLite's lower() folds ASCII only, not Cyrillic.
        needle = (normalize_phone(search) or search.strip()).casefold()
        by_address = set(await session.scalars(select(ChannelIdentity.contact_id).where(
            ChannelIdentity.address.contains(needle, autoescape=True))))
        contacts = [c for c in contacts if c.id in by_address or needle in (c.name or "").casefold()]
    contacts = contacts[:limit]
    ids = [contact.id for contact in contacts]
    addresses: dict[int, list[str]] = {}
    rows = await session.execute(select(ChannelIdentity.contact_id, ChannelIdentity.address)
                                 .where(ChannelIdentity.contact_id.in_(ids)).order_by(ChannelIdentity.id))
    for contact_id, address in rows:
        addresses.setdefault(contact_id, []).append(address)
    slugs = dict((await session.execute(select(Centre.id, Centre.slug))).tuples().all())
    return [(c, addresses.get(c.id, []), slugs.get(c.centre_id) if c.centre_id else None) for c in contacts]


async def contact_details(session: AsyncSession, contact_id: int) -> dict[str, Any] | None:
    """What ``contacts show`` prints: identities, enrolments, survey runs, last message time."""
    from sqlalchemy import func

    from storage.models import InboundMessage
    from storage.models.courses import Course, Enrolment
    from storage.models.surveys import Questionnaire, QuestionnaireVersion, SurveyRun

    contact = await session.get(Contact, contact_id)
    if contact is None:
        return None
    identities = list((await session.scalars(select(ChannelIdentity).where(
        ChannelIdentity.contact_id == contact_id).order_by(ChannelIdentity.id))).all())
    enrolments = (await session.execute(
        select(Course.code, Enrolment.status, Enrolment.joined_at)
        .join(Course, Course.id == Enrolment.course_id)
        .where(Enrolment.contact_id == contact_id).order_by(Enrolment.id))).tuples().all()
    runs = (await session.execute(
        select(Questionnaire.slug, SurveyRun.status, SurveyRun.started_at)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == SurveyRun.version_id)
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .where(SurveyRun.contact_id == contact_id).order_by(SurveyRun.id))).tuples().all()
    last = await session.scalar(select(func.max(InboundMessage.received_at))
                                .where(InboundMessage.contact_id == contact_id))
    return {
        "contact": contact,
        "centre": await centre_slug(session, contact.centre_id),
        "identities": identities,
        "enrolments": list(enrolments),
        "survey_runs": list(runs),
        "last_message_at": last,
    }
