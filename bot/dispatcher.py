"""The one door every inbound event goes through, whatever the channel.

For each event: take the contact's lock (events of one person are handled one at a time, in
order; different people concurrently), then in ONE transaction: take the message's row in the
inbound log (a provider id handled before means a redelivery: no step again), resolve the
contact, load its state, run the pure ``flows.engine.step``, apply the effects, save the new
state, mark the message handled and, when the channel delivers through ``deliver``, keep the
replies as outbox rows (``bot.replies``). After the commit the replies go out through
``deliver`` and their rows are marked sent; what could not be sent is left to the outbox.

A reply still unsent from before (the process died, the provider failed) is sent first when the
person writes again, and their new message is not applied: it answers a question they have not
seen. A redelivered update sends whatever its step still owes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import replies as reply_rows
from bot.arrivals import arrived, clean_event, event_from
from bot.clock import Clock, system_clock
from bot.codec import undigest
from bot.effects import EffectContext, apply_effects
from bot.facts import load_facts
from bot.feature import FeatureSet
from flows import engine
from flows.errors import PermanentFailure, RetryLater, StaleFacts, StateError, Unreachable
from flows.events import LANGUAGES, N_, CentreOption, ContactFacts, Facts, Inbound, Msg, Reply, State
from flows.sms_session import FACT_LAST_ACTIVITY
from flows.state import from_json as state_from_json
from flows.state import initial_state
from flows.state import to_json as state_to_json
from storage import contacts, inbound, steps
from storage.db import Database
from storage.models import ChannelIdentity

log = logging.getLogger(__name__)
STEP_ATTEMPTS = 3
# A reply the provider refused for now (network, 429 past the pacer's patience) is tried again
# by the outbox from then on.
RETRY_AFTER = dt.timedelta(seconds=30)


@dataclass(frozen=True)
class Handled:
    """What a step answered. ``owed``: replies of an earlier step sent again (plain messages:
    the button press or message they answered is long gone)."""

    contact_id: int | None
    language: str | None
    replies: tuple[Reply, ...]
    duplicate: bool = False
    failed: bool = False
    owed: bool = False


# Puts a step's replies in front of the person; raises ``flows.errors.DeliveryError`` kinds.
Deliver = Callable[[Handled], Awaitable[None]]


@dataclass(frozen=True)
class _Outcome:
    handled: Handled
    owed: reply_rows.Kept = reply_rows.NOTHING
    kept: reply_rows.Kept = reply_rows.NOTHING
    held: bool = False  # the message was not applied: what it answers had not reached them


def apology() -> Reply:
    return Reply(body=(Msg(N_("Sorry, something went wrong on our side. Please try again.")),))


def said_again() -> Reply:
    """Before replies sent again because the person wrote without having seen them: so they
    know why the same question comes twice, and answer it (their message was not applied)."""
    return Reply(body=(Msg(N_("It seems my last message did not reach you. Here it is again:")),))


class Dispatcher:
    """Runs the steps of a bot built from ``features`` (and only those)."""

    def __init__(
        self, db: Database, features: FeatureSet, *, default_language: str = "kk", clock: Clock = system_clock
    ) -> None:
        self.db = db
        self.features = features
        self.default_language = default_language
        self.clock = clock
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._centre_options: tuple[tuple[int, int, int], tuple[CentreOption, ...]] | None = None

    def _lock(self, address: str) -> asyncio.Lock:
        lock = self._locks.get(address)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[address] = lock
        return lock

    async def handle(
        self, event: Inbound, provider_id: str | None = None, deliver: Deliver | None = None
    ) -> Handled:
        """Without ``deliver`` the replies are only returned (the terminal, tests); with it they
        are kept until sent, and sent through it."""
        event = clean_event(event)
        async with self._lock(event.address):
            outcome = await self._attempts(event, provider_id, keep=deliver is not None)
            if deliver is not None:
                owed = outcome.owed
                replies = (said_again(), *owed.replies) if outcome.held else owed.replies
                again = replace(outcome.handled, replies=replies, owed=True,
                                language=owed.language or outcome.handled.language)
                await self._send(owed, again, deliver, event)
                await self._send(outcome.kept, outcome.handled, deliver, event)
            return outcome.handled

    async def record(self, events: Sequence[tuple[Inbound, str]]) -> None:
        """Keep messages that arrived before they are confirmed to the provider; ``handle`` (now,
        or after a restart: ``recover``) handles each exactly once."""
        batch = [arrived(clean_event(event), provider_id) for event, provider_id in events]
        # Autocommit on PostgreSQL: one round trip, while the poller's next getUpdates waits.
        async with self.db.one_statement() as session:
            await inbound.record_unhandled(session, batch, self.clock())

    async def recover(self, channel: str, deliver_to: Callable[[Inbound], Deliver], *, release: bool) -> int:
        """After a restart: handle, oldest first, the messages recorded on ``channel`` and never
        handled. ``release``: this process alone serves the channel, so the replies claimed by
        one that died are due now (see ``bot.replies``)."""
        async with self.db.transaction() as session:
            released = await reply_rows.release(session, channel, self.clock()) if release else 0
            rows = await inbound.unhandled(session, channel)
            pending = [(event_from(row), row.provider_id) for row in rows]
        if released or pending:
            log.info("%s: %d unsent replies released, %d recorded messages to handle", channel,
                     released, len(pending))
        for event, provider_id in pending:
            await self.handle(event, provider_id, deliver_to(event))
        return len(pending)

    async def release_replies(self, channel: str | None) -> int:
        """Replies a dead process had claimed, due now for the outbox (see ``bot.replies``)."""
        async with self.db.transaction() as session:
            return await reply_rows.release(session, channel, self.clock())

    async def _attempts(self, event: Inbound, provider_id: str | None, *, keep: bool) -> _Outcome:
        for attempt in range(1, STEP_ATTEMPTS + 1):
            try:
                return await self._step(event, provider_id, keep=keep)
            except Exception as exc:
                if not _worth_again(exc, provider_id):
                    log.exception("step failed for %s (provider id %s)", event.channel, provider_id)
                    return await self._failed(event, provider_id)
                if attempt == STEP_ATTEMPTS:
                    log.exception("giving up on a %s message after %d attempts", event.channel, attempt)
                    return await self._failed(event, provider_id)
        raise AssertionError("unreachable")

    async def _step(self, event: Inbound, provider_id: str | None, *, keep: bool) -> _Outcome:
        now = self.clock()
        async with self.db.transaction() as session:
            came = arrived(event, provider_id)
            found = await steps.person(session, came, now, lock=not self.db.is_sqlite)
            if found is None:
                if await inbound.handled_before(session, came):  # its first attempt failed early
                    return _Outcome(Handled(None, None, (), duplicate=True))
                found = await steps.new_person(session, came, now)
            identity, contact = found.identity, found.contact
            if contact.deleted_at is not None:  # erased (retention, contact forget) meanwhile
                raise StaleFacts(f"contact {contact.id} was erased while its message arrived")
            row_id = found.claim_id
            if row_id is None:
                return await self._redelivered(session, found, event, now, keep=keep)
            if identity.unreachable_at is not None:  # they wrote to us, so we can write back
                identity.unreachable_at = None
            language = contact.language or _hinted(event) or self.default_language
            if keep and found.owes_replies:
                owed = await reply_rows.unsent(session, contact_id=contact.id, channel=event.channel, now=now,
                                               leased_too=False)
                if owed.ids:
                    await inbound.mark_held(session, row_id)
                    return _Outcome(Handled(contact.id, language, ()), owed=owed, held=True)
            centre_slug = found.centre_slug
            if contact.centre_id is None and not event.start_payload:
                contact.centre_id = await contacts.sole_centre_id(session)
                centre_slug = await contacts.centre_slug(session, contact.centre_id)
            conversation = found.conversation
            state = _readable(conversation.state, contact.id) if conversation else None
            if event.context is not None and state is not None:
                event = replace(event, context=undigest(event.context, state.get("ctx")))
            flows = self.features.flows
            groups = engine.facts_needed(state, event, contact.language, flows)
            extra = await load_facts(self.features.loaders, groups, session, contact, now)
            # Read again: a loader may have waited for a lock (a course's last seat), and what
            # the step decides (a place on a waiting list) dates from when it may decide it.
            now = self.clock()
            if conversation is not None:
                extra[FACT_LAST_ACTIVITY] = conversation.updated_at
            facts = Facts(
                contact=ContactFacts(
                    contact_id=contact.id,
                    language=contact.language,
                    is_new=found.is_new or conversation is None,
                    centre_slug=centre_slug,
                    name=contact.name,
                ),
                default_language=self.default_language,
                centres=await self._centres(session, found.centres_key),
                extra=extra,
                loaded=frozenset({*groups, FACT_LAST_ACTIVITY.group}),
            )
            result = engine.step(state, event, now, facts, flows)
            ctx = EffectContext(session=session, contact=contact, identity=identity, event=event, now=now)
            await apply_effects(ctx, result.effects, self.features.appliers)
            state_save = None
            if contact.deleted_at is None:  # an erased person (they asked to be forgotten) leaves nothing
                state_save = contacts.StateSave(conversation, contact.id, state_to_json(result.state), now)
            language = contact.language or _hinted(event) or self.default_language
            kept = reply_rows.NOTHING
            if keep:  # the state is saved by ``keep``: with the replies' row where it can be
                kept = await reply_rows.keep(session, contact_id=contact.id, channel=event.channel,
                                             language=language, replies=result.replies, now=now,
                                             state=state_save)
            elif state_save is not None:
                await contacts.save_state(session, state_save)
            return _Outcome(Handled(contact.id, language, result.replies), kept=kept)

    async def _centres(self, session: AsyncSession, key: tuple[int, int, int]) -> tuple[CentreOption, ...]:
        """Every centre as the centre choice lists it, read again only when the list changed."""
        if self._centre_options is None or self._centre_options[0] != key:
            self._centre_options = (key, await contacts.centre_options(session))
        return self._centre_options[1]

    async def _redelivered(
        self, session: AsyncSession, found: steps.Person, event: Inbound, now: dt.datetime, *, keep: bool
    ) -> _Outcome:
        """Handled before. The provider only sends it again when the first attempt never
        finished, so what that step still owes goes out now, whoever held it."""
        if not keep or found.is_new:
            return _Outcome(Handled(None, None, (), duplicate=True))
        contact = found.contact
        owed = await reply_rows.unsent(session, contact_id=contact.id, channel=event.channel, now=now,
                                       leased_too=True)
        language = contact.language or _hinted(event) or self.default_language
        return _Outcome(Handled(contact.id, language, (), duplicate=True), owed=owed)

    async def _send(self, kept: reply_rows.Kept, handled: Handled, deliver: Deliver, event: Inbound) -> None:
        """Deliver, then record how it went; a reply not delivered now stays due for the outbox."""
        if not handled.replies and not kept.ids:
            return
        try:
            await deliver(handled)
        except Unreachable as exc:
            await self._record(kept, event, "failed", f"unreachable: {exc}", unreachable=True)
        except PermanentFailure as exc:
            await self._record(kept, event, "failed", str(exc))
        except RetryLater as exc:
            await self._record(kept, event, "pending", str(exc), after=dt.timedelta(seconds=exc.retry_after))
        except Exception as exc:
            log.exception("a %s reply could not be sent; the outbox tries again", event.channel)
            await self._record(kept, event, "pending", repr(exc), after=RETRY_AFTER)
        else:
            await self._record(kept, event, "sent", None)

    async def _record(
        self, kept: reply_rows.Kept, event: Inbound, status: str, error: str | None, *,
        after: dt.timedelta | None = None, unreachable: bool = False,
    ) -> None:
        """How a delivery went. Not noted (the database is away): the row keeps its claim and
        the outbox sends it again when that lapses, rather than the person getting an apology
        for a reply they did get."""
        if status == "sent" and after is None and not unreachable:
            reply_rows.mark_sent_later(self.db, kept.ids, self.clock())
            return
        try:
            async with self.db.transaction() as session:
                if unreachable:
                    await session.execute(
                        update(ChannelIdentity)
                        .where(ChannelIdentity.channel == event.channel,
                               ChannelIdentity.address == event.address,
                               ChannelIdentity.unreachable_at.is_(None))
                        .values(unreachable_at=self.clock())
                    )
                if after is not None:
                    await reply_rows.retry(session, kept.ids, after=self.clock() + after, error=error or "")
                else:
                    await reply_rows.finish(session, kept.ids, status=status, now=self.clock(), error=error)
        except Exception:
            log.exception("could not note how a %s reply went (rows %s)", event.channel, kept.ids)

    async def _failed(self, event: Inbound, provider_id: str | None) -> _Outcome:
        """Keep the message that could not be handled (never tried again), and apologise in the
        person's language."""
        now = self.clock()
        language: str | None = None
        contact_id: int | None = None
        try:
            async with self.db.transaction() as session:
                identity = await contacts.find_identity(session, event.channel, event.address)
                if identity is not None:
                    contact = await contacts.live_contact(session, identity.contact_id)
                    contact_id, language = contact.id, contact.language
                await inbound.mark_failed(session, arrived(event, provider_id), now)
        except Exception:
            log.exception("could not even log the failed message from %s", event.channel)
        language = language or _hinted(event) or self.default_language
        return _Outcome(Handled(contact_id, language, (apology(),), failed=True))


def _worth_again(exc: Exception, provider_id: str | None) -> bool:
    """Whether the pure step may run again on fresh facts: another process created the same row
    first or changed what the step saw, or the database connection was lost (the pool replaced
    it). A lost connection may follow a commit that reached the server, so only a message with a
    provider id, whose claim then finds it handled, is tried again."""
    if isinstance(exc, IntegrityError | StaleFacts):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated and provider_id is not None


def _readable(raw: dict[str, object], contact_id: int) -> State:
    """The stored state; one no release can read starts again at the menu. Answers, seats and
    places are in their own tables, so only the screen the person was on is lost, and they
    are not locked out behind an apology on every message."""
    try:
        return state_from_json(raw) or initial_state()
    except StateError:
        log.warning("conversation of contact %s: stored state unreadable, starting at the menu", contact_id)
        return {**initial_state(), "stage": "menu"}


def _hinted(event: Inbound) -> str | None:
    return event.language_hint if event.language_hint in LANGUAGES else None
