"""Apply Alembic migrations from code: at service start and by ``clc-admin db upgrade``.

Feature migrations branch from the foundation revision, so the target is ``heads``.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import connected

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "heads")


async def upgrade_database(engine: AsyncEngine) -> None:
    """Bring the schema to the newest revision of every branch; safe to call every start.

    The first thing every command does with the database: a server that refuses, a database
    that does not exist or a file that cannot be opened raises ``DatabaseUnavailable``.
    """
    async with connected(engine) as connection, connection.begin():
        await connection.run_sync(_upgrade)
