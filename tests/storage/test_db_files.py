"""The SQLite database on disk: readable by its owner only, and every commit flushed to disk."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import Database
from storage.migrate import upgrade_database


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o022, 0o000, 0o002])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """A permissive umask: the modes must not depend on it."""
    previous = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(previous)


async def test_a_new_database_and_its_folder_are_private(tmp_path: Path, umask: int) -> None:
    folder = tmp_path / "data"
    db = Database.from_url(f"sqlite+aiosqlite:///{folder / 'clc.db'}")
    try:
        await upgrade_database(db.engine)
        async with db.transaction() as session:  # the WAL and its index exist while connected
            await session.execute(text("SELECT 1"))
            files = sorted(p.name for p in folder.iterdir())
            modes = {p.name: mode(p) for p in folder.iterdir()}
    finally:
        await db.dispose()
    assert mode(folder) == 0o700
    assert files == ["clc.db", "clc.db-shm", "clc.db-wal"]
    assert modes == dict.fromkeys(files, 0o600)


async def test_an_existing_folder_keeps_its_mode_and_the_new_file_is_private(tmp_path: Path, umask: int) -> None:
    os.chmod(tmp_path, 0o755)  # e.g. the working directory, for sqlite:///./clc.db
    db = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'clc.db'}")
    try:
        await upgrade_database(db.engine)
    finally:
        await db.dispose()
    assert mode(tmp_path) == 0o755
    assert mode(tmp_path / "clc.db") == 0o600


async def test_commits_are_flushed_with_synchronous_full(tmp_path: Path) -> None:
    db = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'clc.db'}")
    try:
        async with db.transaction() as session:
            level = await session.scalar(text("PRAGMA synchronous"))
    finally:
        await db.dispose()
    assert level == 2  # FULL (NORMAL is 1)
