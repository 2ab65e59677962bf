"""The simulator as a person uses it: a real subprocess with real stdin and stdout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def simulate(database_url: str, typed: list[str], *args: str) -> str:
    env = {**os.environ, "CLC_DATABASE_URL": database_url}
    done = subprocess.run(
        [str(BIN / "clc-bot"), "simulate", *args],
        input="".join(f"{line}\n" for line in typed),
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def test_pick_kazakh_switch_to_russian_quit_and_be_remembered(sqlite_url: str) -> None:
    first = simulate(sqlite_url, ["1", "4", "2", "/quit"])
    assert first.splitlines()[:3] == [
        "< Сәлеметсіз бе! Тілді таңдаңыз.",
        "<",
        "< Здравствуйте! Выберите язык.",
    ]
    after_kazakh = first.split("> 1\n", 1)[1].split("> 4\n", 1)[0]
    assert "< Басты мәзір. Не істегіңіз келеді?" in after_kazakh
    assert "< 1. Қажеттіліктер сауалнамасы" in after_kazakh
    after_russian = first.split("> 2\n", 1)[1]
    assert "< Главное меню. Что вы хотите сделать?" in after_russian
    assert "< 2. Курсы" in after_russian

    second = simulate(sqlite_url, [])
    assert second.splitlines()[0] == "< Главное меню. Что вы хотите сделать?"
    assert "Выберите язык" not in second


def test_the_language_hint_comes_first_and_is_preselected(sqlite_url: str) -> None:
    out = simulate(sqlite_url, [], "--lang", "ru")
    lines = out.splitlines()
    assert lines[0] == "< Здравствуйте! Выберите язык."
    assert "< 2. Русский ✓" in lines and "< 1. Қазақша" in lines


def test_phone_identity_and_bad_phone(sqlite_url: str) -> None:
    env = {**os.environ, "CLC_DATABASE_URL": sqlite_url}
    bad = subprocess.run([str(BIN / "clc-bot"), "simulate", "--phone", "12"], env=env,
                         capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert bad.returncode == 2 and "is not a valid phone number" in bad.stderr
    simulate(sqlite_url, ["2"], "--phone", "8 701 123 45 67")
    again = simulate(sqlite_url, [], "--phone", "+7 701 123 4567")  # same person, other spelling
    assert again.splitlines()[0] == "< Главное меню. Что вы хотите сделать?"
