"""python-telegram-bot's requests to the Bot API, sent with aiohttp instead of httpx.

python-telegram-bot lets an application bring its own ``BaseRequest``. Its default, httpx over
httpcore, cost 1.1-1.9 ms of CPU a Bot API call on the 2-core machine with 5 to 30 calls in
flight (httpcore looks at every pooled connection, and every queued request, for each call:
encode/httpcore#1035); this one, on aiohttp (whose HTTP parser is compiled), 0.26-0.29 ms
(issue 18, BENCHMARKS.md). A villager's action makes one or two calls, so this was a fifth
of the bot's CPU.

Behaviour is python-telegram-bot's own: requests are url-encoded forms (multipart when a file
is uploaded), certificates are checked as httpx checks them (``tls_context``), and failures raise
its ``TimedOut`` and ``NetworkError``, so the pacer, the retries and the outbox see no
difference. Timeouts, as aiohttp can express them: a call waits ``pool_timeout`` for a free
connection plus ``connect_timeout`` to open one, then ``read_timeout`` between bytes of the
answer; an upload (aiohttp has no write timeout) is bounded as a whole, by all of them plus
the media timeout.
"""

from __future__ import annotations

import os
import re
import ssl
import urllib.request
from urllib.parse import urlsplit

import aiohttp
import certifi
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.request import BaseRequest, RequestData

TOKEN_IN_URL = re.compile(r"/bot[^/\s]+/")
# aiohttp raises the same error whether no pooled connection came free or a new one did not
# connect in time; either way the request was not sent.
NOT_SENT = "no connection to the Bot API could be had in time; the request was not sent"
PROXY_SCHEMES = ("http", "https")


class AiohttpRequest(BaseRequest):
    """One pool of ``connections`` Bot API connections; the session opens in ``initialize``
    (python-telegram-bot calls it inside the running loop) and closes in ``shutdown``."""

    def __init__(
        self, *, connections: int, read_timeout: float | None = 5.0, connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0, media_timeout: float | None = 20.0, proxy: str | None = None,
    ) -> None:
        if connections < 1:
            raise ValueError(f"connections must be at least 1, not {connections}")
        self._connections, self._proxy = connections, proxy
        self._read, self._connect, self._pool = read_timeout, connect_timeout, pool_timeout
        self._media = media_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            # Not trust_env: aiohttp would then read the proxy variables (and ~/.netrc) at every
            # request, which doubled its cost; ``env_proxy`` reads them once.
            connector = aiohttp.TCPConnector(limit=self._connections, ssl=tls_context())
            self._session = aiohttp.ClientSession(connector=connector, proxy=self._proxy)

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        read = self._read if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = self._connect if isinstance(connect_timeout, DefaultValue) else connect_timeout
        pool = self._pool if isinstance(pool_timeout, DefaultValue) else pool_timeout
        total = None
        if request_data is not None and request_data.contains_files:
            write = self._media if isinstance(write_timeout, DefaultValue) else write_timeout
            total = _sum(pool, connect, write, read)
        timeout = aiohttp.ClientTimeout(total=total, connect=_sum(pool, connect), sock_connect=connect,
                                        sock_read=read)
        # Raised after the except clauses, not in them: aiohttp's own errors may quote the URL,
        # which carries the bot's token, and an error raised inside one keeps it as context.
        failure: TelegramError
        try:
            async with self._session.request(
                method, url, data=_body(request_data), headers={"User-Agent": self.USER_AGENT},
                timeout=timeout, allow_redirects=False,  # as httpx: the Bot API never redirects
            ) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError:
            failure = TimedOut(NOT_SENT)
        except TimeoutError:
            failure = TimedOut("the Bot API did not answer in time")
        except aiohttp.ClientError as exc:
            detail = TOKEN_IN_URL.sub("/bot<token>/", str(exc))
            failure = NetworkError(f"aiohttp.{type(exc).__name__}: {detail}")
        raise failure


def tls_context() -> ssl.SSLContext:
    """Certificates as httpx checks them: ``SSL_CERT_FILE`` or ``SSL_CERT_DIR`` when set (a
    proxy that inspects TLS brings its own authority), otherwise certifi's list."""
    cert_file, cert_dir = os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")
    if cert_file and os.path.isfile(cert_file):
        return ssl.create_default_context(cafile=cert_file)
    if cert_dir and os.path.isdir(cert_dir):
        return ssl.create_default_context(capath=cert_dir)
    return ssl.create_default_context(cafile=certifi.where())


def _sum(*timeouts: float | None) -> float | None:
    """Timeouts one after another: no limit when any of them has none."""
    return None if any(part is None for part in timeouts) else sum(part for part in timeouts if part)


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    if request_data is None:
        return None
    fields = request_data.json_parameters
    if not request_data.contains_files:
        return fields or None
    form = aiohttp.FormData(fields)
    for name, (filename, content, mimetype) in (request_data.multipart_data or {}).items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form


def env_proxy(url: str) -> str | None:
    """The proxy the environment names for ``url`` (``HTTPS_PROXY``, ``NO_PROXY`` and the like),
    as httpx, python-telegram-bot's default client, would use it; None for none. A proxy of
    another kind (``socks5://``) raises ``ValueError``: aiohttp cannot use it."""
    parts = urlsplit(url)
    if parts.hostname is None or urllib.request.proxy_bypass(parts.hostname):
        return None
    proxies = urllib.request.getproxies()
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy:
        return None
    proxy = proxy if "://" in proxy else f"http://{proxy}"  # «host:3128», as httpx reads it
    if urlsplit(proxy).scheme not in PROXY_SCHEMES:
        raise ValueError(f"the proxy for the Bot API must be http:// or https://, not {proxy.split('://')[0]}://")
    return proxy
