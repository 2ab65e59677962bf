"""When CLC_TEST_DATABASE_URL is set, an unreachable PostgreSQL fails the run instead of skipping."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens once the socket is closed


def test_unreachable_postgres_fails_the_whole_run() -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{closed_port()}/test"
    env = {**os.environ, "CLC_TEST_DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         str(ROOT / "tests" / "flows" / "test_purity.py")],
        env=env, capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    assert done.returncode != 0
    assert "CLC_TEST_DATABASE_URL is set but PostgreSQL is unreachable" in done.stdout + done.stderr
