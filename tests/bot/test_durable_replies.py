"""Nothing accepted is lost when the process dies between two of its steps (issue 13 §1-2).

A kill is played in-process: the step commits, then delivery raises ``ProcessKilled`` (a
``BaseException``, which nothing in the bot catches), leaving the database exactly as a SIGKILL
after the commit would; then a new channel starts on the same database, as a restarted process.
``test_kill_process.py`` does the same with real SIGKILLs.
"""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from bot.channels.telegram import SECRET_HEADER, webhook_secret
from bot.clock import FakeClock
from bot.dispatcher import Dispatcher
from bot.http import create_app
from bot.i18n import Catalogs
from flows.events import Inbound
from storage.db import Database
from storage.models import InboundMessage, OutboxMessage
from storage.models.surveys import SurveyAnswer
from tests.bot.fakes.telegram_api import FakeTelegram
from tests.bot.kills import ProcessKilled, dies
from tests.bot.telegram_harness import ObservedChannel, Villager, running_bot
from tests.built import FEATURES

WEBHOOK = "https://clc.example.org/tg/hook"
LANGUAGE_QUESTION = "Сәлеметсіз бе! Тілді таңдаңыз."
DISABILITY = "Есть ли у вас инвалидность?"



async def killed_after_commit(database: Database, clock: FakeClock, user_id: int, text: str, update_id: int) -> None:
    dispatcher = Dispatcher(database, FEATURES, clock=clock)
    event = Inbound("telegram", f"telegram:{user_id}", text=text, language_hint="ru")
    try:
        await dispatcher.handle(event, provider_id=str(update_id), deliver=dies)
    except ProcessKilled:
        return
    raise AssertionError("delivery was not reached")


async def post(channel: ObservedChannel, body: dict[str, object]) -> httpx.Response:
    app = create_app(channel.routes)
    headers = {SECRET_HEADER: webhook_secret(channel.app.bot.token)}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as client:
        return await client.post("/tg/hook", json=body, headers=headers)


def telegram_update(update_id: int, user_id: int, text: str) -> dict[str, object]:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "chat": {"id": user_id, "type": "private"},
        "from": {"id": user_id, "is_bot": False, "first_name": "A", "language_code": "ru"}, "text": text}}


async def count(database: Database, model: type[object], *where: object) -> int:
    async with database.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_a_redelivered_update_sends_the_reply_a_killed_process_never_sent(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    await killed_after_commit(database, clock, 900, "/start", update_id=41)
    fake = FakeTelegram()
    async with running_bot(fake, database, catalogs, clock, webhook_url=WEBHOOK) as channel:
        assert fake.texts(900) == []  # a webhook process does not take over replies others may hold
        response = await post(channel, telegram_update(41, 900, "/start"))  # Telegram: no 2xx came
        assert response.status_code == 200
        assert [LANGUAGE_QUESTION in text for text in fake.texts(900)] == [True]
        await post(channel, telegram_update(41, 900, "/start"))  # and once more: nothing owed now
    assert len(fake.texts(900)) == 1
    assert await count(database, InboundMessage) == 1
    assert await count(database, OutboxMessage, OutboxMessage.status == "sent") == 1


async def test_a_retyped_answer_after_a_lost_reply_is_not_applied_to_the_question_never_seen(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    """The issue's villager: «1» answered «what do you do?», the process died before «do you
    have a disability?» went out, they typed «1» again. That «1» must not become an answer to
    a question they never saw: they get the question, and their next «1» is not stored."""
    fake = FakeTelegram()
    async with running_bot(fake, database, catalogs, clock) as channel:
        villager = Villager(fake, channel, 901)
        await villager.at_the_survey_after_consent()
    await killed_after_commit(database, clock, 901, "1", update_id=9_001)
    clock.advance(seconds=5)
    async with running_bot(fake, database, catalogs, clock) as channel:  # restarted, polling
        villager = Villager(fake, channel, 901)
        shown = await villager.says("1")
        assert shown[0].text == (
            "Похоже, моё последнее сообщение до вас не дошло. Вот оно ещё раз:")
        assert [DISABILITY in message.text for message in shown] == [False, True]
        async with database.transaction() as session:
            answers = dict((await session.execute(select(SurveyAnswer.question_id, SurveyAnswer.value))).all())
        assert answers == {"consent": "yes", "situation": ["unemployed"]}
        await villager.says("2")  # now they answer what they read
    async with database.transaction() as session:
        disability = await session.scalar(select(SurveyAnswer.value).where(SurveyAnswer.question_id == "disability"))
    assert disability == "no"


async def test_a_recorded_update_the_process_died_before_handling_is_handled_after_restart(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    """Polling: the batch was recorded, its offset confirmed, and the process died before the
    handler ran. Telegram will not send it again; the restarted process handles it once."""
    recorded = Dispatcher(database, FEATURES, clock=clock)
    await recorded.record([(Inbound("telegram", "telegram:902", text="/start", language_hint="kk"), "7001")])
    fake = FakeTelegram()
    async with running_bot(fake, database, catalogs, clock):
        await fake.wait_for(lambda: bool(fake.chat(902)))
    assert [LANGUAGE_QUESTION in text for text in fake.texts(902)] == [True]
    async with running_bot(fake, database, catalogs, clock):  # and a second restart: nothing again
        await fake.wait_for(lambda: any(method == "getUpdates" for method, _ in fake.calls))
    assert len(fake.texts(902)) == 1
    assert await count(database, InboundMessage, InboundMessage.handled_at.is_(None)) == 0
