"""The simulator as a process: it says which database it uses, and Ctrl-C ends it at once."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
from pathlib import Path

import pytest

from storage.db import describe
from tests.bot.test_simulator_process import BIN, read_until


def env_without_database_url() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key != "CLC_DATABASE_URL"}


def test_the_simulator_says_which_database_it_uses_and_that_it_is_new(tmp_path: Path) -> None:
    def start() -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(BIN / "clc-bot"), "simulate"], input="/quit\n", cwd=tmp_path,
                              env=env_without_database_url(), capture_output=True, text=True, timeout=60)

    first, second = start(), start()
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    file = tmp_path / "data" / "clc.db"
    assert first.stderr.splitlines() == [
        f"database: sqlite+aiosqlite:///./data/clc.db (file {file}, new: it did not exist)"]
    assert second.stderr.splitlines() == [f"database: sqlite+aiosqlite:///./data/clc.db (file {file})"]


def test_a_password_is_never_shown() -> None:
    shown = describe("postgresql+asyncpg://clc:s3cret@db.example.org:5432/clc")
    assert shown == "postgresql+asyncpg://clc:***@db.example.org:5432/clc"


def test_ctrl_c_while_waiting_for_input_ends_the_simulator_at_once(sqlite_url: str) -> None:
    env = {**os.environ, "CLC_DATABASE_URL": sqlite_url}
    process = subprocess.Popen([str(BIN / "clc-bot"), "simulate", "--lang", "ru"], env=env, text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()  # type: ignore[union-attr]
    seen: list[str] = []
    try:
        read_until(lines, "2. Русский", seen)  # the language question: it now waits for a line
        process.send_signal(signal.SIGINT)  # stdin stays open: nobody presses Enter
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            # Where it hangs: clc-bot dumps every thread's stack on SIGABRT (faulthandler).
            process.send_signal(signal.SIGABRT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            pytest.fail(f"still running 30 s after Ctrl-C:\n{process.stderr.read()}")
        assert process.returncode == 0
        read_until(lines, "До свидания!", seen)
    finally:
        process.kill()
    assert "Traceback" not in process.stderr.read()
    database = Path(sqlite_url.removeprefix("sqlite+aiosqlite:///"))
    assert not database.with_name(database.name + "-wal").exists(), "the database was not closed"


def test_with_no_input_at_all_it_answers_once_and_ends_quietly(sqlite_url: str) -> None:
    """stdin at /dev/null (systemd, docker, nohup): no traceback, the greeting, then goodbye."""
    env = {**os.environ, "CLC_DATABASE_URL": sqlite_url}
    with open(os.devnull) as nothing:
        done = subprocess.run([str(BIN / "clc-bot"), "simulate", "--lang", "ru"], env=env, stdin=nothing,
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1  # the database line
    assert done.stdout.rstrip().endswith("До свидания!")
