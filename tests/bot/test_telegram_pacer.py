"""The Telegram pacer: python-telegram-bot's real ``ExtBot`` against the fake Bot API with
Telegram's flood limits on (scaled up so the tests are quick). Every assertion is a count or
an order: what arrived, in which order, how many 429s; never how long anything took."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import pytest
from telegram.error import Forbidden, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter, ExtBot
from telegram.request import HTTPXRequest

from bot.channels.telegram_pacer import BACKGROUND, PacerLimits, Priority, TelegramPacer, priority_of
from tests.bot.fakes.server import serving
from tests.bot.fakes.telegram_api import ApiLimits, FakeTelegram


@asynccontextmanager
async def bot_on(fake: FakeTelegram, pacer: BaseRateLimiter[Any] | None) -> AsyncIterator[ExtBot[Any]]:
    """A real ExtBot on the fake server; enough connections that only the pacer holds calls back."""
    async with serving(fake.app()) as url:
        request = HTTPXRequest(connection_pool_size=128, pool_timeout=30)
        bot: ExtBot[Any] = ExtBot(fake.token, base_url=f"{url}/bot", request=request, rate_limiter=pacer)
        async with bot:
            yield bot


async def send_all(bot: ExtBot[Any], sends: Sequence[tuple[int, str]], **kwargs: Any) -> list[object]:
    """Every (chat, text) at once, in this order; results or the errors raised."""
    return list(await asyncio.gather(*(bot.send_message(chat, text, **kwargs) for chat, text in sends),
                                     return_exceptions=True))


class Recorded(TelegramPacer):
    """The pacer, noting which chat each call was for as it lets the call go (the network may
    then reorder calls under way at the same moment, so order is read here, not at the fake)."""

    def __init__(self, limits: PacerLimits) -> None:
        super().__init__(limits)
        self.let_go: list[object] = []
        self.let_go_before_first_pause: int | None = None

    def _pause(self, seconds: float, endpoint: str) -> None:
        if self.let_go_before_first_pause is None:
            self.let_go_before_first_pause = len(self.let_go)
        super()._pause(seconds, endpoint)

    async def process_request(self, callback: Any, args: Any, kwargs: dict[str, Any], endpoint: str,
                              data: dict[str, Any], rate_limit_args: Any) -> Any:
        async def noted(*a: Any, **k: Any) -> Any:
            if "chat_id" in data:
                self.let_go.append(data["chat_id"])
            return await callback(*a, **k)

        return await super().process_request(noted, args, kwargs, endpoint, data, rate_limit_args)


async def test_without_a_pacer_the_fakes_limits_answer_429() -> None:
    """The control: the traffic of the tests below, unpaced, is over the fake's limits."""
    fake = FakeTelegram(limits=ApiLimits(overall_per_second=40, overall_burst=8,
                                         per_chat_per_second=20, per_chat_burst=4))
    async with bot_on(fake, None) as bot:
        one_chat = await send_all(bot, [(1, str(n)) for n in range(8)])
        assert any(isinstance(r, RetryAfter) for r in one_chat)
        many_chats = await send_all(bot, [(100 + n, "hi") for n in range(40)])  # the server's pace: ~150/s
    assert any(isinstance(r, RetryAfter) for r in many_chats)
    assert fake.too_many >= 5


async def test_one_chat_gets_its_burst_then_its_pace_in_order() -> None:
    fake = FakeTelegram(limits=ApiLimits().scaled(5))
    pacer = Recorded(PacerLimits().scaled(5))
    async with bot_on(fake, pacer) as bot:
        asked = [(chat, f"{chat}:{n}") for n in range(8) for chat in (1, 2)]
        results = await send_all(bot, asked)
    assert not [r for r in results if isinstance(r, Exception)]
    assert fake.too_many == 0  # 8 messages each, over the fake's burst of 4: paced
    assert pacer.let_go == [chat for chat, _ in asked]  # in the order asked
    assert sorted(fake.texts(1)) == [f"1:{n}" for n in range(8)]


