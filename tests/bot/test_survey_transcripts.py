"""The whole needs survey through the terminal simulator as a subprocess, compared to golden
transcripts (``>`` the villager, ``<`` the bot) in Kazakh and Russian, and a crash mid-survey.

Set ``CLC_UPDATE_GOLDEN=1`` to rewrite the golden files after an intended wording change, then
read the diff before committing it.
"""

from __future__ import annotations

import asyncio
import os
import queue
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models.surveys import SurveyAnswer, SurveyRun
from tests.bot.test_simulator_process import BIN, simulate

GOLDEN = Path(__file__).resolve().parent / "golden"

KAZAKH = [
    "1", "1", "иә", "1 3", "өткізу", "ер", "жетпіс", "3", "Ақсу", "артқа", "Ақсу ауылы", "жоқ", "1, 3 13",
    "Домбыра тарту", "2", "1;4", "3", "иә", "2", "Рақмет сіздерге!", "/quit",
]
RUSSIAN = [
    "2", "1", "да", "5;7", "нет", "три", "женский", "4", "Талдыбулак", "да", "назад", "нет", "4 9", "3", "3",
    "1 2", "1", "пропустить", "/quit",
]


def stored(database_url: str) -> tuple[list[str], dict[str, object]]:
    async def read() -> tuple[list[str], dict[str, object]]:
        db = Database.from_url(database_url)
        try:
            async with db.transaction() as session:
                runs = list((await session.scalars(select(SurveyRun.status).order_by(SurveyRun.id))).all())
                rows = await session.execute(select(SurveyAnswer.question_id, SurveyAnswer.value))
                return runs, dict(rows.all())
        finally:
            await db.dispose()

    return asyncio.run(read())


def check_golden(name: str, transcript: str) -> None:
    path = GOLDEN / name
    if os.environ.get("CLC_UPDATE_GOLDEN"):
        path.write_text(transcript, encoding="utf-8")
    assert transcript == path.read_text(encoding="utf-8")


def test_the_needs_survey_in_kazakh(sqlite_url: str) -> None:
    check_golden("needs_kk.txt", simulate(sqlite_url, KAZAKH))
    runs, answers = stored(sqlite_url)
    assert runs == ["completed"]
    assert answers == {
        "consent": "yes", "situation": ["unemployed", "farmer"], "gender": "male", "age_group": "age_30_44",
        "settlement": "Ақсу ауылы", "studied_before": "no",
        "interests": ["computer", "kazakh_language", "other"], "interest_other": "Домбыра тарту",
        "hours_per_week": "h3_5", "times": ["mornings", "weekends"], "barriers": ["childcare"],
        "childcare_help": "yes", "contact_channel": "sms", "comment": "Рақмет сіздерге!",
    }


def test_the_needs_survey_in_russian(sqlite_url: str) -> None:
    check_golden("needs_ru.txt", simulate(sqlite_url, RUSSIAN))
    runs, answers = stored(sqlite_url)
    assert runs == ["completed"]
    assert answers == {
        "consent": "yes", "situation": ["pensioner", "homemaker"], "disability": "no", "gender": "female",
        "age_group": "age_45_59", "settlement": "Талдыбулак", "studied_before": "no",
        "interests": ["sewing", "crafts"], "hours_per_week": "h6_10", "times": ["evenings"],
        "barriers": ["cost", "distance"], "contact_channel": "telegram",
    }


class Running:
    """The simulator as a live process: type a line, wait for a text to appear, kill it."""

    def __init__(self, database_url: str) -> None:
        env = {**os.environ, "CLC_DATABASE_URL": database_url}
        self.process = subprocess.Popen(
            [str(BIN / "clc-bot"), "simulate", "--transcript"], env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def type(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()

    def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        seen: list[str] = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            seen.append(line)
            if text in line:
                return
        raise AssertionError(f"{text!r} did not appear; the simulator printed:\n{''.join(seen)}")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


@pytest.mark.parametrize("unanswered_in_flight", [False, True])
def test_killed_mid_survey_it_resumes_at_the_right_question_with_every_answer(
    sqlite_url: str, unanswered_in_flight: bool
) -> None:
    sim = Running(sqlite_url)
    try:
        sim.wait_for("Здравствуйте! Выберите язык.")
        for text, shows in [("2", "Главное меню"), ("1", "Вопрос 1 "), ("да", "Вопрос 2 "), ("1 2", "Вопрос 3 "),
                            ("нет", "Вопрос 4 "), ("мужской", "Вопрос 5 "), ("2", "Вопрос 6 ")]:
            sim.type(text)
            sim.wait_for(shows)
        if unanswered_in_flight:
            sim.type("Шелек")  # killed while this one may or may not be committed
    finally:
        sim.kill()
    assert sim.process.returncode == -signal.SIGKILL

    runs, answers = stored(sqlite_url)
    assert runs == ["in_progress"]
    expected = {"consent": "yes", "situation": ["unemployed", "employed"], "disability": "no", "gender": "male",
                "age_group": "age_18_29"}
    committed = "settlement" in answers
    if committed:
        expected["settlement"] = "Шелек"
    assert answers == expected

    resumed = simulate(sqlite_url, ["Шелек", "нет", "/quit"] if not committed else ["нет", "/quit"])
    first_prompt = resumed.split("\n> ", 1)[0]
    if committed:
        assert "< Вопрос 7 " in first_prompt and "Вы раньше учились на курсах нашего центра?" in first_prompt
    else:
        assert "< Вопрос 6 " in first_prompt and "В каком селе вы живёте?" in first_prompt
    runs, answers = stored(sqlite_url)
    assert runs == ["in_progress"]
    assert answers == {**expected, "settlement": "Шелек", "studied_before": "no"}
