"""The Telegram channel: python-telegram-bot's ``Application`` as a thin adapter.

One message handler and one callback-query handler turn updates into ``Inbound`` events for
the dispatcher; no conversation state lives in python-telegram-bot (no ConversationHandler,
persistence or JobQueue). Updates run concurrently; the dispatcher's per-contact lock keeps
one person's updates in order. Long polling by default (``telegram_polling``: each batch is
recorded before Telegram is told it arrived); with a webhook URL the updates come through the
project's ASGI app, guarded by the secret token header, and are answered 2xx only once handled
(Telegram sends again what was not). Replies go out through the dispatcher's ``deliver``, so
they are kept until sent (``bot.replies``); at start, what a killed process left is handled.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, ParamSpec, TypeVar
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import (
    Bot,
    BotCommand,
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    filters,
)

from bot.channels.addresses import TELEGRAM, telegram_address
from bot.channels.base import PartSent
from bot.channels.telegram_callback import IN_RESPONSE, CallbackAnswer
from bot.channels.telegram_http import AiohttpRequest, env_proxy
from bot.channels.telegram_pacer import BACKGROUND, PacerLimits, RateLimitArgs, TelegramPacer, retry_seconds
from bot.channels.telegram_polling import ALLOWED_UPDATES, Poller
from bot.channels.telegram_render import (
    inline_keyboard,
    message_text,
    parse_callback,
    share_phone_keyboard,
    split_text,
)
from bot.clock import Clock, system_clock
from bot.dispatcher import Deliver, Dispatcher, Handled, apology
from bot.i18n import Catalogs, Translator
from flows.errors import ConfigError, PermanentFailure, RetryLater, Unreachable
from flows.events import LANGUAGES, N_, Inbound, Msg, Reply
from storage.db import Database

if TYPE_CHECKING:
    from bot.context import ServiceContext

log = logging.getLogger(__name__)
TELEGRAM_LIMITS = PacerLimits()  # Telegram's own: 30 messages a second, 1 a second a chat
CHANNEL = TELEGRAM
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SEND_ATTEMPTS = 4
# Bot API connections kept open (``telegram_http``): 16 carry 50 to 160 calls a second at
# Telegram's round trip, above the 30 messages a second it allows; a call waits up to
# POOL_WAIT seconds for one to be free.
DEFAULT_API_URL = "https://api.telegram.org"
CONNECTIONS = 16
POOL_WAIT = 10.0
P = ParamSpec("P")
R = TypeVar("R")
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup
# The engine's own commands; the features' (``/survey``, ``/courses``) go between them.
FIRST_COMMANDS: tuple[tuple[str, str], ...] = (("start", N_("Main menu")),)
LAST_COMMANDS: tuple[tuple[str, str], ...] = (
    ("language", N_("Language")),
    ("help", N_("Help")),
    ("name", N_("My name")),
    ("forget", N_("Delete my data")),
    ("cancel", N_("Cancel and return to the menu")),
)
DESCRIPTION = N_(
    "The bot of your Community Learning Centre: the needs survey, courses, enrolment and waiting lists."
)


address_of = telegram_address


def webhook_secret(token: str) -> str:
    """Derived from the token, so every process behind the load balancer agrees on it."""
    return hashlib.sha256(f"clc-bot webhook {token}".encode()).hexdigest()


def language_hint(code: str | None) -> str | None:
    short = (code or "").split("-")[0].lower()
    return short if short in LANGUAGES else None


def inbound_from(update: Update) -> Inbound | None:
    """The neutral event for an update, or None for updates we do not serve (groups, edits)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or chat.type != "private" or user.is_bot:
        return None
    hint = language_hint(user.language_code)
    base = Inbound(channel=CHANNEL, address=address_of(user.id), language_hint=hint,
                   profile_name=user.first_name)
    if update.callback_query is not None:
        data = update.callback_query.data
        parsed = parse_callback(data) if isinstance(data, str) else None
        if parsed is None:
            return None
        context, choice = parsed
        return replace(base, choice=choice, context=context)
    message = update.message
    if message is None:
        return None
    if message.contact is not None:
        if message.contact.user_id != user.id or not isinstance(message.contact.phone_number, str):
            return None  # someone else's card: answered by the adapter, never linked
        return replace(base, shared_phone=message.contact.phone_number)
    # Only what Telegram documents: a webhook body is not trusted to have a string where one goes.
    text = next((t for t in (message.text, message.caption) if isinstance(t, str) and t), None)
    if text is None:
        return replace(base, text="")  # a sticker, photo or voice: answered with a re-prompt
    payload = None
    if text.startswith("/start "):
        payload = text.split(maxsplit=1)[1].strip()[:64] or None
    return replace(base, text=text, start_payload=payload)


