"""``AiohttpRequest`` under a real python-telegram-bot ``Bot``, against Bot API servers on
127.0.0.1: the suite's ``FakeTelegram`` where the API behaves, a small Starlette stub or a raw
socket where it must misbehave (hold a call, hang up); and ``env_proxy``'s reading of the
environment."""

from __future__ import annotations

import asyncio
import json
import os
import ssl
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.channels.telegram_http import NOT_SENT, AiohttpRequest, env_proxy, tls_context
from tests.bot.fakes.server import serving
from tests.bot.fakes.telegram_api import FakeTelegram

TOKEN = "123456:TEST-token"
CHAT = 42
POLL_HOLD = 0.3  # how long the stub's getUpdates holds: above read_timeout, below it plus the poll


class Stub:
    """A Bot API that holds sendMessage (when ``hold``) until ``release``, holds getUpdates
    ``POLL_HOLD`` seconds, and keeps what each sendDocument uploaded."""

    def __init__(self) -> None:
        self.hold = False
        self.arrived, self.release = asyncio.Event(), asyncio.Event()
        self.sends = 0
        self.uploads: list[tuple[str, dict[str, Any]]] = []  # (content type, form fields)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/bot{token}/{method}", self._endpoint, methods=["POST"])])

    async def _endpoint(self, request: Request) -> JSONResponse:
        method, form = request.path_params["method"], await request.form()
        message: dict[str, Any] = {"message_id": 7, "date": int(time.time()),
                                   "chat": {"id": CHAT, "type": "private"}}
        if method == "getUpdates":
            await asyncio.sleep(POLL_HOLD)
            return JSONResponse({"ok": True, "result": []})
        if method == "sendDocument":
            fields = {k: (v.filename, await v.read()) if isinstance(v, UploadFile) else v for k, v in form.items()}
            self.uploads.append((request.headers["content-type"], fields))
            message["document"] = {"file_id": "f1", "file_unique_id": "u1", "file_name": "report.csv"}
            return JSONResponse({"ok": True, "result": message})
        self.sends += 1
        self.arrived.set()
        if self.hold:
            await self.release.wait()
        return JSONResponse({"ok": True, "result": {**message, "text": form["text"]}})


@pytest.fixture
async def fake() -> AsyncIterator[tuple[FakeTelegram, str]]:
    telegram = FakeTelegram(token=TOKEN)
    async with serving(telegram.app()) as url:
        yield telegram, url


@pytest.fixture
async def stub() -> AsyncIterator[tuple[Stub, str]]:
    api = Stub()
    async with serving(api.app()) as url:
        try:
            yield api, url
        finally:
            api.release.set()  # held calls end, so the server can stop


@asynccontextmanager
async def bot_at(url: str, **options: Any) -> AsyncIterator[Bot]:
    """A Bot whose calls, getUpdates included, go through AiohttpRequest to ``url``; its
    sessions are opened without ``Bot.initialize`` (whose getMe the stubs do not answer)."""
    options.setdefault("connections", 1)
    requests = AiohttpRequest(**options), AiohttpRequest(**options)
    for request in requests:
        await request.initialize()
    try:
        yield Bot(TOKEN, base_url=f"{url}/bot", request=requests[0], get_updates_request=requests[1])
    finally:
        for request in requests:
            await request.shutdown()


@asynccontextmanager
async def hanging_up() -> AsyncIterator[str]:
    """A server that reads each request whole and closes the connection without a word."""

    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lengths = [line.split(b":")[1] for line in head.lower().split(b"\r\n") if line.startswith(b"content-length:")]
        await reader.readexactly(int(lengths[0]) if lengths else 0)
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    async with server:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"


async def test_send_message_round_trips(fake: tuple[FakeTelegram, str]) -> None:
    telegram, url = fake
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Да", callback_data="yes")]])
    async with bot_at(url) as bot:
        sent = await bot.send_message(CHAT, "Привет, мир", reply_markup=markup)
    method, params = telegram.calls[-1]
    assert method == "sendMessage"
    assert params["chat_id"] == CHAT and params["text"] == "Привет, мир"
    assert params["reply_markup"] == {"inline_keyboard": [[{"text": "Да", "callback_data": "yes"}]]}
    assert sent.message_id == telegram.last(CHAT).message_id and sent.text == "Привет, мир"


