"""A feature is one typed value listing everything it adds to the bot.

Each feature module declares its :class:`Feature` (its flows with their menu items and command
words, Telegram commands, facts loaders, effect appliers, periodic jobs, outbox kinds, demo
seeders and ``clc-admin`` sub-apps). ``bot.features.standard_features`` lists them once, and
that :class:`FeatureSet` is passed explicitly to the dispatcher, the ticker, the outbox, the
Telegram channel and ``clc-admin``. Nothing registers itself on import: a bot built from a
subset of features has exactly those, and the set checks at build time that they fit (every
fact a flow needs has a loader, no effect has two appliers, no job or kind is declared twice).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.effects import Applier
from bot.facts import FactsLoader
from bot.outbox import OutboxKind
from bot.scheduler import PeriodicJob
from flows import sms_session
from flows.errors import FeatureError
from flows.events import Effect
from flows.registry import FlowRegistry, FlowSpec
from storage.models import Centre

K = TypeVar("K")
V = TypeVar("V")
DemoSeeder = Callable[[AsyncSession, Centre, dt.datetime], Awaitable[None]]


@dataclass(frozen=True)
class TelegramCommand:
    """An entry of Telegram's command menu (``/courses``), described by a message id."""

    name: str
    description: str


@dataclass(frozen=True)
class Feature:
    name: str
    flows: tuple[FlowSpec, ...] = ()
    telegram_commands: tuple[TelegramCommand, ...] = ()
    facts: tuple[FactsLoader, ...] = ()
    appliers: tuple[Applier[Any], ...] = ()
    jobs: tuple[PeriodicJob, ...] = ()
    outbox_kinds: tuple[OutboxKind, ...] = ()
    demo: tuple[DemoSeeder, ...] = ()
    cli: tuple[tuple[str, typer.Typer], ...] = ()


@dataclass(frozen=True)
class FeatureSet:
    """The features one bot (or one ``clc-admin``) is built with, checked to fit together."""

    features: tuple[Feature, ...]
    flows: FlowRegistry
    loaders: Mapping[str, FactsLoader]
    appliers: Mapping[type[Effect], Applier[Any]]

    @classmethod
    def of(cls, features: Iterable[Feature]) -> FeatureSet:
        chosen = tuple(features)
        _unique("feature", [f.name for f in chosen])
        _unique("periodic job", [job.name for f in chosen for job in f.jobs])
        _unique("outbox kind", [kind.kind for f in chosen for kind in f.outbox_kinds])
        _unique("clc-admin command", [name for f in chosen for name, _ in f.cli])
        loaders = _by_key("facts loader", ((loader.group, loader) for f in chosen for loader in f.facts))
        appliers = _by_key("applier", ((applier.effect, applier) for f in chosen for applier in f.appliers))
        flows = FlowRegistry.of(spec for f in chosen for spec in f.flows)
        needed = {group: spec.name for spec in flows.specs for group in spec.needs}
        if chosen:  # the engine itself reads the session facts of SMS-like channels
            needed.setdefault(sms_session.FACTS_GROUP, "the engine")
        missing = {group: who for group, who in needed.items() if group not in loaders}
        if missing:
            raise FeatureError(f"no facts loader for {missing} (needed by those flows)")
        return cls(chosen, flows, loaders, appliers)

    @property
    def jobs(self) -> tuple[PeriodicJob, ...]:
        return tuple(job for f in self.features for job in f.jobs)

    @property
    def outbox_kinds(self) -> tuple[OutboxKind, ...]:
        return tuple(kind for f in self.features for kind in f.outbox_kinds)

    @property
    def demo_seeders(self) -> tuple[DemoSeeder, ...]:
        return tuple(seeder for f in self.features for seeder in f.demo)

    @property
    def cli(self) -> tuple[tuple[str, typer.Typer], ...]:
        return tuple(app for f in self.features for app in f.cli)

    @property
    def telegram_commands(self) -> tuple[TelegramCommand, ...]:
        return tuple(command for f in self.features for command in f.telegram_commands)

    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.features)


def _unique(what: str, names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise FeatureError(f"two features declare the {what} {name!r}")
        seen.add(name)


def _by_key(what: str, pairs: Iterable[tuple[K, V]]) -> dict[K, V]:
    found: dict[K, V] = {}
    for key, value in pairs:
        if key in found:
            raise FeatureError(f"two features declare the {what} for {key!r}")
        found[key] = value
    return found