class TelegramSender:
    """Sends replies to a chat, mapping Telegram's errors to what the outbox should do."""

    channel = CHANNEL

    def __init__(self, bot: ExtBot[RateLimitArgs]) -> None:
        self.bot = bot

    async def send(
        self, address: str, replies: Sequence[Reply], tr: Translator, *, skip: int = 0,
        on_part: PartSent | None = None,
    ) -> list[str]:
        """Each part a message; the first ``skip`` arrived in an earlier attempt."""
        chat_id = int(address.removeprefix("telegram:"))
        parts = [part for reply in replies for part in reply_parts(reply, tr)]
        sent: list[str] = []
        with delivery_errors():
            for done, (text, markup) in enumerate(parts[skip:], start=skip + 1):
                # Queued traffic: the pacer sends it in the slots replies leave.
                message = await with_retries(self.bot.send_message, chat_id, text, reply_markup=markup,
                                             rate_limit_args=BACKGROUND)
                sent.append(str(message.message_id))
                if on_part is not None:
                    await on_part(done, len(parts), sent[-1])
        return sent


@contextlib.contextmanager
def delivery_errors() -> Iterator[None]:
    """Telegram's errors as what the sender of a message should do next."""
    try:
        yield
    except Forbidden as exc:
        raise Unreachable(exc.message) from exc
    except RetryAfter as exc:
        raise RetryLater(exc.message, retry_after=retry_seconds(exc)) from exc
    except BadRequest as exc:
        raise PermanentFailure(exc.message) from exc
    except NetworkError as exc:
        raise RetryLater(str(exc), retry_after=5) from exc


async def with_retries(call: Callable[P, Awaitable[R]], *args: P.args, **kwargs: P.kwargs) -> R:
    """Back off on network errors; other errors go up. A 429 reaching here has already been
    waited out and retried by the pacer (``telegram_pacer``): it goes up too."""
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            return await call(*args, **kwargs)
        except (Forbidden, BadRequest, RetryAfter):
            raise
        except NetworkError:
            if attempt == SEND_ATTEMPTS:
                raise
            await asyncio.sleep(0.5 * 2**attempt)
    raise AssertionError("unreachable")


async def _answer_query(query: CallbackQuery, notice: str | None) -> object:
    return await with_retries(query.answer, text=notice)


def reply_parts(reply: Reply, tr: Translator) -> list[tuple[str, Markup | None]]:
    """The messages one reply becomes: its text split at 4,096 characters, buttons on the last."""
    parts = split_text(message_text(reply, tr))
    markup = share_phone_keyboard(tr) if reply.request_phone else inline_keyboard(reply, tr)
    return [(part, markup if index == len(parts) - 1 else None) for index, part in enumerate(parts)]


async def send_reply(bot: Bot, chat_id: int, reply: Reply, tr: Translator) -> list[Message]:
    return [await with_retries(bot.send_message, chat_id, text, reply_markup=markup)
            for text, markup in reply_parts(reply, tr)]


