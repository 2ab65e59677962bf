"""Settings fail with one line naming the variable; secrets never reach the logs."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.logs import RedactSecrets
from bot.settings import load_settings
from flows.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("CLC_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite+aiosqlite:///./data/clc.db"
    assert settings.timezone == "Asia/Almaty" and settings.default_language == "kk"
    assert (settings.http_host, settings.http_port) == ("127.0.0.1", 8080)
    assert not settings.has_channel


def test_almaty_is_utc_plus_5_since_march_2024() -> None:
    import datetime as dt

    zone = load_settings().zone
    assert dt.datetime(2024, 3, 2, 12, tzinfo=zone).utcoffset() == dt.timedelta(hours=5)
    assert dt.datetime(2024, 2, 28, 12, tzinfo=zone).utcoffset() == dt.timedelta(hours=6)


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("CLC_DATABASE_URL", "nonsense", "CLC_DATABASE_URL: 'nonsense' is not a database URL"),
        ("CLC_DATABASE_URL", "mysql://x/y", "CLC_DATABASE_URL: driver 'mysql' is not supported"),
        ("CLC_DATABASE_URL", "sqlite+aiosqlite:///:memory:", "CLC_DATABASE_URL: an SQLite URL needs a file path"),
        ("CLC_DATABASE_URL", "sqlite+aiosqlite:///file::memory:?cache=shared&uri=true",
         "CLC_DATABASE_URL: an SQLite URL needs a file path"),
        ("CLC_TIMEZONE", "Asia/Nowhere", "CLC_TIMEZONE: 'Asia/Nowhere' is not an IANA time zone"),
        ("CLC_DEFAULT_LANGUAGE", "en", "CLC_DEFAULT_LANGUAGE:"),
        ("CLC_HTTP_PORT", "99999", "CLC_HTTP_PORT:"),
        ("CLC_DATABASE_POOL_SIZE", "0", "CLC_DATABASE_POOL_SIZE:"),
        ("CLC_DATABASE_POOL_SIZE", "501", "CLC_DATABASE_POOL_SIZE:"),
        ("CLC_DATABASE_POOL_SIZE", "many", "CLC_DATABASE_POOL_SIZE:"),
        ("CLC_TELEGRAM_TOKEN", "oops", "CLC_TELEGRAM_TOKEN: expected the token"),
        ("CLC_TELEGRAM_API_URL", "not a url", "CLC_TELEGRAM_API_URL:"),
        ("CLC_TWILIO_ACCOUNT_SID", "AC123", "CLC_TWILIO_AUTH_TOKEN: missing"),
    ],
)
def test_a_wrong_value_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, named: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(caught.value).startswith(named)
    assert "\n" not in str(caught.value)


def test_dot_env_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CLC_DEFAULT_LANGUAGE=ru\n")
    assert load_settings().default_language == "ru"


def test_token_is_secret_in_reprs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLC_TELEGRAM_TOKEN", "123456:SECRET-token-value")
    settings = load_settings()
    assert "SECRET" not in repr(settings) and "SECRET" not in str(settings.model_dump())


def test_log_records_never_show_a_secret(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.redact")
    logger.addFilter(RedactSecrets(["hunter2-twilio-token"]))
    with caplog.at_level(logging.INFO, logger="test.redact"):
        logger.info("POST https://api.telegram.org/bot123456:ABC-def_ghi/getUpdates")
        logger.info("auth with %s", "hunter2-twilio-token")
    assert caplog.messages == ["POST https://api.telegram.org/bot***/getUpdates", "auth with ***"]


@pytest.mark.parametrize("command", [["clc-bot", "run"], ["clc-admin", "demo"]])
def test_cli_prints_one_line_and_exits_2_on_a_bad_setting(command: list[str], tmp_path: Path) -> None:
    env = {**os.environ, "CLC_DATABASE_URL": "nonsense"}
    done = subprocess.run([str(BIN / command[0]), *command[1:]], env=env, capture_output=True,
                          text=True, timeout=60, cwd=tmp_path, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: CLC_DATABASE_URL: 'nonsense' is not a database URL "
        "(expected e.g. sqlite+aiosqlite:///./data/clc.db)"
    ]
    assert "Traceback" not in done.stdout + done.stderr
