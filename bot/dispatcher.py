"""The one door every inbound event goes through, whatever the channel.

For each event: take the contact's lock (events of one person are handled one at a time, in
order; different people concurrently), then in ONE transaction: log the inbound message (a
provider id seen before means a redelivery: nothing happens), resolve the contact, load its
state, run the pure ``flows.engine.step``, apply the effects and save the new state. The
replies come back as data; the channel renders and sends them.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from dataclasses import dataclass, replace

from sqlalchemy.exc import IntegrityError

from bot.clock import Clock, system_clock
from bot.codec import undigest
from bot.effects import EffectContext, apply_effects
from bot.facts import load_facts
from bot.feature import FeatureSet
from flows import engine
from flows.errors import StaleFacts, StateError
from flows.events import LANGUAGES, N_, ContactFacts, Facts, Inbound, Msg, Reply, State
from flows.sms_session import FACT_LAST_ACTIVITY
from flows.state import from_json as state_from_json
from flows.state import initial_state
from flows.state import to_json as state_to_json
from storage import contacts
from storage.db import Database

log = logging.getLogger(__name__)
STEP_ATTEMPTS = 3


@dataclass(frozen=True)
class Handled:
    contact_id: int | None
    language: str | None
    replies: tuple[Reply, ...]
    duplicate: bool = False
    failed: bool = False


def apology() -> Reply:
    return Reply(body=(Msg(N_("Sorry, something went wrong on our side. Please try again.")),))


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

    def _lock(self, address: str) -> asyncio.Lock:
        lock = self._locks.get(address)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[address] = lock
        return lock

    async def handle(self, event: Inbound, provider_id: str | None = None) -> Handled:
        event = clean_event(event)
        lock = self._lock(event.address)
        async with lock:
            for attempt in range(1, STEP_ATTEMPTS + 1):
                try:
                    return await self._step(event, provider_id)
                except (IntegrityError, StaleFacts):
                    # Another process created the same row first, or changed what the step saw:
                    # the retry runs the pure step again on fresh facts.
                    if attempt == STEP_ATTEMPTS:
                        log.exception("giving up on %s after %d attempts", event.address, attempt)
                        return await self._failed(event, provider_id)
                except Exception:
                    log.exception(
                        "step failed for %s (provider id %s)", event.channel, provider_id
                    )
                    return await self._failed(event, provider_id)
        raise AssertionError("unreachable")

    async def _step(self, event: Inbound, provider_id: str | None) -> Handled:
        now = self.clock()
        async with self.db.transaction() as session:
            inbound = await contacts.record_inbound(
                session,
                channel=event.channel,
                provider_id=provider_id,
                address=event.address,
                text=event.text,
                payload=_payload(event),
                now=now,
            )
            if inbound is None:
                return Handled(None, None, (), duplicate=True)
            identity, contact, is_new = await contacts.resolve_identity(
                session, event.channel, event.address, now
            )
            inbound.contact_id = contact.id
            if contact.centre_id is None and not event.start_payload:
                contact.centre_id = await contacts.sole_centre_id(session)
            if identity.unreachable_at is not None:  # they wrote to us, so we can write back
                identity.unreachable_at = None
            conversation = await contacts.load_state(session, contact.id, lock=not self.db.is_sqlite)
            state = _readable(conversation.state, contact.id) if conversation else None
            if event.context is not None and state is not None:
                event = replace(event, context=undigest(event.context, state.get("ctx")))
            flows = self.features.flows
            groups = engine.facts_needed(state, event, contact.language, flows)
            extra = await load_facts(self.features.loaders, groups, session, contact, now)
            if conversation is not None:
                extra[FACT_LAST_ACTIVITY] = conversation.updated_at
            facts = Facts(
                contact=ContactFacts(
                    contact_id=contact.id,
                    language=contact.language,
                    is_new=is_new or conversation is None,
                    centre_slug=await contacts.centre_slug(session, contact.centre_id),
                    name=contact.name,
                ),
                default_language=self.default_language,
                centre_slugs=(
                    await contacts.centre_slugs(session) if event.start_payload else frozenset()
                ),
                extra=extra,
                loaded=frozenset({*groups, FACT_LAST_ACTIVITY.group}),
            )
            result = engine.step(state, event, now, facts, flows)
            ctx = EffectContext(session=session, contact=contact, identity=identity, event=event, now=now)
            await apply_effects(ctx, result.effects, self.features.appliers)
            await contacts.save_state(session, conversation, contact.id, state_to_json(result.state), now)
            language = contact.language or _hinted(event) or self.default_language
            return Handled(contact.id, language, result.replies)

    async def _failed(self, event: Inbound, provider_id: str | None) -> Handled:
        """Keep the message that could not be handled, and apologise in the person's language."""
        now = self.clock()
        language: str | None = None
        contact_id: int | None = None
        try:
            async with self.db.transaction() as session:
                identity = await contacts.find_identity(session, event.channel, event.address)
                if identity is not None:
                    contact = await contacts.live_contact(session, identity.contact_id)
                    contact_id, language = contact.id, contact.language
                await contacts.record_inbound(
                    session,
                    channel=event.channel,
                    provider_id=None,
                    address=event.address,
                    text=event.text,
                    payload={**_payload(event), "failed": True, "provider_id": provider_id},
                    now=now,
                )
        except Exception:
            log.exception("could not even log the failed message from %s", event.channel)
        return Handled(
            contact_id, language or _hinted(event) or self.default_language, (apology(),), failed=True
        )


_UNSTORABLE = dict.fromkeys(range(0x20), None) | {ord("\n"): "\n", ord("\t"): " ", ord("\r"): None}


def clean_event(event: Inbound) -> Inbound:
    """Drop control characters (NUL cannot be stored on PostgreSQL); keep line breaks."""
    if event.text is None or event.text.isprintable():
        return event
    return replace(event, text=event.text.translate(_UNSTORABLE))


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


def _payload(event: Inbound) -> dict[str, str]:
    fields = {
        "choice": event.choice,
        "context": event.context,
        "language_hint": event.language_hint,
        "shared_phone": event.shared_phone,
        "start_payload": event.start_payload,
    }
    return {key: value for key, value in fields.items() if value is not None}