class TelegramChannel:
    name = CHANNEL

    def __init__(
        self,
        *,
        token: str,
        dispatcher: Dispatcher,
        catalogs: Catalogs,
        db: Database,
        api_url: str | None = None,
        webhook_url: str | None = None,
        poll_timeout: float = 10,
        clock: Clock = system_clock,
        pacer_limits: PacerLimits = TELEGRAM_LIMITS,
    ) -> None:
        # No Updater: polling is ours (``telegram_polling``), so no batch is confirmed unrecorded.
        # Every Bot API call of this bot, replies and outbox alike, goes through one pacer.
        root = (api_url or DEFAULT_API_URL).rstrip("/")
        try:
            proxy = env_proxy(root)
        except ValueError as exc:
            raise ConfigError(f"the proxy variables (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY): {exc}") from None
        builder = (ApplicationBuilder().token(token).concurrent_updates(True).updater(None)
                   .rate_limiter(TelegramPacer(pacer_limits))
                   .request(AiohttpRequest(connections=CONNECTIONS, pool_timeout=POOL_WAIT, proxy=proxy))
                   .get_updates_request(AiohttpRequest(connections=1, proxy=proxy))
                   .base_url(f"{root}/bot").base_file_url(f"{root}/file/bot"))
        self.app = builder.build()
        self.app.add_handler(MessageHandler(filters.ALL, self._on_update))
        self.app.add_handler(CallbackQueryHandler(self._on_update))
        self.app.add_error_handler(self._on_error)
        self.dispatcher, self.catalogs, self.db, self.clock = dispatcher, catalogs, db, clock
        self.webhook_url = webhook_url
        self.secret = webhook_secret(token)
        self.sender = TelegramSender(self.app.bot)
        self.poller = None if webhook_url else Poller(
            self.app.bot, self._record, self.app.update_queue, timeout=poll_timeout
        )
        path = urlsplit(webhook_url).path or "/telegram/webhook" if webhook_url else ""
        self.routes: list[BaseRoute] = [Route(path, self._webhook, methods=["POST"])] if webhook_url else []

    async def start(self) -> None:
        try:
            await self.app.initialize()
        except InvalidToken:
            message = "CLC_TELEGRAM_TOKEN: Telegram rejected the token (check it with @BotFather)"
            raise ConfigError(message) from None
        await self._describe_bot()
        await self.app.start()
        if self.webhook_url is not None:
            await self.app.bot.set_webhook(
                self.webhook_url, secret_token=self.secret, allowed_updates=ALLOWED_UPDATES
            )
        # Only one process can poll a bot, so the replies a killed one left unsent are ours to
        # send; behind a webhook other processes may be sending theirs (their leases tell).
        await self.dispatcher.recover(CHANNEL, self._deliver_to, release=self.poller is not None)
        if self.poller is not None:
            await self.poller.start()

    async def stop(self) -> None:
        """Stop taking updates, let those in progress finish, then close."""
        if self.poller is not None:
            await self.poller.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()

    async def _describe_bot(self) -> None:
        for language in LANGUAGES:
            tr = self.catalogs.translator(language)
            features = [(c.name, c.description) for c in self.dispatcher.features.telegram_commands]
            listed = (*FIRST_COMMANDS, *features, *LAST_COMMANDS)
            commands = [BotCommand(name, tr.text(Msg(text))) for name, text in listed]
            try:
                await self.app.bot.set_my_commands(commands, language_code=language)
                await self.app.bot.set_my_description(tr.text(Msg(DESCRIPTION)), language_code=language)
            except TelegramError:
                log.warning("could not set the %s command menu; the bot works without it", language)

    async def _record(self, updates: Sequence[Update]) -> None:
        events: list[tuple[Inbound, str]] = []
        for update in updates:
            try:  # one update of a shape we cannot read must not stop the batch, nor polling
                event = inbound_from(update)
            except Exception:
                log.warning("telegram: update %s of an unreadable shape skipped", update.update_id)
                continue
            if event is not None:
                events.append((event, str(update.update_id)))
        if events:
            await self.dispatcher.record(events)

    async def _webhook(self, request: Request) -> Response:
        if request.headers.get(SECRET_HEADER) != self.secret:
            return Response(status_code=403)
        if not self.app.running:  # the HTTP server listens before the bot is started
            return Response(status_code=503)
        try:
            body = await request.json()
            update = Update.de_json(body, self.app.bot) if isinstance(body, dict) else None
        except Exception:
            update = None
        if update is None:
            # Telegram retries every non-2xx; a body we cannot read would block the queue.
            log.warning("ignored an unreadable webhook body")
            return Response(status_code=200)
        # Answered once handled: a process killed before that gets the update again. A button
        # press's callback answer rides in the response (telegram_callback).
        pressed: list[CallbackAnswer] = []
        token = IN_RESPONSE.set(pressed)
        try:
            await self.app.process_update(update)
        finally:
            IN_RESPONSE.reset(token)
        call = pressed[0].response() if pressed else None
        return JSONResponse(call) if call is not None else Response(status_code=200)

    async def _on_update(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        event = inbound_from(update)
        if event is None:
            await self._not_ours(update)
            return
        answer = CallbackAnswer(query, _answer_query)
        try:
            await self.dispatcher.handle(
                event, provider_id=str(update.update_id), deliver=self._deliver_to(event, answer)
            )
        finally:
            await answer.finish()

    async def _not_ours(self, update: Update) -> None:
        """Someone else's contact card, or a button we do not know: say so, link nothing."""
        user, message = update.effective_user, update.message
        if update.callback_query is not None:
            await with_retries(update.callback_query.answer)
        elif message is not None and message.contact is not None and user is not None:
            tr = self.catalogs.translator(language_hint(user.language_code))
            reply = Reply(body=(Msg(N_("Please share your own phone number with the button.")),),
                          request_phone=True)
            await send_reply(self.app.bot, message.chat.id, reply, tr)

    def _deliver_to(self, event: Inbound, answer: CallbackAnswer | None = None) -> Deliver:
        """How the replies to ``event`` reach its chat: a button's answer may edit the message
        it was on, or be a notice on the button (the callback's answer, sent beside the other
        replies: ``telegram_callback``); replies owed from before are plain messages."""
        chat_id = int(event.address.removeprefix(f"{CHANNEL}:"))

        async def deliver(handled: Handled) -> None:
            tr = self.catalogs.translator(handled.language)
            live = answer.query if answer is not None and not handled.owed else None
            if answer is not None and live is not None:
                answer.notices += [message_text(reply, tr)[:200] for reply in handled.replies if reply.notice]
                answer.start()
            with delivery_errors():
                for reply in handled.replies:
                    if reply.notice and live is not None:
                        continue
                    if reply.edit and live is not None and live.message is not None:
                        await self._edit(live, reply, tr)
                    else:
                        await send_reply(self.app.bot, chat_id, reply, tr)

        return deliver

    async def _edit(self, query: CallbackQuery, reply: Reply, tr: Translator) -> None:
        message = query.message
        assert message is not None
        try:
            await with_retries(
                self.app.bot.edit_message_text, message_text(reply, tr)[:4096],
                chat_id=message.chat.id, message_id=message.message_id,
                reply_markup=inline_keyboard(reply, tr),
            )
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                return
            # Too old to edit, or deleted: the person must still see what their press changed.
            log.info("telegram: message %s could not be edited (%s); sent as a new one",
                     message.message_id, exc.message)
            await send_reply(self.app.bot, message.chat.id, reply, tr)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("error handling telegram update %s", update_id, exc_info=context.error)
        if isinstance(update, Update) and update.effective_chat is not None:
            user = update.effective_user
            tr = self.catalogs.translator(language_hint(user.language_code if user else None))
            try:
                await send_reply(self.app.bot, update.effective_chat.id, apology(), tr)
            except TelegramError:
                log.warning("could not send the apology for update %s", update_id)


def build_telegram(ctx: ServiceContext) -> TelegramChannel | None:
    settings = ctx.settings
    if settings.telegram_token is None:
        return None
    return TelegramChannel(
        token=settings.telegram_token.get_secret_value(),
        dispatcher=ctx.dispatcher,
        catalogs=ctx.catalogs,
        db=ctx.db,
        api_url=str(settings.telegram_api_url) if settings.telegram_api_url else None,
        webhook_url=ctx.webhook_url,
        clock=ctx.clock,
        pacer_limits=TELEGRAM_LIMITS.shared(settings.sender_processes),
    )
