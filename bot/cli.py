"""``clc-bot``: run the service, or chat with the bot in the terminal."""

from __future__ import annotations

import asyncio
import faulthandler
import sys
from collections.abc import Coroutine
from typing import Annotated, Any, Literal

import typer
from pydantic import SecretStr

from bot.logs import configure_logging
from bot.settings import Settings, load_settings
from flows.errors import ClcError
from flows.phones import normalize_phone

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Community Learning Centre bot.")


def settings_or_exit() -> Settings:
    try:
        settings = load_settings()
    except ClcError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    secrets = [s.get_secret_value() for s in _secrets(settings)]
    configure_logging(settings.log_level, secrets)
    return settings


def _secrets(settings: Settings) -> list[SecretStr]:
    return [value for value in settings.__dict__.values() if isinstance(value, SecretStr)]


def _run(coroutine: Coroutine[Any, Any, None]) -> None:
    try:
        asyncio.run(coroutine)
    except ClcError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        pass


@app.command()
def run(
    webhook: Annotated[
        str | None, typer.Option(help="Serve Telegram by webhook at this public HTTPS URL.")
    ] = None,
) -> None:
    """Run the bot on every configured channel (the terminal simulator if none is)."""
    from bot.service import run_service, run_simulator

    settings = settings_or_exit()
    if not settings.has_channel:
        _run(run_simulator(settings, language=None, phone=None, transcript=not sys.stdin.isatty()))
        return
    _run(run_service(settings, webhook_url=webhook))


@app.command()
def simulate(
    lang: Annotated[Literal["kk", "ru"] | None, typer.Option(help="Language hint, as a phone gives.")] = None,
    phone: Annotated[str | None, typer.Option(help="Act as this phone number (SMS contact).")] = None,
    transcript: Annotated[
        bool | None, typer.Option(help="Print a > / < transcript (default when stdin is not a terminal).")
    ] = None,
) -> None:
    """Chat with the bot in this terminal as a villager."""
    from bot.service import run_simulator

    settings = settings_or_exit()
    e164 = None
    if phone is not None:
        e164 = normalize_phone(phone)
        if e164 is None:
            typer.echo(f"error: --phone: {phone!r} is not a valid phone number", err=True)
            raise typer.Exit(2)
    as_transcript = transcript if transcript is not None else not sys.stdin.isatty()
    _run(run_simulator(settings, language=lang, phone=e164, transcript=as_transcript))


def main() -> None:
    # A process that hangs or crashes (SIGABRT, SIGSEGV) prints every thread's stack to stderr,
    # file and line only: where it stopped, for the operator or a test, with no one's data.
    faulthandler.enable()
    app()
