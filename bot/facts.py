"""Loaders of the facts a step needs, asked for by group name before the pure step runs.

A feature lists ``FactsLoader(group, provides, load)`` in its :class:`bot.feature.Feature`;
``load(session, contact, now)`` returns the keys it ``provides`` (``courses.open``,
``courses.mine``), all in its group. Before each step the dispatcher asks the engine which
groups the step may read (:func:`flows.engine.facts_needed`) and loads exactly those, once;
the step then runs once. A loader that returns a key it did not declare is a bug and fails
loudly, so a flow never reads a fact nobody promised.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from flows.errors import FeatureError
from flows.events import FactKey
from storage.models import Contact

Load = Callable[[AsyncSession, Contact, dt.datetime], Awaitable[Mapping[str, object]]]


@dataclass(frozen=True)
class FactsLoader:
    group: str
    provides: tuple[FactKey[Any], ...]
    load: Load

    def __post_init__(self) -> None:
        strangers = [key for key in self.provides if key.group != self.group]
        if strangers:
            raise FeatureError(f"facts loader {self.group!r} provides keys of another group: {strangers}")


async def load_facts(
    loaders: Mapping[str, FactsLoader], groups: Iterable[str], session: AsyncSession, contact: Contact,
    now: dt.datetime,
) -> dict[str, object]:
    """The facts of the named groups; a group no loader serves is a bug in how the bot was built."""
    facts: dict[str, object] = {}
    for group in sorted(groups):
        loader = loaders.get(group)
        if loader is None:
            raise FeatureError(f"no facts loader for group {group!r}")
        loaded = await loader.load(session, contact, now)
        undeclared = set(loaded) - set(loader.provides)
        if undeclared:
            raise FeatureError(f"facts loader {group!r} returned undeclared keys {sorted(undeclared)}")
        facts.update(loaded)
    return facts
