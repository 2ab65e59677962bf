"""Webhook mode: the secret header guards it; two processes on one database share the work."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bot.channels.telegram import SECRET_HEADER, webhook_secret
from bot.clock import FakeClock
from bot.http import create_app
from bot.i18n import Catalogs
from storage.db import Database
from storage.models import Contact, InboundMessage
from tests.bot.fakes.telegram_api import FakeTelegram
from tests.bot.telegram_harness import ObservedChannel, running_bot

WEBHOOK = "https://clc.example.org/tg/hook"


def update(update_id: int, user_id: int, text: str) -> dict[str, Any]:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "chat": {"id": user_id, "type": "private"},
        "from": {"id": user_id, "is_bot": False, "first_name": "A", "language_code": "ru"}, "text": text}}


async def post(channel: ObservedChannel, body: Any, secret: str | None) -> httpx.Response:
    app = create_app(channel.routes)
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as client:
        # As Telegram sends it: JSON with non-ASCII escaped (a lone surrogate can only come so).
        return await client.post("/tg/hook", content=json.dumps(body).encode(),
                                 headers={**headers, "Content-Type": "application/json"})


async def test_webhook_is_set_with_a_secret_and_serves_updates(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    fake = FakeTelegram()
    async with running_bot(fake, database, catalogs, clock, webhook_url=WEBHOOK) as channel:
        assert fake.webhook["url"] == WEBHOOK
        assert fake.webhook["secret_token"] == webhook_secret(fake.token)
        assert not any(method == "getUpdates" for method, _ in fake.calls)
        response = await post(channel, update(1, 700, "/start"), webhook_secret(fake.token))
        assert response.status_code == 200
        assert fake.texts(700)[0].startswith("Здравствуйте! Выберите язык.")


@pytest.mark.parametrize("secret", [None, "wrong", ""])
async def test_a_request_without_the_right_secret_is_refused_and_not_processed(
    secret: str | None, database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    fake = FakeTelegram()
    async with running_bot(fake, database, catalogs, clock, webhook_url=WEBHOOK) as channel:
        response = await post(channel, update(1, 701, "/start"), secret)
        assert response.status_code == 403
    assert fake.chat(701) == []
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(InboundMessage)) == 0


async def test_an_unreadable_body_with_the_right_secret_is_acknowledged(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    fake = FakeTelegram()
    async with running_bot(fake, database, catalogs, clock, webhook_url=WEBHOOK) as channel:
        app = create_app(channel.routes)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x") as client:
            response = await client.post("/tg/hook", content=b"{not json",
                                         headers={SECRET_HEADER: webhook_secret(fake.token)})
        assert response.status_code == 200  # a non-2xx would make Telegram retry it forever


async def test_two_processes_behind_a_load_balancer_keep_one_conversation_whole(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    if database.is_sqlite:
        pytest.skip("several processes share PostgreSQL, not SQLite")
    other = Database.from_url(
        database.engine.url.render_as_string(hide_password=False),
        connect_args={"server_settings": {"search_path": await _search_path(database)}},
    )
    fake = FakeTelegram()
    try:
        async with running_bot(fake, database, catalogs, clock, webhook_url=WEBHOOK) as first, \
                running_bot(fake, other, catalogs, clock, webhook_url=WEBHOOK) as second:
            secret = webhook_secret(fake.token)
            await post(first, update(1, 702, "/start"), secret)
            await post(second, update(2, 702, "2"), secret)
            # the same person answering fast, their updates split across both processes
            texts = ["тіл", "1", "меню", "тіл", "2", "меню"]
            await asyncio.gather(*(post((first, second)[n % 2], update(3 + n, 702, t), secret)
                                   for n, t in enumerate(texts[:2])))
            for n, text in enumerate(texts[2:], start=5):
                await post((first, second)[n % 2], update(n, 702, text), secret)
            await post(first, update(5, 702, "меню"), secret)  # a redelivery to the other process
    finally:
        await other.dispose()
    async with database.transaction() as session:
        contacts = (await session.scalars(select(Contact))).all()
        inbound = await session.scalar(select(func.count()).select_from(InboundMessage))
    assert len(contacts) == 1 and contacts[0].language == "ru"
    assert inbound == 8
    assert fake.texts(702)[-1] == "Главное меню. Что вы хотите сделать?"


async def _search_path(database: Database) -> str:
    async with database.engine.connect() as connection:
        return str((await connection.exec_driver_sql("SHOW search_path")).scalar())


def odd_update(update_id: int, user_id: int, **message: Any) -> dict[str, Any]:
    body = update(update_id, user_id, "")
    body["message"].pop("text")
    body["message"].update(message)
    return body


@pytest.mark.parametrize("body", [
    odd_update(11, 710, text=12345),                 # a number where Telegram sends a string
    odd_update(12, 711, text="\ud800 сәлем"),          # a lone surrogate, through a JSON escape
    odd_update(13, 712, caption=["a list"]),          # a caption that is not a string
    odd_update(14, 713, text=None),
], ids=["number", "surrogate", "list-caption", "null"])
async def test_an_update_of_an_odd_shape_is_answered_like_any_message_never_with_an_error(
    body: dict[str, Any], database: Database, catalogs: Catalogs, clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    user_id = body["message"]["chat"]["id"]
    fake = FakeTelegram()
    async with running_bot(fake, database, catalogs, clock, webhook_url=WEBHOOK) as channel:
        response = await post(channel, body, webhook_secret(fake.token))
        assert response.status_code == 200
    (greeting,) = fake.texts(user_id)  # the language question, as for any first message
    assert "Выберите язык" in greeting
    assert not [record for record in caplog.records if record.levelname in ("ERROR", "CRITICAL")]
    async with database.transaction() as session:
        stored = (await session.scalars(select(InboundMessage.text))).all()
    assert len(stored) == 1 and "\ud800" not in (stored[0] or "")


async def test_a_body_that_is_not_an_update_object_is_acknowledged_and_ignored(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    fake = FakeTelegram()
    async with running_bot(fake, database, catalogs, clock, webhook_url=WEBHOOK) as channel:
        for body in ([1, 2, 3], "text", 42, {"update_id": "x"}):
            assert (await post(channel, body, webhook_secret(fake.token))).status_code == 200
    assert not [m for m, _ in fake.calls if m == "sendMessage"]