async def test_bot_api_errors_raise_ptbs_errors(fake: tuple[FakeTelegram, str]) -> None:
    telegram, url = fake
    telegram.fail_next["sendMessage"] = (400, "Bad Request: chat not found", None)
    async with bot_at(url) as bot:
        with pytest.raises(BadRequest, match="(?i)chat not found"):
            await bot.send_message(CHAT, "hi")
        telegram.fail_next["sendMessage"] = (429, "Too Many Requests: retry after 7", 7)
        with pytest.raises(RetryAfter) as flood:
            await bot.send_message(CHAT, "hi")
    retry = flood.value.retry_after
    assert (retry.total_seconds() if isinstance(retry, timedelta) else retry) == 7


async def test_hang_up_is_a_network_error_not_a_timeout() -> None:
    async with hanging_up() as url, bot_at(url) as bot:
        with pytest.raises(NetworkError) as failure:
            await bot.send_message(CHAT, "hi")
    assert not isinstance(failure.value, TimedOut), failure.value


async def test_slow_answer_times_out_as_maybe_sent(stub: tuple[Stub, str]) -> None:
    api, url = stub
    api.hold = True
    async with bot_at(url, read_timeout=0.2) as bot:
        with pytest.raises(TimedOut) as failure:
            await bot.send_message(CHAT, "hi")
    # The server had it: the caller must not be told it was not sent.
    assert api.sends == 1 and NOT_SENT not in str(failure.value)


async def test_exhausted_pool_times_out_unsent_and_recovers(stub: tuple[Stub, str]) -> None:
    api, url = stub
    api.hold = True
    # A call waits for a free connection and then to open it: 0.2 s + 0.1 s here.
    async with bot_at(url, connections=1, pool_timeout=0.2, connect_timeout=0.1) as bot:
        first = asyncio.create_task(bot.send_message(CHAT, "first"))
        await asyncio.wait_for(api.arrived.wait(), 5)
        with pytest.raises(TimedOut, match="not sent"):
            await bot.send_message(CHAT, "second")
        assert api.sends == 1  # truly not sent
        api.release.set()
        assert (await asyncio.wait_for(first, 5)).text == "first"
        assert (await bot.send_message(CHAT, "third")).text == "third"
    assert api.sends == 2


async def test_upload_arrives_as_multipart_with_name_and_content(stub: tuple[Stub, str]) -> None:
    api, url = stub
    content = "имя,балл\nАня,5\n".encode()
    async with bot_at(url) as bot:
        sent = await bot.send_document(CHAT, InputFile(content, filename="report.csv"), caption="итоги")
    [(content_type, fields)] = api.uploads
    assert content_type.startswith("multipart/form-data")
    assert fields["document"] == ("report.csv", content)
    assert fields["chat_id"] == str(CHAT) and fields["caption"] == "итоги"
    assert sent.document is not None and sent.document.file_name == "report.csv"


async def test_long_poll_gets_its_timeout_on_top_of_read_timeout(stub: tuple[Stub, str]) -> None:
    _, url = stub
    async with bot_at(url, read_timeout=0.2) as bot:
        assert await bot.get_updates(timeout=1) == ()
        with pytest.raises(TimedOut):  # the same hold without a poll timeout is too slow
            await bot.get_updates(timeout=0)


async def test_session_opens_and_closes_with_the_bot(fake: tuple[FakeTelegram, str]) -> None:
    telegram, url = fake
    request = AiohttpRequest(connections=1)
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{url}/bot{TOKEN}/getMe", "POST")
    bot = Bot(TOKEN, base_url=f"{url}/bot", request=request, get_updates_request=AiohttpRequest(connections=1))
    async with bot:
        assert (await bot.get_me()).username == "clc_test_bot"
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{url}/bot{TOKEN}/getMe", "POST")
    async with bot:  # initialize again: a new session
        assert (await bot.send_message(CHAT, "again")).message_id == telegram.last(CHAT).message_id


