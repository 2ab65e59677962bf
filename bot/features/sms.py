"""Opt-out and idle resume on SMS-like channels: the session facts and the appliers of their
effects. Part of the core feature, since the engine itself reads these facts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.addresses import SMS
from bot.effects import Applier, EffectContext
from bot.facts import FactsLoader
from flows.sms_session import (
    FACT_OPTED_OUT,
    FACT_RESUME_AFTER,
    FACTS_GROUP,
    OptIn,
    OptOut,
)
from storage.models import ChannelIdentity, Contact


def session_loader(resume_after: dt.timedelta) -> FactsLoader:
    """``resume_after`` is ``CLC_SMS_RESUME_AFTER_HOURS``, given when the bot is built."""

    async def load(session: AsyncSession, contact: Contact, now: dt.datetime) -> Mapping[str, object]:
        opted_out = await session.scalar(
            select(ChannelIdentity.id).where(
                ChannelIdentity.contact_id == contact.id,
                ChannelIdentity.channel == SMS,
                ChannelIdentity.opted_out_at.is_not(None),
            ).limit(1)
        )
        return {FACT_OPTED_OUT: opted_out is not None, FACT_RESUME_AFTER: resume_after}

    return FactsLoader(FACTS_GROUP, (FACT_OPTED_OUT, FACT_RESUME_AFTER), load)


async def opt_out(ctx: EffectContext, effect: OptOut) -> None:
    ctx.identity.opted_out_at = ctx.identity.opted_out_at or ctx.now


async def opt_in(ctx: EffectContext, effect: OptIn) -> None:
    ctx.identity.opted_out_at = None
    ctx.identity.unreachable_at = None


APPLIERS = (Applier(OptOut, opt_out), Applier(OptIn, opt_in))
