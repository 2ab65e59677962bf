"""Loaders of the facts a step may need, merged into ``Facts.extra`` by the dispatcher.

A feature registers ``@facts_loader`` on ``async def load(session, contact, now) -> dict``;
keys carry the feature's prefix (``survey.*``, ``courses.*``) so loaders never collide.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Contact

FactsLoader = Callable[[AsyncSession, Contact, dt.datetime], Awaitable[dict[str, Any]]]
_LOADERS: list[FactsLoader] = []


def facts_loader(function: FactsLoader) -> FactsLoader:
    if function not in _LOADERS:
        _LOADERS.append(function)
    return function


async def load_extra(session: AsyncSession, contact: Contact, now: dt.datetime) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    for loader in _LOADERS:
        extra.update(await loader(session, contact, now))
    return extra
