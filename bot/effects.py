"""Appliers for the engine's effects, looked up by the effect's type.

A feature registers ``@applies(MyEffect)`` on ``async def apply(ctx, effect)``. The dispatcher
runs them inside the step's transaction, so the new state and its effects commit together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

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
Applier = Callable[[EffectContext, Any], Awaitable[None]]
_APPLIERS: dict[type[Effect], Applier] = {}


def applies(effect_type: type[E]) -> Callable[[Applier], Applier]:
    def register(function: Applier) -> Applier:
        if effect_type in _APPLIERS and _APPLIERS[effect_type] is not function:
            raise RuntimeError(f"two appliers for {effect_type.__name__}")
        _APPLIERS[effect_type] = function
        return function

    return register


async def apply_effects(ctx: EffectContext, effects: Iterable[Effect]) -> None:
    for effect in effects:
        applier = _APPLIERS.get(type(effect))
        if applier is None:
            raise LookupError(f"no applier registered for {type(effect).__name__}")
        await applier(ctx, effect)
