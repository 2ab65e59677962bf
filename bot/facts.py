"""Loaders of the facts a step may need, merged into ``Facts.extra`` by the dispatcher.

A feature registers ``@facts_loader`` on ``async def load(session, contact, now) -> dict``;
keys carry the feature's prefix (``survey.*``, ``courses.*``) so loaders never collide. A loader
that serves only some flows says so (``@facts_loader(flows=("survey",))``): while a person is
inside another flow it is skipped, so answering a survey does not query every course.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, overload

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Contact

FactsLoader = Callable[[AsyncSession, Contact, dt.datetime], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class _Registered:
    load: FactsLoader
    flows: frozenset[str] | None  # None: needed on every step


_LOADERS: list[_Registered] = []


@overload
def facts_loader(function: FactsLoader, /) -> FactsLoader: ...
@overload
def facts_loader(*, flows: tuple[str, ...]) -> Callable[[FactsLoader], FactsLoader]: ...


def facts_loader(
    function: FactsLoader | None = None, /, *, flows: tuple[str, ...] | None = None
) -> FactsLoader | Callable[[FactsLoader], FactsLoader]:
    def register(load: FactsLoader) -> FactsLoader:
        if all(entry.load is not load for entry in _LOADERS):
            _LOADERS.append(_Registered(load, frozenset(flows) if flows is not None else None))
        return load

    return register(function) if function is not None else register


async def load_extra(
    session: AsyncSession, contact: Contact, now: dt.datetime, *, inside: str | None = None
) -> dict[str, Any]:
    """Run the loaders this step may need; ``inside`` is the flow the person is answering."""
    extra: dict[str, Any] = {}
    for entry in _LOADERS:
        if inside is None or entry.flows is None or inside in entry.flows:
            extra.update(await entry.load(session, contact, now))
    return extra
