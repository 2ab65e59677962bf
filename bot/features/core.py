"""Appliers of the foundation's effects: language, centre and a shared phone number."""

from __future__ import annotations

from sqlalchemy import select

from bot.effects import EffectContext, applies
from flows.events import LANGUAGES, AttachCentre, LinkPhone, SetLanguage
from flows.phones import phone_address
from storage.contacts import find_identity, live_contact
from storage.models import Centre, ChannelIdentity


@applies(SetLanguage)
async def set_language(ctx: EffectContext, effect: SetLanguage) -> None:
    if effect.language not in LANGUAGES:
        raise ValueError(f"unsupported language {effect.language!r}")
    ctx.contact.language = effect.language


@applies(AttachCentre)
async def attach_centre(ctx: EffectContext, effect: AttachCentre) -> None:
    centre_id = await ctx.session.scalar(select(Centre.id).where(Centre.slug == effect.slug))
    if centre_id is not None:
        ctx.contact.centre_id = centre_id


@applies(LinkPhone)
async def link_phone(ctx: EffectContext, effect: LinkPhone) -> None:
    """The person proved this phone is theirs: their SMS self and this contact become one.

    This contact stays; the one that had the phone is marked merged into it, and its addresses
    move here, so both channels reach the same person and their earlier data stays findable
    through ``merged_into_id``.
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
    for identity in (
        await ctx.session.scalars(select(ChannelIdentity).where(ChannelIdentity.contact_id == other.id))
    ).all():
        identity.contact_id = ctx.contact.id
    other.merged_into_id = ctx.contact.id
    ctx.contact.language = ctx.contact.language or other.language
    ctx.contact.centre_id = ctx.contact.centre_id or other.centre_id
    ctx.contact.name = ctx.contact.name or other.name
