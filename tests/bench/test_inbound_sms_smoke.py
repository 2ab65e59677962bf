"""The inbound SMS benchmark, small (issue 18, benchmark 1): the bot as its own process, three
villagers walking the needs survey by signed Twilio webhooks, the replies read from the fake
Twilio API; then the bare TwiML endpoint. Counts only, never a time."""

from __future__ import annotations

from pathlib import Path

from bench.inbound_sms import measure_bot, measure_echo

VILLAGERS = 3


async def test_three_villagers_finish_the_survey_by_sms_and_every_action_is_answered(
    sqlite_url: str, tmp_path: Path
) -> None:
    bot = await measure_bot(VILLAGERS, "sqlite", sqlite_url, tmp_path)
    assert bot.unanswered == 0, bot.stuck
    assert bot.finished == VILLAGERS, bot.stuck
    assert bot.actions >= VILLAGERS * 16  # hello, the language, the menu's survey, 13 answers each
    bare = await measure_echo(VILLAGERS, "sqlite", 4, tmp_path)
    assert (bare.actions, bare.unanswered) == (VILLAGERS * 4, 0), bare.stuck
