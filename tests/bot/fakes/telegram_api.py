"""A fake Telegram Bot API server that answers like the real one, for end-to-end tests.

It serves ``/bot<token>/<method>`` with ``{"ok": true, "result": …}`` or error objects
(``error_code``, ``description``, ``parameters.retry_after``), keeps chats and messages,
queues updates for ``getUpdates`` (offsets, bounded long poll) and records every call, so a
test can push what a villager does and read what the villager would see.

With ``limits`` set (off by default) it enforces Telegram's flood limits as ``ApiLimits`` says
and counts what a load test needs: every 429 (``too_many``, ``too_many_at``) and, per chat, the
times of the calls it accepted (``sends``).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.bot.fakes.telegram_limits import ApiLimits, FloodGate

__all__ = ["ApiLimits", "FakeTelegram", "SentMessage"]

BOT_ID = 7000001
MAX_TEXT = 4096
MAX_CALLBACK_BYTES = 64
HOLD_SECONDS = 10.0  # ``held_for_answer``: how long a held call waits for the press's answer


@dataclass
class SentMessage:
    message_id: int
    chat_id: int
    text: str
    reply_markup: dict[str, Any] | None
    edits: int = 0

    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback data) of the inline keyboard, in reading order."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]

    def button(self, label_part: str) -> str:
        matches = [data for text, data in self.buttons() if label_part in text]
        assert matches, f"no button with {label_part!r} in {self.buttons()}"
        return matches[0]


@dataclass
class FakeTelegram:
    token: str = "123456:TEST-token"
    updates: list[dict[str, Any]] = field(default_factory=list)
    messages: dict[int, SentMessage] = field(default_factory=dict)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    callback_answers: list[dict[str, Any]] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    fail_next: dict[str, tuple[int, str, int | None]] = field(default_factory=dict)
    webhook: dict[str, Any] = field(default_factory=dict)
    limits: ApiLimits | None = None  # Telegram's flood limits; None: unlimited
    too_many: int = 0  # 429 answers, for any reason
    too_many_at: list[float] = field(default_factory=list)  # time.monotonic() of each
    _next_update: int = 1000
    _next_message: int = 1
    _changed: asyncio.Condition | None = None
    _by_chat: dict[int, list[SentMessage]] = field(default_factory=lambda: defaultdict(list))
    _gate: FloodGate | None = None
    _chat_waiters: dict[int, list[tuple[int, asyncio.Future[None]]]] = field(
        default_factory=lambda: defaultdict(list))
    # Telegram profile first names by user id; others are "User<id>" (not a name the bot offers)
    first_names: dict[int, str] = field(default_factory=dict)
    # Calls held (at most ``HOLD_SECONDS``) until the last button press has its callback answer:
    # a bot that answers only after these calls complete makes each wait its bound out.
    held_for_answer: set[str] = field(default_factory=set)
    waited_for_answer: int = 0  # held calls whose bound ran out
    in_webhook_responses: int = 0  # Bot API calls the bot made in its webhook's HTTP responses
    _pressed: dict[str, asyncio.Event] = field(default_factory=dict)  # callback query id: answered

    # ---- what a villager does -------------------------------------------------------------

    def _user(self, user_id: int, language: str | None) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": self.first_names.get(user_id, f"User{user_id}")}
        if language:
            user["language_code"] = language
        return user

    def _push(self, payload: dict[str, Any], update_id: int | None = None) -> dict[str, Any]:
        if update_id is None:
            self._next_update += 1
            update_id = self._next_update
        update = {"update_id": update_id, **payload}
        self.updates.append(update)
        self._notify()
        return update

    def user_sends(self, user_id: int, text: str, *, language: str | None = "ru",
                   update_id: int | None = None) -> dict[str, Any]:
        message = {
            "message_id": self._take_message_id(), "date": int(time.time()),
            "chat": {"id": user_id, "type": "private"}, "from": self._user(user_id, language), "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self._push({"message": message}, update_id)

    def user_shares_contact(self, user_id: int, phone: str, *, owner: int | None = None,
                            language: str | None = "ru") -> dict[str, Any]:
        message = {
            "message_id": self._take_message_id(), "date": int(time.time()),
            "chat": {"id": user_id, "type": "private"}, "from": self._user(user_id, language),
            "contact": {"phone_number": phone, "first_name": "X", "user_id": owner or user_id},
        }
        return self._push({"message": message})

    def user_presses(self, user_id: int, message: SentMessage, data: str, *,
                     language: str | None = "ru") -> dict[str, Any]:
        query = {
            "id": f"cq{self._next_update}", "from": self._user(user_id, language), "chat_instance": "ci",
            "data": data, "message": self._message_json(message),
        }
        self._pressed[query["id"]] = asyncio.Event()
        return self._push({"callback_query": query})

    # ---- what a villager sees -------------------------------------------------------------

    def chat(self, chat_id: int) -> list[SentMessage]:
        return list(self._by_chat.get(chat_id, ()))

    def last(self, chat_id: int) -> SentMessage:
        return self.chat(chat_id)[-1]

    def texts(self, chat_id: int) -> list[str]:
        return [m.text for m in self.chat(chat_id)]

    async def wait_for(self, predicate: Any, within: float = 10) -> None:
        """Wait until ``predicate()`` holds, woken by each call the bot makes (bounded)."""
        condition = self._condition()
        async with condition:
            await asyncio.wait_for(condition.wait_for(predicate), within)

    async def wait_messages(self, chat_id: int, count: int, within: float = 10) -> list[SentMessage]:
        """Wait until ``chat_id`` has received ``count`` messages (bounded); returns them all.

        Woken only by that chat's messages, so hundreds of villagers can wait at once."""
        if len(self._by_chat[chat_id]) < count:
            arrived = asyncio.get_running_loop().create_future()
            self._chat_waiters[chat_id].append((count, arrived))
            await asyncio.wait_for(arrived, within)
        return self.chat(chat_id)

    async def wait_until_consumed(self, within: float = 10) -> None:
        await self.wait_for(lambda: not self.updates, within)

    # ---- the server -----------------------------------------------------------------------

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])])

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed

    def _notify(self) -> None:
        condition = self._condition()

        async def notify() -> None:
            async with condition:
                condition.notify_all()

        asyncio.get_running_loop().create_task(notify())

    def _take_message_id(self) -> int:
        self._next_message += 1
        return self._next_message

    def _message_json(self, message: SentMessage) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": message.message_id, "date": int(time.time()),
            "chat": {"id": message.chat_id, "type": "private"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "CLC", "username": "clc_test_bot"},
            "text": message.text,
        }
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup  # Telegram echoes inline keyboards only
        return data

    async def _params(self, request: Request) -> dict[str, Any]:
        body = await request.body()
        if request.headers.get("content-type", "").startswith("application/json") and body:
            return dict(json.loads(body))
        form = await request.form()
        params: dict[str, Any] = {}
        for key, value in form.items():
            text = str(value)
            try:
                params[key] = json.loads(text) if text[:1] in "{[" or key in ("chat_id", "message_id",
                                                                                 "offset", "timeout") else text
            except json.JSONDecodeError:
                params[key] = text
        return params

    async def webhook_answered(self, status: int, content_type: str, body: bytes) -> None:
        """What Telegram does with the bot's HTTP response to a webhook request: a JSON body
        naming a ``method`` is a Bot API call (its result is not reported back)."""
        if status != 200 or not content_type.startswith("application/json") or not body:
            return
        params = json.loads(body)
        if not isinstance(params, dict) or not isinstance(method := params.pop("method", None), str):
            return
        self.in_webhook_responses += 1
        self.calls.append((method, params))
        try:
            await self._answer(method, params)
        finally:
            self._notify()

    async def _endpoint(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != self.token:
            return self._error(401, "Unauthorized")
        method = request.path_params["method"]
        params = await self._params(request)
        self.calls.append((method, params))
        try:
            response = await self._answer(method, params)
            if response.status_code == 429:
                self.too_many += 1
                self.too_many_at.append(time.monotonic())
            return response
        finally:
            self._notify()

    async def _answer(self, method: str, params: dict[str, Any]) -> JSONResponse:
        if method in self.held_for_answer and self._pressed:
            try:
                await asyncio.wait_for(list(self._pressed.values())[-1].wait(), HOLD_SECONDS)
            except TimeoutError:
                self.waited_for_answer += 1
        if method in self.fail_next:
            code, description, retry_after = self.fail_next.pop(method)
            return self._error(code, description, retry_after)
        if self.limits is not None and "chat_id" in params and (limited := self._flood(params["chat_id"])):
            return limited
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return self._error(404, "Not Found: method not found")
        return await handler(params)

    def flood(self, seconds: float) -> None:
        """Telegram is already throttling this bot: every chat call gets 429 for ``seconds``."""
        self._flood_gate().silence(time.monotonic(), seconds)

    def _flood_gate(self) -> FloodGate:
        if self.limits is None:
            self.limits = ApiLimits()
        if self._gate is None:
            self._gate = FloodGate(self.limits)
        return self._gate

    def _flood(self, chat: Any) -> JSONResponse | None:
        """429 if this call to ``chat`` is over a limit, else None (and it is counted)."""
        retry_after = self._flood_gate().check(int(chat), time.monotonic())
        if retry_after is None:
            return None
        return self._error(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    @property
    def sends(self) -> dict[int, list[float]]:
        """Per chat, the time.monotonic() of each call the limits let through (with ``limits``)."""
        return self._gate.sends if self._gate is not None else {}

    @staticmethod
    def _ok(result: Any) -> JSONResponse:
        return JSONResponse({"ok": True, "result": result})

    @staticmethod
    def _error(code: int, description: str, retry_after: int | None = None) -> JSONResponse:
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        return JSONResponse(body, status_code=code)

    def _check_markup(self, markup: Any) -> JSONResponse | None:
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                if len(button.get("callback_data", "").encode()) > MAX_CALLBACK_BYTES:
                    return self._error(400, "Bad Request: BUTTON_DATA_INVALID")
        return None

    async def _m_getMe(self, _params: dict[str, Any]) -> JSONResponse:
        return self._ok({"id": BOT_ID, "is_bot": True, "first_name": "CLC", "username": "clc_test_bot",
                         "can_join_groups": False, "can_read_all_group_messages": False,
                         "supports_inline_queries": False})

    async def _m_getUpdates(self, params: dict[str, Any]) -> JSONResponse:
        offset = int(params.get("offset") or 0)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates:
            deadline = min(float(params.get("timeout") or 0), 0.5)  # bounded long poll
            condition = self._condition()
            try:
                async with condition:
                    await asyncio.wait_for(condition.wait_for(lambda: bool(self.updates)), deadline)
            except TimeoutError:
                pass
        return self._ok(self.updates[:100])

    async def _m_sendMessage(self, params: dict[str, Any]) -> JSONResponse:
        chat_id, text = int(params["chat_id"]), str(params.get("text", ""))
        if chat_id in self.blocked:
            return self._error(403, "Forbidden: bot was blocked by the user")
        if not text or len(text) > MAX_TEXT:
            return self._error(400, "Bad Request: message is too long" if text else "Bad Request: message text is empty")
        if (bad := self._check_markup(params.get("reply_markup"))) is not None:
            return bad
        message = SentMessage(self._take_message_id(), chat_id, text, params.get("reply_markup"))
        self.messages[message.message_id] = message
        self._by_chat[chat_id].append(message)
        waiting, received = self._chat_waiters.get(chat_id, []), len(self._by_chat[chat_id])
        for count, arrived in [w for w in waiting if w[0] <= received]:
            waiting.remove((count, arrived))
            if not arrived.done():
                arrived.set_result(None)
        return self._ok(self._message_json(message))

    async def _m_editMessageText(self, params: dict[str, Any]) -> JSONResponse:
        message = self.messages.get(int(params["message_id"]))
        if message is None:
            return self._error(400, "Bad Request: message to edit not found")
        markup = params.get("reply_markup")
        if (bad := self._check_markup(markup)) is not None:
            return bad
        if message.text == params.get("text") and message.reply_markup == markup:
            return self._error(400, "Bad Request: message is not modified")
        message.text, message.reply_markup, message.edits = str(params["text"]), markup, message.edits + 1
        return self._ok(self._message_json(message))

    async def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> JSONResponse:
        message = self.messages.get(int(params["message_id"]))
        if message is None:
            return self._error(400, "Bad Request: message to edit not found")
        message.reply_markup, message.edits = params.get("reply_markup"), message.edits + 1
        return self._ok(self._message_json(message))

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> JSONResponse:
        self.callback_answers.append(params)
        if (pressed := self._pressed.get(str(params.get("callback_query_id")))) is not None:
            pressed.set()
        return self._ok(True)

    async def _m_setWebhook(self, params: dict[str, Any]) -> JSONResponse:
        self.webhook = params
        return self._ok(True)

    async def _m_deleteWebhook(self, _params: dict[str, Any]) -> JSONResponse:
        self.webhook = {}
        return self._ok(True)

    async def _m_getWebhookInfo(self, _params: dict[str, Any]) -> JSONResponse:
        return self._ok({"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                         "pending_update_count": 0})

    async def _m_setMyCommands(self, _params: dict[str, Any]) -> JSONResponse:
        return self._ok(True)

    async def _m_setMyDescription(self, _params: dict[str, Any]) -> JSONResponse:
        return self._ok(True)

    async def _m_close(self, _params: dict[str, Any]) -> JSONResponse:
        return self._ok(True)

    async def _m_logOut(self, _params: dict[str, Any]) -> JSONResponse:
        return self._ok(True)
