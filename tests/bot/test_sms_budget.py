"""What a centre pays for SMS: the whole needs survey, over the real SMS adapter (signed webhooks in,
the twilio client out to the fake Twilio), counted in segments from what the fake Twilio received,
in Kazakh and Russian, in Cyrillic (no transliteration). The course messages and notices:
``tests/bot/test_sms_course_budget.py``.

Budget: at most 2 segments per SMS (a question may allow more with ``sms_budget:`` in the
questionnaire: the 13 interests cannot be said in 2), at most 25 for a whole completed survey.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from admin_cli import app
from bot.channels.sms_budget import DEFAULT_BUDGET
from bot.channels.sms_segments import count_segments
from bot.clock import FakeClock
from bot.features.surveys import shipped_default as shipped_needs
from bot.i18n import Catalogs
from storage.db import Database
from tests.bot.sms_harness import SmsWorld, sms_world

PHONE = "+77051234567"
SURVEY_BUDGET = 25
# The longest way through the survey: every condition true, every optional question answered.
WALKS = {
    "kk": ["иә", "1 3", "2", "ер", "3", "Ақсу ауылы", "жоқ", "1 3 13", "Домбыра тарту", "2", "1 4", "3", "иә", "2",
           "Рақмет сіздерге!"],
    "ru": ["да", "5 7", "нет", "1", "4", "Талдыбулак", "да", "4 9 13", "Вышивка", "3", "3", "3 4", "да", "1",
           "Спасибо!"],
}
ASKED = ["consent", "situation", "disability", "gender", "age_group", "settlement", "studied_before", "interests",
         "interest_other", "hours_per_week", "times", "barriers", "childcare_help", "contact_channel", "comment",
         None]  # None: the thanks (with the main menu)
LANGUAGE = {"kk": "1", "ru": "2"}


def sent_to(world: SmsWorld, phone: str, start: int) -> list[tuple[str, int]]:
    """(body, segments) of each SMS the fake Twilio received for ``phone`` since ``start``."""
    bodies = [sent for sent in world.fake.sent[start:] if sent.to == phone]
    for sent in bodies:  # what Twilio bills is what we count
        assert sent.num_segments == count_segments(sent.body).segments
    return [(sent.body, count_segments(sent.body).segments) for sent in bodies]


async def walk_survey(world: SmsWorld, clock: FakeClock, language: str) -> list[tuple[str, int]]:
    await world.say(PHONE, "сәлем")
    await world.say(PHONE, LANGUAGE[language])
    start = len(world.fake.sent)
    assert await world.say(PHONE, "1")  # the menu's first item: the needs survey
    for answer in WALKS[language]:
        clock.advance(minutes=1)
        assert len(await world.say(PHONE, answer)) == 1, answer  # one SMS per answer
    return sent_to(world, PHONE, start)


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_the_needs_survey_costs_at_most_25_segments_and_2_per_message(
    database: Database, catalogs: Catalogs, clock: FakeClock, language: str
) -> None:
    form = shipped_needs()
    async with sms_world(database, catalogs, clock) as world:
        sent = await walk_survey(world, clock, language)
    assert len(sent) == len(ASKED)
    for (body, segments), question in zip(sent, ASKED, strict=True):
        allowed = (form.question(question).sms_budget if question else None) or DEFAULT_BUDGET
        assert segments <= allowed, f"{question}: {segments} segments\n{body}"
        assert count_segments(body).encoding == "UCS-2" and any("\u0400" <= ch <= "\u04ff" for ch in body)
    total = sum(segments for _, segments in sent)
    assert total <= SURVEY_BUDGET, "\n---\n".join(f"[{s}] {b}" for b, s in sent)
    over_two = [question for (_, segments), question in zip(sent, ASKED, strict=True) if segments > 2]
    assert over_two == ["interests"]


async def test_every_choice_of_the_survey_is_still_offered_over_sms(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    form = shipped_needs()
    async with sms_world(database, catalogs, clock) as world:
        sent = await walk_survey(world, clock, "ru")
    for (body, _), question in zip(sent, ASKED, strict=True):
        if question is None or form.question(question).type not in ("single", "multi"):
            continue
        count = len(form.choices_of(form.question(question)))
        assert all(f"{n} " in body or f"{n}. " in body for n in range(1, count + 1)), body


async def test_how_to_answer_is_said_at_the_first_question_of_each_kind_only(
    database: Database, catalogs: Catalogs, clock: FakeClock
) -> None:
    async with sms_world(database, catalogs, clock) as world:
        sent = [body for body, _ in await walk_survey(world, clock, "kk")]
    one = [ASKED[n] for n, body in enumerate(sent) if "Нөмірін жіберіңіз." in body]
    several = [ASKED[n] for n, body in enumerate(sent) if "Нөмірлерін жіберіңіз, мысалы: 1 3" in body]
    assert one == ["consent"]  # the first question; SMS's main menu never says it (its lines are numbered)
    assert several == ["situation"]
    assert "1 Иә 2 Жоқ" in sent[0] and "4/~15\nЖынысыңыз қандай?\n1 Әйел 2 Ер" in sent[3]


@pytest.mark.parametrize(("language", "more", "full", "again"), [
    ("kk", "толығырақ", "Жауаптарыңызды тек орталық қызметкерлері көреді.", "«артқа» — алдыңғы сұрақ"),
    ("ru", "Подробнее", "Ваши ответы видят только сотрудники центра.", "«назад» — предыдущий вопрос"),
])
async def test_more_sends_the_full_consent_then_the_question_again(
    database: Database, catalogs: Catalogs, clock: FakeClock, language: str, more: str, full: str, again: str
) -> None:
    async with sms_world(database, catalogs, clock) as world:
        await world.say(PHONE, "сәлем")
        await world.say(PHONE, LANGUAGE[language])
        [short] = await world.say(PHONE, "1")
        assert full not in short and f"«{more.lower()}»" in short
        [answer] = await world.say(PHONE, more)
        assert full in answer and again in answer
        yes_no = "1 Иә 2 Жоқ" if language == "kk" else "1 Да 2 Нет"
        assert answer.index(full) < answer.rindex("\n1/") < answer.rindex(yes_no)
        [second] = await world.say(PHONE, "1")
        assert second.startswith("2/")  # the consent was answered as usual


NEEDS = Path(__file__).resolve().parents[2] / "flows" / "questionnaires" / "needs.yaml"
cli = CliRunner()


def test_validate_reports_each_questions_sms_segments_in_kazakh_and_russian() -> None:
    result = cli.invoke(app, ["questionnaire", "validate", str(NEEDS)])
    assert result.exit_code == 0, result.output
    assert "  consent: SMS kk 2 (" in result.output and "ru 2 (" in result.output
    assert "  gender: SMS kk 1 (" in result.output
    assert "  interests: SMS kk 3 (" in result.output and "budget 3: ok" in result.output  # its own sms_budget
    assert "OVER BUDGET" not in result.output


def test_validate_fails_a_question_over_the_budget(tmp_path: Path) -> None:
    strict = cli.invoke(app, ["questionnaire", "validate", str(NEEDS), "--sms-budget", "1"])
    assert strict.exit_code == 1
    assert "  consent: SMS kk 2 (" in strict.output and "budget 1: OVER BUDGET" in strict.output
    assert "questions over the SMS budget" in strict.output
    # Without its sms: text, the consent is about 510 characters: 8 segments in Kazakh.
    long = tmp_path / "long.yaml"
    text = NEEDS.read_text(encoding="utf-8")
    start = text.index("      # The essentials;")
    long.write_text(text[:start] + text[text.index("    end_if: consent = 'no'"):], encoding="utf-8")
    result = cli.invoke(app, ["questionnaire", "validate", str(long)])
    assert result.exit_code == 1
    assert re.search(r"  consent: SMS kk 8 .*OVER BUDGET", result.output), result.output
    assert "1 question over the SMS budget" in result.output
