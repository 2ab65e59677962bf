"""``clc-admin export``: survey responses, contacts and enrolments as xlsx, csv or json (issue 17)."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, help="Export survey responses, contacts and enrolments.")