@pytest.fixture
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No proxy variable, in any case (http, https, all, no), is left from the outer shell."""
    for name in [n for n in os.environ if n.lower().endswith("_proxy")]:
        monkeypatch.delenv(name)
    return monkeypatch


API = "https://api.telegram.org"


@pytest.mark.parametrize("name", ["HTTPS_PROXY", "https_proxy"])
def test_env_proxy_names_the_https_proxy(no_proxy_env: pytest.MonkeyPatch, name: str) -> None:
    no_proxy_env.setenv(name, "http://proxy.example:3128")
    assert env_proxy(API) == "http://proxy.example:3128"
    no_proxy_env.setenv("NO_PROXY", "localhost,other.example")
    assert env_proxy(API) == "http://proxy.example:3128"


@pytest.mark.parametrize("covering", ["api.telegram.org", ".telegram.org", "localhost, telegram.org", "*"])
def test_env_proxy_none_when_no_proxy_covers_the_host(no_proxy_env: pytest.MonkeyPatch, covering: str) -> None:
    no_proxy_env.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    no_proxy_env.setenv("NO_PROXY", covering)
    assert env_proxy(API) is None


def test_env_proxy_none_without_proxy_variables(no_proxy_env: pytest.MonkeyPatch) -> None:
    assert env_proxy(API) is None
    no_proxy_env.setenv("HTTP_PROXY", "http://plain.example:3128")  # for http:// only
    assert env_proxy(API) is None


# httpx, whose behaviour env_proxy follows, reads these two as well.
def test_env_proxy_reads_all_proxy(no_proxy_env: pytest.MonkeyPatch) -> None:
    no_proxy_env.setenv("ALL_PROXY", "http://proxy.example:3128")
    assert env_proxy(API) == "http://proxy.example:3128"


def test_env_proxy_without_scheme_is_usable(no_proxy_env: pytest.MonkeyPatch) -> None:
    no_proxy_env.setenv("HTTPS_PROXY", "proxy.example:3128")
    assert env_proxy(API) == "http://proxy.example:3128"  # httpx: "http://" is assumed


async def test_a_redirect_is_not_followed() -> None:
    """As with httpx: the Bot API never redirects, so a redirect is an error, not a second call."""
    followed: list[str] = []

    async def moved(_request: Request) -> RedirectResponse:
        return RedirectResponse("/elsewhere", status_code=302)

    async def elsewhere(request: Request) -> JSONResponse:
        followed.append(request.url.path)
        return JSONResponse({"ok": True, "result": True})

    app = Starlette(routes=[Route("/bot{token}/{method}", moved, methods=["POST"]),
                            Route("/elsewhere", elsewhere, methods=["GET", "POST"])])
    async with serving(app) as url, bot_at(url) as bot:
        with pytest.raises(NetworkError):
            await bot.send_message(CHAT, "hi")
    assert followed == []


async def test_an_error_quoting_the_url_does_not_carry_the_token() -> None:
    async with bot_at("http://127.0.0.1:not-a-port") as bot:
        with pytest.raises(NetworkError) as failure:
            await bot.send_message(CHAT, "hi")
    assert TOKEN not in str(failure.value)
    assert "/bot<token>/" in str(failure.value)
    assert failure.value.__context__ is None and failure.value.__cause__ is None  # nothing to print


def test_env_proxy_refuses_a_proxy_aiohttp_cannot_use(no_proxy_env: pytest.MonkeyPatch) -> None:
    no_proxy_env.setenv("HTTPS_PROXY", "socks5://proxy.example:1080")
    with pytest.raises(ValueError, match="socks5://"):
        env_proxy(API)


@asynccontextmanager
async def forward_proxy(seen: list[str]) -> AsyncIterator[str]:
    """An HTTP proxy that answers every sendMessage itself, keeping each request line."""
    answer = json.dumps({"ok": True, "result": {"message_id": 9, "date": 0, "text": "via proxy",
                                                "chat": {"id": CHAT, "type": "private"}}}).encode()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        seen.append(head.split(b"\r\n")[0].decode())
        lengths = [line.split(b":")[1] for line in head.lower().split(b"\r\n") if line.startswith(b"content-length:")]
        await reader.readexactly(int(lengths[0]) if lengths else 0)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (len(answer), answer))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    async with server:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"


async def test_calls_go_through_the_proxy_given() -> None:
    seen: list[str] = []
    async with forward_proxy(seen) as proxy, bot_at("http://api.example", proxy=proxy) as bot:
        sent = await bot.send_message(CHAT, "hi")
    assert sent.message_id == 9
    assert seen == [f"POST http://api.example/bot{TOKEN}/sendMessage HTTP/1.1"]  # absolute form: a proxy's


def test_certificates_from_ssl_cert_file_as_httpx_reads_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    assert tls_context().cert_store_stats()["x509_ca"] > 100  # certifi's list
    broken = tmp_path / "ca.pem"
    broken.write_text("not a certificate")
    monkeypatch.setenv("SSL_CERT_FILE", str(broken))
    with pytest.raises(ssl.SSLError):  # the file named is the one read
        tls_context()
