"""Writing a result file so that an error or Ctrl-C never leaves half a file under its name.

The file is written under a temporary name in the same directory (so the final rename is atomic
on one file system) and renamed onto the requested name only when everything was written. An
existing file is kept unless the caller was told to replace it (``--force``), also one made by
someone else while the file was written.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from flows.errors import Refused

FORMATS = ("xlsx", "csv", "json")


class OutputError(Refused):
    """The output file cannot be written as asked; the message is one line for the CLI."""


def format_of(path: Path, given: str | None = None) -> str:
    """The format asked for (``--format``), else the one the file's extension names."""
    chosen = (given or path.suffix.lstrip(".")).lower()
    if chosen == "jsonl":
        chosen = "json"
    if chosen not in FORMATS:
        raise OutputError(f"{path}: give --format xlsx, csv or json (or a file ending in one of them)")
    return chosen


def check_target(path: Path, *, force: bool = False) -> Path:
    """The file to write, refused before any work when it cannot be written as asked."""
    target = path.expanduser()
    if target.is_dir():
        raise OutputError(f"{path} is a directory; give a file name")
    if target.exists() and not force:
        raise OutputError(f"{path} exists; give --force to replace it")
    if not target.parent.is_dir():
        raise OutputError(f"no directory {target.parent}")
    return target


@contextlib.contextmanager
def safe_output(path: Path, *, force: bool = False) -> Iterator[Path]:
    """Yield a temporary path to write; on success it becomes ``path``, on any error (a
    ``KeyboardInterrupt`` too) it is removed and ``path`` is left as it was."""
    target = check_target(path, force=force)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    partial = Path(temporary)
    try:
        yield partial
        if force:
            os.replace(partial, target)
        else:
            _link_new(partial, target, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _link_new(partial: Path, target: Path, path: Path) -> None:
    """``partial`` under ``target``'s name unless a file got there since the check: a link, unlike a
    rename, never replaces one."""
    try:
        os.link(partial, target)
    except FileExistsError:
        raise OutputError(f"{path} exists; give --force to replace it") from None
    except OSError:  # no hard links there (a FAT USB stick): check once more, then rename
        check_target(path)
        os.replace(partial, target)
        return
    partial.unlink()
