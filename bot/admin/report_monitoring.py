"""``clc-admin report monitoring`` (issue 17): being written; not available yet."""

from __future__ import annotations

import typer


def monitoring() -> None:
    """Not available yet."""
    typer.echo("clc-admin report monitoring is not available yet", err=True)
    raise typer.Exit(2)
