"""``clc-bot run`` with Twilio settings as a real process: serves the signed webhook on loopback,
answers through the fake Twilio API, stops cleanly; half a Twilio configuration is one line."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.bot.fakes.server import free_port, serving
from tests.bot.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, PUBLIC_URL, FakeTwilio, signed

BIN = Path(sys.executable).parent


async def wait_healthy(url: str, process: asyncio.subprocess.Process, within: float = 30) -> None:
    async with httpx.AsyncClient() as client:
        deadline = asyncio.get_running_loop().time() + within
        while asyncio.get_running_loop().time() < deadline:
            assert process.returncode is None, "clc-bot exited before serving"
            try:
                if (await client.get(url + "/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)  # polling for the process to listen, not waiting for time
    raise AssertionError("clc-bot did not start serving")


async def test_run_serves_the_sms_webhook_and_stops_on_sigterm(sqlite_url: str, tmp_path: Path) -> None:
    fake = FakeTwilio()
    port = free_port()
    async with serving(fake.app) as api_url:
        env = {**os.environ, "CLC_DATABASE_URL": sqlite_url, "CLC_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
               "CLC_TWILIO_AUTH_TOKEN": AUTH_TOKEN, "CLC_TWILIO_FROM": FROM_NUMBER,
               "CLC_PUBLIC_URL": PUBLIC_URL, "CLC_TWILIO_API_URL": api_url,
               "CLC_HTTP_PORT": str(port), "CLC_LOG_LEVEL": "INFO"}
        env.pop("CLC_TELEGRAM_TOKEN", None)
        process = await asyncio.create_subprocess_exec(
            str(BIN / "clc-bot"), "run", env=env, cwd=tmp_path,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        try:
            local = f"http://127.0.0.1:{port}"
            await wait_healthy(local, process)
            params = {"MessageSid": "SM" + "a" * 32, "From": "8 701 123 45 67", "To": FROM_NUMBER,
                      "Body": "Сәлем", "AccountSid": ACCOUNT_SID, "NumSegments": "1"}
            async with httpx.AsyncClient(base_url=local) as client:
                refused = await client.post("/sms/twilio", data=params)
                assert refused.status_code == 403
                answered = await client.post("/sms/twilio", data=params,
                                             headers=signed(PUBLIC_URL + "/sms/twilio", params))
                assert answered.status_code == 200
            assert [s.to for s in fake.sent] == ["+77011234567"]
            assert fake.sent[0].body.startswith("Сәлеметсіз бе! Тілді таңдаңыз.")
            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    log = stderr.decode()
    assert process.returncode == 0, log
    assert "clc-bot running: sms" in log
    assert "Traceback" not in log
    assert AUTH_TOKEN not in log, "the auth token must never be logged"


def test_half_configured_twilio_stops_the_start_with_one_line(tmp_path: Path) -> None:
    env = {name: value for name, value in os.environ.items() if not name.startswith("CLC_")}
    env.update({"CLC_TWILIO_ACCOUNT_SID": ACCOUNT_SID, "CLC_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
                "CLC_PUBLIC_URL": PUBLIC_URL})
    done = subprocess.run([str(BIN / "clc-bot"), "run"], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: CLC_TWILIO_FROM: set CLC_TWILIO_FROM or CLC_TWILIO_MESSAGING_SERVICE_SID (Twilio is half-configured)"
    ]
