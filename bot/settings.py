"""Settings from the environment and an optional ``.env`` file, all prefixed ``CLC_``.

A wrong value never becomes a traceback: :func:`load_settings` raises :class:`ConfigError` with
one line naming the variable, and the command-line entry points print it and exit with 2.
Secrets are ``SecretStr`` so they never appear in logs or reprs.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError
from storage.db import DatabaseURLError, parse_database_url

ENV_PREFIX = "CLC_"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = "sqlite+aiosqlite:///./data/clc.db"
    telegram_token: SecretStr | None = None
    telegram_api_url: AnyHttpUrl | None = None
    timezone: str = "Asia/Almaty"
    default_language: Literal["kk", "ru"] = "kk"
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    outbox_interval_seconds: float = Field(default=5.0, gt=0, le=3600)

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        try:
            parse_database_url(value)
        except DatabaseURLError as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. Asia/Almaty)") from None
        return value

    @field_validator("telegram_token", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @model_validator(mode="after")
    def _token_shape(self) -> Settings:
        token = self.telegram_token.get_secret_value() if self.telegram_token else None
        if token is not None and (":" not in token or len(token) < 10):
            raise ValueError("telegram_token: expected the token @BotFather gave, like 123456:ABC…")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local_now(self, now: dt.datetime) -> dt.datetime:
        return now.astimezone(self.zone)

    @property
    def has_telegram(self) -> bool:
        return self.telegram_token is not None


def _one_line(error: ValidationError) -> str:
    first = error.errors()[0]
    location = [str(part) for part in first.get("loc", ())]
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    if location:
        variable = ENV_PREFIX + location[0].upper()
    elif ":" in message:
        field, message = message.split(":", 1)
        variable, message = ENV_PREFIX + field.strip().upper(), message.strip()
    else:
        variable = "settings"
    return f"{variable}: {message}"


def load_settings(**overrides: object) -> Settings:
    """Read the settings or raise ConfigError naming the first wrong variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigError(_one_line(exc)) from None
