"""The whole needs survey over SMS in Kazakh and in Russian: numbered answers, "1 3" for several,
every answer stored, and each SMS counted in segments."""

from __future__ import annotations

from sqlalchemy import select

from bot.channels.sms_segments import count_segments
from bot.clock import FakeClock
from bot.i18n import Catalogs
from storage.db import Database
from storage.models.sms import SmsMessage
from storage.models.surveys import SurveyAnswer, SurveyRun
from tests.bot.sms_harness import sms_world
from tests.bot.test_survey_transcripts import KAZAKH, RUSSIAN

PHONE = "+77051234567"


async def stored(database: Database) -> tuple[list[str], dict[str, object]]:
    async with database.transaction() as session:
        runs = list((await session.scalars(select(SurveyRun.status))).all())
        rows = await session.execute(select(SurveyAnswer.question_id, SurveyAnswer.value))
        return runs, dict(rows.all())


async def run_survey(database: Database, catalogs: Catalogs, clock: FakeClock, answers: list[str]) -> list[str]:
    async with sms_world(database, catalogs, clock) as world:
        transcript = await world.say(PHONE, "Сәлем")
        for text in answers:
            clock.advance(minutes=1)
            received = await world.say(PHONE, text)
            assert len(received) == 1, (text, received)  # one SMS per answer, in order
            transcript.extend(received)
        for sent in world.fake.sent:
            assert sent.num_segments == count_segments(sent.body).segments
    async with database.transaction() as session:
        segments = list(await session.scalars(select(SmsMessage.segments)))
    assert len(segments) == len(transcript) and all(s >= 1 for s in segments)
    return transcript


async def test_the_needs_survey_over_sms_in_kazakh(database: Database, catalogs: Catalogs, clock: FakeClock) -> None:
    transcript = await run_survey(database, catalogs, clock, [a for a in KAZAKH if a != "/quit"])
    assert "1 Қазақша 2 Русский" in transcript[0]
    assert "\n1/" in transcript[2] and "Нөмірін жіберіңіз." in transcript[2]
    assert any("мысалы: 1 3" in text for text in transcript)
    runs, answers = await stored(database)
    assert runs == ["completed"]
    assert answers == {
        "consent": "yes", "situation": ["unemployed", "farmer"], "gender": "male", "age_group": "age_30_44",
        "settlement": "Ақсу ауылы", "studied_before": "no",
        "interests": ["computer", "kazakh_language", "other"], "interest_other": "Домбыра тарту",
        "hours_per_week": "h3_5", "times": ["mornings", "weekends"], "barriers": ["childcare"],
        "childcare_help": "yes", "contact_channel": "sms", "comment": "Рақмет сіздерге!",
    }


async def test_the_needs_survey_over_sms_in_russian(database: Database, catalogs: Catalogs, clock: FakeClock) -> None:
    transcript = await run_survey(database, catalogs, clock, [a for a in RUSSIAN if a != "/quit"])
    assert "Ответьте номером." in transcript[2]
    assert "\n1/" in transcript[2]
    assert any("например: 1 3" in text for text in transcript)
    runs, answers = await stored(database)
    assert runs == ["completed"]
    assert answers == {
        "consent": "yes", "situation": ["pensioner", "homemaker"], "disability": "no", "gender": "female",
        "age_group": "age_45_59",
        "settlement": "Талдыбулак", "studied_before": "no", "interests": ["sewing", "crafts"],
        "hours_per_week": "h6_10", "times": ["evenings"], "barriers": ["cost", "distance"],
        "contact_channel": "telegram",
    }
