"""A database that cannot be used is one line naming it (no password) and what to do, exit
status 2, from ``clc-admin`` and ``clc-bot`` run as real processes; never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.bot.fakes.server import free_port

BIN = Path(sys.executable).parent
PASSWORD = "s3cret-pw"
COMMANDS = (("clc-admin", "db", "upgrade"), ("clc-bot", "simulate"))


def run(url: str, command: tuple[str, ...], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CLC_DATABASE_URL": url}
    return subprocess.run([str(BIN / command[0]), *command[1:]], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)


def assert_one_line(done: subprocess.CompletedProcess[str], *wanted: str) -> str:
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert done.returncode == 2
    assert PASSWORD not in done.stderr and PASSWORD not in done.stdout
    for text in wanted:
        assert text in lines[0]
    return lines[0]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_postgresql_not_listening(command: tuple[str, ...], tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://clc:{PASSWORD}@127.0.0.1:{free_port()}/clc"
    line = assert_one_line(run(url, command, tmp_path), "postgresql+asyncpg://clc:***@127.0.0.1:", "/clc")
    assert "connection refused" in line and "start PostgreSQL" in line and "CLC_DATABASE_URL" in line


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_postgresql_database_missing(command: tuple[str, ...], tmp_path: Path) -> None:
    server = os.environ.get("CLC_TEST_DATABASE_URL")
    if not server:
        pytest.skip("PostgreSQL: CLC_TEST_DATABASE_URL is not set")
    url = make_url(server).set(password=PASSWORD, database="clc_no_such_database")
    line = assert_one_line(run(url.render_as_string(hide_password=False), command, tmp_path),
                           url.render_as_string(hide_password=True))
    assert "there is no database 'clc_no_such_database'" in line and "createdb" in line


def read_only_directory(tmp_path: Path) -> Path:
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    if os.access(folder, os.W_OK):  # root writes anywhere on disk; /proc refuses even root
        return Path("/proc/self")
    return folder


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_sqlite_in_a_read_only_directory(command: tuple[str, ...], tmp_path: Path) -> None:
    path = read_only_directory(tmp_path) / "clc.db"
    try:
        line = assert_one_line(run(f"sqlite+aiosqlite:///{path}", command, tmp_path), str(path))
    finally:
        (tmp_path / "read-only").chmod(0o755)
    assert "cannot open the file" in line and "write" in line


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_sqlite_folder_cannot_be_created(command: tuple[str, ...], tmp_path: Path) -> None:
    (tmp_path / "data").write_text("a file where the folder should be")
    line = assert_one_line(run("sqlite+aiosqlite:///./data/clc.db", command, tmp_path), "./data/clc.db")
    assert f"cannot create the folder {tmp_path / 'data'}" in line
