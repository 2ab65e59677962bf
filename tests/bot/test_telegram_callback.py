"""A button press is answered beside the step's replies (``bot.channels.telegram_callback``):
the spinner on the button stops without waiting for the next question to be sent."""

from __future__ import annotations

from bot.clock import FakeClock
from bot.i18n import Catalogs
from storage.db import Database
from tests.bot.fakes.telegram_api import FakeTelegram
from tests.bot.telegram_harness import Villager, running_bot


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
