"""The core feature: what the engine itself asks for, in every bot.

Language, centre (deep link or the centre choice) and a shared phone number; opt-out and idle
resume on SMS-like channels (``bot.features.sms``); and «delete my data» (``flows.forget``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.channels.addresses import phone_address
from bot.effects import Applier, EffectContext
from bot.feature import Feature
from bot.features import sms
from bot.features.courses import offer_seats
from bot.outbox import OutboxKind, Priority
from bot.replies import REPLY
from flows.events import LANGUAGES, AttachCentre, LinkPhone, SetLanguage, SetName
from flows.forget import FORGET, ForgetMe
from flows.sms_session import DEFAULT_RESUME_AFTER
from storage.contacts import find_identity, live_contact
from storage.erasure import forget_contact
from storage.merge import merge_contacts
from storage.models import Centre, ChannelIdentity


async def set_language(ctx: EffectContext, effect: SetLanguage) -> None:
    if effect.language not in LANGUAGES:
        raise ValueError(f"unsupported language {effect.language!r}")
    ctx.contact.language = effect.language


async def set_name(ctx: EffectContext, effect: SetName) -> None:
    ctx.contact.name = effect.name


async def attach_centre(ctx: EffectContext, effect: AttachCentre) -> None:
    centre_id = await ctx.session.scalar(select(Centre.id).where(Centre.slug == effect.slug))
    if centre_id is not None:
        ctx.contact.centre_id = centre_id


async def link_phone(ctx: EffectContext, effect: LinkPhone) -> None:
    """The person proved this phone is theirs: their SMS self and this contact become one.

    This contact stays; the one that had the phone is marked merged into it, and everything it
    owned (addresses, enrolments and places, survey runs, invitations, queued messages, roles)
    moves here in this step's transaction (``storage.merge``), so both channels reach the same
    person with all their history. A seat freed because both held one on the same course goes
    to the next person in line.
    """
    address = phone_address(effect.phone)
    existing = await find_identity(ctx.session, "sms", address)
    if existing is None:
        ctx.session.add(
            ChannelIdentity(contact_id=ctx.contact.id, channel="sms", address=address, created_at=ctx.now)
        )
        return
    other = await live_contact(ctx.session, existing.contact_id)
    if other.id == ctx.contact.id:
        return
    merged = await merge_contacts(ctx.session, other.id, ctx.contact.id, ctx.now)
    await offer_seats(ctx.session, merged.offers, ctx.now)


async def forget_me(ctx: EffectContext, effect: ForgetMe) -> None:
    """The person confirmed «delete my data»: the same erasure as ``clc-admin contact forget``.

    The dispatcher keeps no conversation state for an erased contact; the one thing this step
    still stores is its reply (a row on the tombstone), which holds no personal data.
    """
    forgotten = await forget_contact(ctx.session, ctx.contact.id, ctx.now, actor=f"contact:{ctx.contact.id}")
    await offer_seats(ctx.session, forgotten.offers, ctx.now)


def core_feature(*, sms_resume_after: dt.timedelta = DEFAULT_RESUME_AFTER) -> Feature:
    return Feature(
        name="core",
        flows=(FORGET,),
        facts=(sms.session_loader(sms_resume_after),),
        appliers=(
            Applier(SetLanguage, set_language),
            Applier(AttachCentre, attach_centre),
            Applier(LinkPhone, link_phone),
            Applier(SetName, set_name),
            Applier(ForgetMe, forget_me),
            *sms.APPLIERS,
        ),
        # A step's reply left unsent (``bot.replies``): the outbox sends it as it is.
        outbox_kinds=(OutboxKind(REPLY, priority=Priority.URGENT),),
    )
