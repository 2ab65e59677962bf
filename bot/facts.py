"""Loaders of the facts a step may need, merged into ``Facts.extra`` by the dispatcher.

A feature registers ``@facts_loader`` on ``async def load(session, contact, now) -> dict``;
keys carry the feature's prefix (``survey.*``, ``courses.*``) so loaders never collide. A loader
that serves only some flows says so (``@facts_loader(flows=("survey",), prefix="survey")``) and
runs only when a step needs it: inside its flows, or when the pure step asked for one of its
keys (the dispatcher then loads it and runs the step again), so a menu step or a survey answer
does not query every course.
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
    prefix: str | None  # the prefix of the keys it provides


_LOADERS: list[_Registered] = []


@overload
def facts_loader(function: FactsLoader, /) -> FactsLoader: ...
@overload
def facts_loader(*, flows: tuple[str, ...], prefix: str) -> Callable[[FactsLoader], FactsLoader]: ...


def facts_loader(
    function: FactsLoader | None = None, /, *, flows: tuple[str, ...] | None = None,
    prefix: str | None = None,
) -> FactsLoader | Callable[[FactsLoader], FactsLoader]:
    def register(load: FactsLoader) -> FactsLoader:
        if all(entry.load is not load for entry in _LOADERS):
            _LOADERS.append(_Registered(load, frozenset(flows) if flows is not None else None, prefix))
        return load

    return register(function) if function is not None else register


class RecordedExtra(dict[str, Any]):
    """``Facts.extra`` that remembers which absent keys the pure step looked for."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.missed: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self.missed.add(key.split(".", 1)[0])
        return super().get(key, default)


class FactsBook:
    """The facts of one step, loaded as they turn out to be needed."""

    def __init__(self, session: AsyncSession, contact: Contact, now: dt.datetime) -> None:
        self.session, self.contact, self.now = session, contact, now
        self.loaded: set[int] = set()
        self.extra = RecordedExtra()

    async def load(self, wanted: Callable[[_Registered], bool]) -> None:
        for index, entry in enumerate(_LOADERS):
            if index not in self.loaded and wanted(entry):
                self.loaded.add(index)
                self.extra.update(await entry.load(self.session, self.contact, self.now))

    async def start(self, inside: str | None) -> RecordedExtra:
        """Loaders every step needs, and those of the flow the person is inside."""
        await self.load(lambda e: e.flows is None or (inside is not None and inside in e.flows))
        return self.extra

    async def more(self) -> bool:
        """Load what the step asked for and did not have; True if anything new came in."""
        before = len(self.loaded)
        missed = set(self.extra.missed)
        self.extra.missed.clear()
        await self.load(lambda e: e.prefix is not None and e.prefix in missed)
        return len(self.loaded) > before
