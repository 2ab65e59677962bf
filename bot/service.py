"""The running service: database, catalogs, dispatcher, channels, HTTP app and the clock.

Channels plug in through ``channel_factories()``: each factory looks at the settings and returns
a runtime, or None when its channel is not configured. With no channel configured the service
opens the terminal simulator instead, so ``make run`` on a fresh machine is a conversation.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from typing import TextIO

from bot.channels.base import Sender
from bot.channels.simulator import Simulator, sim_identity
from bot.clock import Clock, system_clock
from bot.context import ChannelFactory, ServiceContext
from bot.dispatcher import Dispatcher
from bot.feature import FeatureSet
from bot.features import standard_features
from bot.http import HttpServer, create_app
from bot.i18n import Catalogs
from bot.outbox import OutboxSender
from bot.outbox.store import release_all
from bot.scheduler import JobContext, PeriodicJob, Ticker
from bot.settings import Settings, database_of
from storage.db import describe
from storage.migrate import upgrade_database

log = logging.getLogger(__name__)




def channel_factories() -> list[ChannelFactory]:
    """Imported here, not at module level, so a channel's library loads only when used."""
    from bot.channels.sms_webhook import build_sms
    from bot.channels.telegram import build_telegram

    factories: list[ChannelFactory] = [build_telegram, build_sms]
    return factories


async def open_context(
    settings: Settings, *, clock: Clock = system_clock, webhook_url: str | None = None,
    features: FeatureSet | None = None,
) -> ServiceContext:
    """``features`` defaults to every feature (``bot.features.standard_features``)."""
    features = features or standard_features(
        sms_resume_after=settings.sms_resume_after, retention_days=settings.retention_days,
        sms_transliterate=settings.sms_transliterate,
    )
    db = database_of(settings)
    try:
        await upgrade_database(db.engine)
        catalogs = Catalogs.load(settings.zone)
    except BaseException:
        await db.dispose()  # no pool left for the driver to close after the loop has gone
        raise
    dispatcher = Dispatcher(db, features, default_language=settings.default_language, clock=clock)
    return ServiceContext(settings, db, catalogs, dispatcher, clock, webhook_url)


def outbox_for(
    ctx: ServiceContext, senders: dict[str, Sender], *, only_contact: int | None = None
) -> OutboxSender:
    features = ctx.dispatcher.features
    return OutboxSender(ctx.db, ctx.catalogs, senders, kinds=features.outbox_kinds, flows=features.flows,
                        clock=ctx.clock, only_contact=only_contact)


async def run_simulator(
    settings: Settings,
    *,
    language: str | None,
    phone: str | None,
    transcript: bool,
    lines: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> None:
    # Said at start, since a relative SQLite path (the default) means another folder is
    # another, possibly new and empty, database.
    database = describe(settings.database_url)
    ctx = await open_context(settings)
    err.write(f"database: {database}\n")
    err.flush()
    channel, address = sim_identity(phone)
    simulator = Simulator(
        ctx.dispatcher, ctx.catalogs, channel=channel, address=address,
        language_hint=language, out=out, transcript=transcript,
    )
    # The periodic jobs run here too, so a simulator-only installation (``make run`` on a fresh
    # machine) still expires offers and sends questionnaires; the outbox delivers to this
    # terminal only its own person's messages.
    deliver = PeriodicJob(
        "outbox", settings.outbox_interval_seconds, lambda _ctx: deliver_to_terminal(ctx, simulator)
    )
    ticker = Ticker(JobContext(ctx.db, ctx.catalogs, ctx.clock), [*ctx.dispatcher.features.jobs, deliver])
    ticker.start()
    try:
        await simulator.run(lines)
    finally:  # also on Ctrl-C, which cancels this task while it waits for a line
        await ticker.stop()
        await ctx.db.dispose()
        simulator.goodbye()


async def deliver_to_terminal(ctx: ServiceContext, simulator: Simulator) -> int:
    """Send what is due to the simulator's person (nobody yet before their first message)."""
    if simulator.contact_id is None:
        return 0
    outbox = outbox_for(ctx, {simulator.channel: simulator}, only_contact=simulator.contact_id)
    return await outbox.send_due()


async def run_service(settings: Settings, *, webhook_url: str | None = None) -> None:
    database = describe(settings.database_url)
    ctx = await open_context(settings, webhook_url=webhook_url)
    log.info("database: %s", database)
    runtimes = [rt for rt in (factory(ctx) for factory in channel_factories()) if rt is not None]
    senders = {rt.name: rt.sender for rt in runtimes if rt.sender is not None}
    outbox = outbox_for(ctx, senders)
    deliver = PeriodicJob("outbox", settings.outbox_interval_seconds, lambda _ctx: outbox.send_due())
    ticker = Ticker(JobContext(ctx.db, ctx.catalogs, ctx.clock), [*ctx.dispatcher.features.jobs, deliver])
    routes = [route for rt in runtimes for route in rt.routes]
    server = HttpServer(create_app(routes), settings.http_host, settings.http_port) if routes else None

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    try:
        if ctx.db.is_sqlite:  # one process by design: what a killed run left claimed is ours
            await ctx.dispatcher.release_replies(None)
            async with ctx.db.transaction() as session:
                await release_all(session, ctx.clock())
        if server is not None:
            await server.start()
        for runtime in runtimes:
            await runtime.start()
        ticker.start()
        log.info("clc-bot running: %s", ", ".join(rt.name for rt in runtimes) or "no channel")
        await stop.wait()
        log.info("stopping: no new updates are taken; finishing those in progress")
    finally:
        outbox.stop()  # a broadcast under way sends what it holds, claims no more
        await ticker.stop()
        for runtime in reversed(runtimes):
            await runtime.stop()
        if server is not None:
            await server.stop()
        await ctx.db.dispose()
