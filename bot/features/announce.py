"""``/announce`` in the bot: the facilitator's centres and courses as facts, the preview of what
they are composing, and the confirmed broadcast created and sent (or scheduled).

Facts load only inside the ``announce`` flow and only for a facilitator (an administrator: every
centre). The preview needs the audience and texts chosen so far, which live in the flow's data:
the loader reads them from the conversation as stored before this step, so it is computed only
from the step after the audience was chosen (the "when" question) onwards, which is where the
flow shows it. The applier checks again that the centre is the facilitator's, then uses the same
broadcast functions as ``clc-admin broadcast`` with ``contact:<id>`` as the actor in the audit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.effects import Applier, EffectContext
from bot.facts import FactsLoader
from bot.feature import Feature
from bot.features import broadcasting
from bot.features.manage import facilitated_centres
from bot.i18n import Catalogs
from flows.announce import ANNOUNCE as ANNOUNCE_FLOW
from flows.announce_facts import (
    CENTRES_KEY,
    FACTS_GROUP,
    PREVIEW_KEY,
    AnnounceCentre,
    AnnounceCourse,
    BroadcastPreview,
    CreateBroadcast,
    Texts,
)
from flows.audience import LANGUAGES, Audience
from flows.errors import ClcError, DataError, StaleFacts, StateError
from flows.events import N_, Localized, Msg, Text
from flows.state import from_json
from storage import broadcasts as repo
from storage.contacts import load_state
from storage.models import Centre, Contact
from storage.models.courses import Course

# Views at which the audience is in the stored data and the next answer may show the preview.
PREVIEW_VIEWS = ("when", "at", "preview")
CHANNEL_NAMES = {"telegram": Localized("Telegram", "Telegram"), "sms": Localized("SMS", "SMS"),
                 "simulator": Localized("терминал", "терминал")}
SKIPPED: dict[str, str] = {
    "do not contact me": N_("Not sent, asked not to be contacted: {count}"),
    "no consent": N_("Not sent, no consent to be contacted: {count}"),
    "opted out": N_("Not sent, opted out of messages: {count}"),
    "unreachable": N_("Not sent, cannot be reached: {count}"),
}


@cache
def _catalogs() -> Catalogs:
    """The SMS renderer's catalogs, for the preview's segment counts: loaded once, on first use."""
    return Catalogs.load()


async def load_announce_facts(
    session: AsyncSession, contact: Contact, now: dt.datetime, *, latin: bool = False
) -> dict[str, Any]:
    centre_ids = await facilitated_centres(session, contact.id)
    if not centre_ids:
        return {CENTRES_KEY: None, PREVIEW_KEY: None}
    centres = (await session.scalars(
        select(Centre).where(Centre.id.in_(centre_ids)).order_by(Centre.id))).all()
    courses = (await session.scalars(select(Course).where(
        Course.centre_id.in_(centre_ids), Course.status.not_in(("finished", "cancelled"))
    ).order_by(Course.id))).all()
    found = tuple(AnnounceCentre(
        centre.id, Localized(centre.name_kk, centre.name_ru), centre.timezone,
        tuple(AnnounceCourse(c.id, Localized(c.title_kk, c.title_ru))
              for c in courses if c.centre_id == centre.id),
    ) for centre in centres)
    return {CENTRES_KEY: found, PREVIEW_KEY: await _stored_preview(session, contact.id, centre_ids, latin)}


async def _stored_preview(
    session: AsyncSession, contact_id: int, centre_ids: Collection[int], latin: bool
) -> BroadcastPreview | None:
    conversation = await load_state(session, contact_id, lock=False)
    try:
        state = from_json(conversation.state) if conversation is not None else None
    except StateError:
        return None
    data = (state or {}).get("data") or {}
    if (state or {}).get("flow") != "announce" or data.get("view") not in PREVIEW_VIEWS:
        return None
    centre_id, raw = data.get("centre"), data.get("audience")
    if centre_id not in centre_ids or not isinstance(raw, dict) or not isinstance(centre_id, int):
        return None
    try:
        audience = Audience.from_json(raw)
    except (ClcError, TypeError):
        return None
    texts = Texts(str(data.get("kk") or ""), str(data.get("ru") or ""))
    return await preview(session, centre_id, audience, texts, latin=latin)


async def preview(
    session: AsyncSession, centre_id: int, audience: Audience, texts: Texts, *, latin: bool = False
) -> BroadcastPreview:
    """Who it would reach now and what the SMS would cost, counted as ``broadcasting.preview``
    counts a stored broadcast (``broadcasting.count``)."""
    reply = broadcasting.message(Localized(texts.kk, texts.ru), audience)
    found = await broadcasting.count(session, centre_id, audience, reply, _catalogs(), latin=latin)
    segments = {language: found.sms[language].count.segments for language in LANGUAGES}
    lines: list[Text] = []
    if found.by_channel:
        listed = [(CHANNEL_NAMES.get(name, Localized(name, name)), n)
                  for name, n in sorted(found.by_channel.items())]
        kk, ru = (", ".join(f"{label.get(language)} {n}" for label, n in listed) for language in LANGUAGES)
        lines.append(Msg(N_("By channel: {channels}."), {"channels": Localized(kk, ru)}))
        lines.append(Msg(N_("In Kazakh: {kk}, in Russian: {ru}."),
                         {"kk": found.by_language.get("kk", 0), "ru": found.by_language.get("ru", 0)}))
    if found.by_channel.get(broadcasting.SMS) and texts.one_for_all:
        lines.append(Msg(N_("One SMS: {count} segments."), {"count": segments["kk"]}))
    elif found.by_channel.get(broadcasting.SMS):
        lines.append(Msg(N_("One SMS: {kk} segments in Kazakh, {ru} in Russian."),
                         {"kk": segments["kk"], "ru": segments["ru"]}))
    for reason, ids in found.skipped.items():
        lines.append(Msg(SKIPPED.get(reason, reason), {"count": len(ids)}))
    recipients = sum(found.by_channel.values())
    return BroadcastPreview(centre_id, audience, texts, recipients, found.total_segments, tuple(lines))


async def create_broadcast(ctx: EffectContext, effect: CreateBroadcast) -> None:
    """Create it as the facilitator confirmed it; queue it now unless it has a time."""
    centres = await facilitated_centres(ctx.session, ctx.contact.id)
    if effect.centre_id not in centres:
        raise StaleFacts("not a centre of this facilitator")
    actor = f"contact:{ctx.contact.id}"
    try:
        broadcast_id = await repo.create_broadcast(
            ctx.session, centre_id=effect.centre_id, texts=Localized(effect.texts.kk, effect.texts.ru),
            audience=effect.audience, send_at=effect.send_at, actor=actor, now=ctx.now)
        if effect.send_at is None:
            await broadcasting.send_now(ctx.session, broadcast_id, ctx.now, actor=actor, centre_ids=centres)
    except (DataError, ClcError):  # a course moved to another centre, a time just passed: ask again
        raise StaleFacts("the broadcast no longer fits what the facilitator saw") from None


def announce_feature(*, sms_transliterate: bool = False) -> Feature:
    """``sms_transliterate`` (``CLC_SMS_TRANSLITERATE``): the preview counts SMS segments of the
    text as it will be sent, in Latin letters when the SMS channel transliterates."""

    async def load(session: AsyncSession, contact: Contact, now: dt.datetime) -> dict[str, Any]:
        return await load_announce_facts(session, contact, now, latin=sms_transliterate)

    return Feature(
        name="announce",
        flows=(ANNOUNCE_FLOW,),
        facts=(FactsLoader(FACTS_GROUP, (CENTRES_KEY, PREVIEW_KEY), load),),
        appliers=(Applier(CreateBroadcast, create_broadcast),),
    )
