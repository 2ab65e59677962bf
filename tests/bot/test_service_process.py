"""``clc-bot run`` as a real process with a Telegram token: serves, then stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.bot.fakes.server import serving
from tests.bot.fakes.telegram_api import FakeTelegram

BIN = Path(sys.executable).parent


async def test_run_serves_telegram_and_stops_on_sigterm(sqlite_url: str, tmp_path: Path) -> None:
    fake = FakeTelegram()
    async with serving(fake.app()) as api_url:
        env = {**os.environ, "CLC_DATABASE_URL": sqlite_url, "CLC_TELEGRAM_TOKEN": fake.token,
               "CLC_TELEGRAM_API_URL": api_url, "CLC_LOG_LEVEL": "INFO"}
        process = await asyncio.create_subprocess_exec(
            str(BIN / "clc-bot"), "run", env=env, cwd=tmp_path,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        try:
            await fake.wait_for(lambda: any(m == "getUpdates" for m, _ in fake.calls), within=30)
            fake.user_sends(800, "/start", language="kk")
            await fake.wait_for(lambda: bool(fake.chat(800)), within=30)
            assert fake.texts(800)[0].startswith("Сәлеметсіз бе! Тілді таңдаңыз.")
            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    log = stderr.decode()
    assert process.returncode == 0, log
    assert "stopping: no new updates are taken" in log
    assert "Traceback" not in log
    assert fake.token.split(":")[1] not in log, "the token must never be logged"
