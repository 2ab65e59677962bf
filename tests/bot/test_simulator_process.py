"""The simulator as a person uses it: a real subprocess with real stdin and stdout."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
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
    assert "< 1. Оқу қажеттіліктері сауалнамасы" in after_kazakh
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


def admin(database_url: str, *args: str) -> None:
    env = {**os.environ, "CLC_DATABASE_URL": database_url}
    done = subprocess.run([str(BIN / "clc-admin"), *args], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def read_until(lines: queue.Queue[str], wanted: str, seen: list[str]) -> None:
    """Collect the simulator's lines until one contains ``wanted`` (bounded: 30 s per line)."""
    while True:
        line = lines.get(timeout=30)
        seen.append(line)
        if wanted in line:
            return


def test_a_seat_offer_reaches_the_terminal_and_is_accepted_there(sqlite_url: str) -> None:
    admin(sqlite_url, "demo")
    admin(sqlite_url, "course", "capacity", "computer-1", "4")  # its four demo learners fill it
    joined = simulate(sqlite_url, ["2", "2", "1", "1", "/quit"])
    assert "< Ваш номер в очереди: 1." in joined
    admin(sqlite_url, "course", "capacity", "computer-1", "5")  # a seat frees: offered to us

    env = {**os.environ, "CLC_DATABASE_URL": sqlite_url, "CLC_OUTBOX_INTERVAL_SECONDS": "0.2"}
    process = subprocess.Popen([str(BIN / "clc-bot"), "simulate"], env=env, text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdin is not None and process.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()  # type: ignore[union-attr]
    seen: list[str] = []
    try:
        read_until(lines, "Хорошая новость: на курсе «Компьютерная грамотность» для вас освободилось место!", seen)
        read_until(lines, "1. Принять место", seen)
        process.stdin.write("1\n")
        process.stdin.flush()
        read_until(lines, "Ваше место на курсе «Компьютерная грамотность» подтверждено.", seen)
        process.stdin.write("/quit\n")
        process.stdin.close()
        assert process.wait(timeout=30) == 0
    finally:
        process.kill()
    assert seen[0] == "< Главное меню. Что вы хотите сделать?\n"
    assert "Traceback" not in (process.stderr.read() if process.stderr else "")
