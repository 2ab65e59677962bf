"""A button press is answered beside the step's replies by polling, and in the webhook's HTTP
response by webhook (``bot.channels.telegram_callback``)."""

from __future__ import annotations

from typing import Any

import httpx

from bot.channels.telegram import SECRET_HEADER, webhook_secret
from bot.clock import FakeClock
from bot.http import create_app
from bot.i18n import Catalogs
from storage.db import Database
from tests.bot.fakes.telegram_api import FakeTelegram
from tests.bot.telegram_harness import Villager, running_bot

WEBHOOK = "https://clc.example.org/tg/hook"


async def test_the_press_is_answered_while_the_question_is_edited_and_the_next_one_sent(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    fake = FakeTelegram()
    async with running_bot(fake, database, catalogs, clock) as channel:
        villager = Villager(fake, channel, 611, language="ru")
        await villager.at_the_survey_after_consent()
        question = villager.keyboard_message()
        # From here the fake holds each edit and new message until the press has its answer.
        fake.held_for_answer = {"editMessageText", "sendMessage"}
        assert await villager.presses("Ищу работу", question) == []  # the question edited in place
        assert "Ищу работу ✓" in [label for label, _ in fake.messages[question.message_id].buttons()]
        after = await villager.presses("Готово", fake.messages[question.message_id])
        assert after and "Вопрос 3 " in after[0].text  # the next question, as a new message
    assert fake.waited_for_answer == 0
    assert len(fake.callback_answers) >= 2


async def test_a_notice_still_rides_on_the_answer(database: Database, catalogs: Catalogs, clock: FakeClock) -> None:
    """A press on a question already answered gets its notice on the button, as before, and
    what follows is not held back by it."""
    fake = FakeTelegram()
    async with running_bot(fake, database, catalogs, clock) as channel:
        villager = Villager(fake, channel, 612, language="ru")
        await villager.at_the_survey_after_consent()
        question = villager.keyboard_message()
        await villager.presses("Ищу работу", question)
        await villager.presses("Готово", fake.messages[question.message_id])
        fake.held_for_answer = {"editMessageText", "sendMessage"}
        await villager.presses("На пенсии", fake.messages[question.message_id])  # the old question
    notices = [answer.get("text") for answer in fake.callback_answers if answer.get("text")]
    assert notices, "the stale press is told why nothing changed"
    assert fake.waited_for_answer == 0


async def test_by_webhook_the_press_is_answered_in_the_http_response(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    """Telegram takes one Bot API call in the response to its webhook request: the callback's
    answer goes there, and the bot makes one call fewer for each press."""
    fake = FakeTelegram()
    async with running_bot(fake, database, catalogs, clock, webhook_url=WEBHOOK) as channel:
        app = create_app(channel.routes)
        headers = {SECRET_HEADER: webhook_secret(fake.token)}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as client:

            async def telegram_sends(update: dict[str, Any]) -> None:
                fake.updates.remove(update)  # delivered by webhook, not polled
                response = await client.post("/tg/hook", json=update, headers=headers)
                assert response.status_code == 200
                await fake.webhook_answered(response.status_code, response.headers.get("content-type", ""),
                                            response.content)

            await telegram_sends(fake.user_sends(620, "/start"))
            question = fake.last(620)
            assert question.buttons(), question.text
            await telegram_sends(fake.user_presses(620, question, question.buttons()[-1][1]))
            await telegram_sends(fake.user_presses(620, question, question.buttons()[-1][1]))  # pressed again
            assert fake.in_webhook_responses == 2 and len(fake.callback_answers) == 2  # both, in the responses
            # A button that is not ours is answered by a call of its own; the response is empty.
            await telegram_sends(fake.user_presses(620, question, "not-a-button-of-ours"))
    answers = [params for method, params in fake.calls if method == "answerCallbackQuery"]
    assert len(answers) == 3 and fake.in_webhook_responses == 2
    assert len(fake.callback_answers) == 3
    assert len(fake.texts(620)) >= 2  # the press was acted on: what follows the language
