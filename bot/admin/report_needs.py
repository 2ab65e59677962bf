"""``clc-admin report needs`` (issue 17): being written; not available yet."""

from __future__ import annotations

import typer


def needs() -> None:
    """Not available yet."""
    typer.echo("clc-admin report needs is not available yet", err=True)
    raise typer.Exit(2)
