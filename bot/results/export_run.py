"""One export: batches of rows from the database, through a table, into a file written safely.

The file appears under its name only once whole (``bot.results.files.safe_output``): an error
or Ctrl-C mid-way leaves nothing there. Each batch is counted on the progress callback.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from bot.results.files import safe_output
from bot.results.tables import Cell, Column, open_writer

T = TypeVar("T")


@dataclass(frozen=True)
class Target:
    path: Path
    format: str  # xlsx, csv or json
    lines: bool = False  # JSON Lines
    force: bool = False


@dataclass(frozen=True)
class Source(Generic[T]):
    columns: Sequence[Column]
    batches: AsyncGenerator[list[T], None]
    rows: Callable[[T], Iterable[list[Cell]]]
    title: str  # the sheet's name


async def write_export(target: Target, source: Source[T], advance: Callable[[int], None]) -> int:
    """Write every row; the number of rows written (a run in the long layout gives several)."""
    written = 0
    with safe_output(target.path, force=target.force) as partial:
        writer = open_writer(partial, target.format, source.columns, title=source.title, lines=target.lines)
        try:
            async for batch in source.batches:
                for item in batch:
                    for row in source.rows(item):
                        writer.write(row)
                        written += 1
                advance(len(batch))
            writer.close()
        except BaseException:
            writer.discard()
            raise
        finally:
            await source.batches.aclose()
    return written