async def test_a_chat_sent_to_in_sequence_sees_its_messages_in_order() -> None:
    fake = FakeTelegram(limits=ApiLimits().scaled(5))
    async with bot_on(fake, TelegramPacer(PacerLimits().scaled(5))) as bot:
        async def say(chat: int) -> None:
            for n in range(8):
                await bot.send_message(chat, f"{chat}:{n}")

        await asyncio.gather(say(1), say(2))
    assert fake.too_many == 0
    assert fake.texts(1) == [f"1:{n}" for n in range(8)]
    assert fake.texts(2) == [f"2:{n}" for n in range(8)]


async def test_many_chats_share_the_overall_limit() -> None:
    fake = FakeTelegram(limits=ApiLimits(overall_per_second=40, overall_burst=8,
                                         per_chat_per_second=20, per_chat_burst=4))
    pacer = Recorded(PacerLimits(overall_per_second=40, per_chat_per_second=20))
    async with bot_on(fake, pacer) as bot:
        results = await send_all(bot, [(100 + n, f"to {100 + n}") for n in range(40)])
    assert not [r for r in results if isinstance(r, Exception)]
    assert fake.too_many == 0
    assert pacer.let_go == [100 + n for n in range(40)]  # first come, first served
    assert sorted(fake.sends) == [100 + n for n in range(40)]


async def test_a_429_silences_every_chat_and_the_call_is_retried_first() -> None:
    fake = FakeTelegram(limits=ApiLimits().scaled(10))
    pacer = Recorded(PacerLimits(overall_per_second=50, per_chat_per_second=10))
    async with bot_on(fake, pacer) as bot:
        fake.flood(1)  # Telegram is already throttling the bot: retry_after=1 to whoever comes
        results = await send_all(bot, [(100 + n, f"to {100 + n}") for n in range(20)])
    assert not [r for r in results if isinstance(r, Exception)]
    # The first call met the 429 and the channel fell silent: the calls queued behind it did
    # not knock on the closed door one by one. Only calls already under way when it fell silent
    # may have met a 429 too (each lengthening the silence: another pause); how many were
    # under way depends on the machine's speed, so that is what the 429s are held to.
    assert pacer.let_go_before_first_pause is not None
    assert 1 <= pacer.pauses <= fake.too_many <= pacer.let_go_before_first_pause < 20
    refused = pacer.let_go[:fake.too_many]
    assert refused[0] == 100
    assert pacer.let_go[fake.too_many:fake.too_many * 2] == refused  # retried ahead of the others
    assert sorted(fake.texts(100) + [t for n in range(101, 120) for t in fake.texts(n)]) == sorted(
        f"to {100 + n}" for n in range(20))  # each exactly once


class AlwaysThrottled(FakeTelegram):
    """A Bot API that keeps answering 429 however long the bot waits."""

    async def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        return self._error(429, "Too Many Requests: retry after 1", retry_after=1)


async def test_retries_after_429_are_bounded_and_then_the_caller_is_told() -> None:
    fake = AlwaysThrottled()
    async with bot_on(fake, TelegramPacer(PacerLimits(max_retries=1))) as bot:
        with pytest.raises(RetryAfter):
            await bot.send_message(1, "hello")
    assert fake.too_many == 2  # the call and its one retry


async def test_other_errors_reach_the_caller_unchanged_and_at_once() -> None:
    fake = FakeTelegram(blocked={7})
    async with bot_on(fake, TelegramPacer()) as bot:
        with pytest.raises(Forbidden):
            await bot.send_message(7, "hello")
    assert [method for method, _ in fake.calls].count("sendMessage") == 1


async def test_background_calls_yield_to_replies() -> None:
    fake = FakeTelegram(limits=ApiLimits().scaled(5))
    pacer = Recorded(PacerLimits(overall_per_second=20, per_chat_per_second=5))
    async with bot_on(fake, pacer) as bot:
        # The first call takes the free overall slot at once, so the others all wait for the
        # next ones, and the background calls asked before the replies.
        first = bot.send_message(300, "first")
        background = [bot.send_message(chat, "notice", rate_limit_args=BACKGROUND) for chat in (7, 101, 102, 103)]
        replies = [bot.send_message(chat, "answer") for chat in (7, 201, 202, 203)]
        results = await asyncio.gather(first, *background, *replies)
    assert len(results) == 9
    assert fake.too_many == 0
    assert pacer.let_go == [300, 7, 201, 202, 203, 7, 101, 102, 103]
    assert sorted(fake.texts(7)) == ["answer", "notice"]


