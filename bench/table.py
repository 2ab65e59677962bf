"""What a benchmark reports, and how ``make bench`` prints it and writes it into BENCHMARKS.md.

Every benchmark returns ``Figure`` rows (one per case: a database, a number of users …) with
its values already formatted. ``make bench`` prints them as tables and rewrites the part of
BENCHMARKS.md between ``BEGIN``/``END`` with the date, the machine and the tables; the notes
around that part (what a profile showed, why a target is missed) are written by people.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

BEGIN = "<!-- make bench: generated from here -->"
END = "<!-- make bench: generated until here -->"


@dataclass(frozen=True)
class Figure:
    benchmark: str  # the table it belongs to
    case: str  # the row: "sqlite, 50 users"
    values: dict[str, str] = field(default_factory=dict)  # column: formatted value


def tables(figures: Sequence[Figure]) -> str:
    """Markdown tables, one per benchmark, in the order they were measured."""
    out: list[str] = []
    for name in dict.fromkeys(f.benchmark for f in figures):
        rows = [f for f in figures if f.benchmark == name]
        columns = list(dict.fromkeys(key for row in rows for key in row.values))
        out += [f"### {name}", "", "| case | " + " | ".join(columns) + " |",
                "|---|" + "---|" * len(columns)]
        out += ["| " + row.case + " | " + " | ".join(row.values.get(c, "") for c in columns) + " |"
                for row in rows]
        out.append("")
    return "\n".join(out)


def machine(postgres_version: str | None) -> str:
    return (f"{os.cpu_count()} cores, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
            f"PostgreSQL {postgres_version or 'not measured'}")


def write_benchmarks(path: Path, figures: Sequence[Figure], postgres_version: str | None) -> None:
    """Replace the generated part of BENCHMARKS.md (added at its end the first time)."""
    generated = "\n".join([
        BEGIN, "", f"## Last `make bench`: {dt.date.today().isoformat()}", "",
        f"Machine: {machine(postgres_version)}. Figures that depend on the machine are ratios measured "
        "side by side in the same run, or counts; times alone are indicative only.", "",
        tables(figures), END])
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        after = rest.split(END, 1)[1]
        text = before + generated + after
    else:
        text = text.rstrip("\n") + "\n\n" + generated + "\n"
    path.write_text(text, encoding="utf-8")
