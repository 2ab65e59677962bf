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

from flows.errors import ConfigError, DatabaseURLError
from flows.timezones import DEFAULT_TIMEZONE
from storage.db import POSTGRES_POOL_SIZE, Database, parse_database_url
from storage.retention import DEFAULT_RETENTION_DAYS, MAX_RETENTION_DAYS, MIN_RETENTION_DAYS

ENV_PREFIX = "CLC_"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = "sqlite+aiosqlite:///./data/clc.db"
    # PostgreSQL connections one process keeps open (half as many more in a burst). Several
    # processes together must stay under the server's max_connections (100 by default).
    database_pool_size: int = Field(default=POSTGRES_POOL_SIZE, ge=1, le=500)
    telegram_token: SecretStr | None = None
    telegram_api_url: AnyHttpUrl | None = None
    timezone: str = DEFAULT_TIMEZONE
    default_language: Literal["kk", "ru"] = "kk"
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    outbox_interval_seconds: float = Field(default=5.0, gt=0, le=3600)
    public_url: AnyHttpUrl | None = None
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_from: str | None = None
    twilio_messaging_service_sid: str | None = None
    twilio_api_url: AnyHttpUrl | None = None
    sms_transliterate: bool = False
    # A long code sends about one SMS segment a second; a short code or toll-free number more.
    twilio_segments_per_second: float = Field(default=1.0, gt=0, le=1000)
    # Processes sending for one bot and one Twilio sender (PostgreSQL): each paces at 1/N of
    # the channels' limits, so together they stay within them.
    sender_processes: int = Field(default=1, ge=1, le=64)
    sms_resume_after_hours: float = Field(default=72, gt=0, le=24 * 365)
    # Personal data of people silent this long after their consent is erased (storage.retention).
    retention_days: int = DEFAULT_RETENTION_DAYS

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        try:
            parse_database_url(value)
        except DatabaseURLError as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("retention_days", mode="before")
    @classmethod
    def _retention_days(cls, value: object) -> int:
        text = str(value).strip()
        whole = text.isascii() and text.isdigit()
        if not whole or not MIN_RETENTION_DAYS <= int(text) <= MAX_RETENTION_DAYS:
            limits = f"from {MIN_RETENTION_DAYS} to {MAX_RETENTION_DAYS}"
            raise ValueError(f"expected a whole number of days {limits} (got {value!r})")
        return int(text)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. {DEFAULT_TIMEZONE})") from None
        return value

    @field_validator(
        "telegram_token", "telegram_api_url", "public_url", "twilio_account_sid", "twilio_auth_token",
        "twilio_from", "twilio_messaging_service_sid", "twilio_api_url", mode="before",
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @model_validator(mode="after")
    def _token_shape(self) -> Settings:
        token = self.telegram_token.get_secret_value() if self.telegram_token else None
        if token is not None and (":" not in token or len(token) < 10):
            raise ValueError("telegram_token: expected the token @BotFather gave, like 123456:ABC…")
        self._twilio_complete()
        return self

    def _twilio_complete(self) -> None:
        """Twilio is all or nothing: half a configuration is an error, not a silent no-SMS."""
        parts = {
            "twilio_account_sid": self.twilio_account_sid,
            "twilio_auth_token": self.twilio_auth_token,
            "twilio_from": self.twilio_from or self.twilio_messaging_service_sid,
            "public_url": self.public_url,
        }
        given = [name for name, value in parts.items() if value is not None]
        if given and len(given) < len(parts):
            missing = next(name for name in parts if name not in given)
            if missing == "twilio_from":
                raise ValueError(
                    "twilio_from: set CLC_TWILIO_FROM or CLC_TWILIO_MESSAGING_SERVICE_SID "
                    "(Twilio is half-configured)"
                )
            raise ValueError(f"{missing}: missing, but other Twilio settings are set")

    @property
    def has_twilio(self) -> bool:
        return self.twilio_account_sid is not None

    @property
    def twilio_share_per_second(self) -> float:
        """This process's share of the Twilio sender's segments per second."""
        return self.twilio_segments_per_second / self.sender_processes

    @property
    def sms_resume_after(self) -> dt.timedelta:
        return dt.timedelta(hours=self.sms_resume_after_hours)

    @property
    def has_channel(self) -> bool:
        return self.has_telegram or self.has_twilio

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
        return Settings(**overrides)  # type: ignore[arg-type]  # pydantic validates the overrides at run time
    except ValidationError as exc:
        raise ConfigError(_one_line(exc)) from None


def database_of(settings: Settings) -> Database:
    """The configured database, its PostgreSQL pool sized as set (the service and ``clc-admin``)."""
    return Database.from_url(settings.database_url, pool_size=settings.database_pool_size)
