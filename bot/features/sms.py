"""SMS opt-out and idle resume: the facts the engine needs and the appliers of its effects."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.effects import EffectContext, applies
from bot.facts import facts_loader
from flows.sms_session import (
    DEFAULT_RESUME_AFTER,
    FACT_OPTED_OUT,
    FACT_RESUME_AFTER,
    OptIn,
    OptOut,
)
from storage.models import ChannelIdentity, Contact


class ResumeSetting:
    """``CLC_SMS_RESUME_AFTER_HOURS``, set once by the SMS channel when the service starts."""

    after: dt.timedelta = DEFAULT_RESUME_AFTER


@facts_loader
async def load(session: AsyncSession, contact: Contact, now: dt.datetime) -> dict[str, Any]:
    opted_out = await session.scalar(
        select(ChannelIdentity.id).where(
            ChannelIdentity.contact_id == contact.id,
            ChannelIdentity.channel == "sms",
            ChannelIdentity.opted_out_at.is_not(None),
        ).limit(1)
    )
    return {FACT_OPTED_OUT: opted_out is not None, FACT_RESUME_AFTER: ResumeSetting.after}


@applies(OptOut)
async def opt_out(ctx: EffectContext, effect: OptOut) -> None:
    ctx.identity.opted_out_at = ctx.identity.opted_out_at or ctx.now


@applies(OptIn)
async def opt_in(ctx: EffectContext, effect: OptIn) -> None:
    ctx.identity.opted_out_at = None
    ctx.identity.unreachable_at = None
