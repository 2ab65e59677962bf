"""Appliers for the engine's effects, chosen by the effect's concrete type.

A feature lists ``Applier(MyEffect, apply)`` in its :class:`bot.feature.Feature`; ``apply``
takes exactly ``MyEffect``. The dispatcher runs them inside the step's transaction, so the new
state and its effects commit together. An applier raises :class:`flows.errors.StaleFacts`
when what the step saw no longer holds: the dispatcher rolls back and runs the step again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from flows.errors import FeatureError
from flows.events import Effect, Inbound
from storage.models import ChannelIdentity, Contact


@dataclass
class EffectContext:
    session: AsyncSession
    contact: Contact
    identity: ChannelIdentity
    event: Inbound
    now: dt.datetime


E = TypeVar("E", bound=Effect)


@dataclass(frozen=True)
class Applier(Generic[E]):
    """Applies effects of type ``effect`` (exactly that type: effects are final dataclasses)."""

    effect: type[E]
    apply: Callable[[EffectContext, E], Awaitable[None]]


async def apply_effects(
    ctx: EffectContext, effects: Iterable[Effect], appliers: Mapping[type[Effect], Applier[Any]]
) -> None:
    for effect in effects:
        applier = appliers.get(type(effect))
        if applier is None:
            raise FeatureError(f"no applier for {type(effect).__name__}: its feature is not in this bot")
        await applier.apply(ctx, effect)