async def test_a_reply_waiting_for_its_chat_does_not_hold_background_calls_to_others() -> None:
    # The fake lets a chat have one message each 200 ms; the pacer keeps 500 ms (slack for jitter).
    fake = FakeTelegram(limits=ApiLimits(per_chat_per_second=5, per_chat_burst=1))
    pacer = Recorded(PacerLimits(per_chat_per_second=2, per_chat_burst=1))
    async with bot_on(fake, pacer) as bot:
        await bot.send_message(7, "first")  # chat 7 must now wait its pace
        await asyncio.gather(bot.send_message(7, "second"),
                             bot.send_message(8, "notice", rate_limit_args=BACKGROUND))
    assert fake.too_many == 0
    assert pacer.let_go == [7, 8, 7]


async def test_idle_chats_are_forgotten_and_busy_ones_keep_their_pace() -> None:
    # One message per chat each 400 ms for the pacer; the fake allows one each 200 ms.
    fake = FakeTelegram(limits=ApiLimits(per_chat_per_second=5, per_chat_burst=1))
    pacer = TelegramPacer(PacerLimits(per_chat_per_second=2.5, per_chat_burst=1, forget_above=5))
    async with bot_on(fake, pacer) as bot:
        await bot.send_message(1, "one")
        for chat in range(100, 104):
            await bot.send_message(chat, "hi")  # idle again once their 400 ms have passed
        await bot.send_message(1, "two")  # paced: 400 ms after "one"
        await bot.send_message(1, "three")  # 800 ms after: the four are idle, chat 1 is not
        assert pacer.tracked_chats == 5
        await bot.send_message(104, "hi")  # a sixth chat: the idle four are forgotten
        assert pacer.tracked_chats == 2
        await bot.send_message(1, "four")  # still paced: the fake would answer 429 otherwise
    assert fake.too_many == 0
    assert fake.texts(1) == ["one", "two", "three", "four"]


async def test_many_chats_over_time_keep_the_table_small() -> None:
    fake = FakeTelegram()
    pacer = TelegramPacer(PacerLimits(overall_per_second=10_000, per_chat_per_second=1_000_000,
                                      forget_above=10))
    async with bot_on(fake, pacer) as bot:
        for chat in range(1, 61):
            await bot.send_message(chat, "hi")
            assert pacer.tracked_chats <= 10 + 1
    assert len(fake.messages) == 60


async def test_calls_still_waiting_at_shutdown_fail_as_network_errors() -> None:
    fake = FakeTelegram()
    pacer = TelegramPacer(PacerLimits(overall_per_second=0.5))
    async with bot_on(fake, pacer) as bot:
        sends = asyncio.gather(*(bot.send_message(chat, "hi") for chat in (1, 2, 3)), return_exceptions=True)
        await fake.wait_for(lambda: len(fake.messages) == 1)
        await pacer.shutdown()
        results = await sends
    assert [type(r) for r in results[1:]] == [NetworkError, NetworkError]
    assert len(fake.messages) == 1


def test_priority_comes_from_rate_limit_args() -> None:
    assert priority_of(None) is Priority.REPLY
    assert priority_of({}) is Priority.REPLY
    assert priority_of(BACKGROUND) is Priority.BACKGROUND
    assert priority_of({"priority": "background"}) is Priority.BACKGROUND
    with pytest.raises(ValueError, match="urgent"):
        priority_of({"priority": "urgent"})


def test_limits_are_checked_and_scale_the_rates_only() -> None:
    assert PacerLimits().scaled(10) == PacerLimits(overall_per_second=300, per_chat_per_second=10)
    with pytest.raises(ValueError):
        PacerLimits(per_chat_burst=0)
    with pytest.raises(ValueError):
        PacerLimits(overall_per_second=0)


async def test_a_call_nobody_waits_before_goes_at_once_without_the_pump() -> None:
    """The common case of a quiet bot: no hand-off through the pump (two trips through the
    event loop a call); the limits still hold for what comes after (the tests above)."""
    fake = FakeTelegram()
    pacer = TelegramPacer(PacerLimits().scaled(1000))  # an overall slot free again within 33 µs
    async with bot_on(fake, pacer) as bot:
        await bot.send_message(7, "hello")
        await bot.send_message(8, "hello")
        assert pacer._pump is None
    assert fake.texts(7) == ["hello"] and fake.texts(8) == ["hello"]
