"""Appliers of the foundation's effects: language and centre."""

from __future__ import annotations

from sqlalchemy import select

from bot.effects import EffectContext, applies
from flows.events import LANGUAGES, AttachCentre, SetLanguage
from storage.models import Centre


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
