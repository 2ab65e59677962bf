"""``clc-admin report``: the needs summary and the monitoring report (issue 17)."""

from __future__ import annotations

import typer

from bot.admin import report_monitoring, report_needs

app = typer.Typer(no_args_is_help=True, help="The needs summary and the monitoring report.")
app.command("needs")(report_needs.needs)
app.command("monitoring")(report_monitoring.monitoring)
