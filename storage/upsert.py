"""``INSERT … ON CONFLICT`` for the database in use: SQLite and PostgreSQL spell it alike, but
SQLAlchemy gives each dialect its own ``insert`` construct."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert(session: AsyncSession, table: Any) -> Any:
    """The dialect's ``insert(table)``, which has ``on_conflict_do_update/_nothing``."""
    name = session.get_bind().dialect.name
    if name == "sqlite":
        return sqlite.insert(table)
    if name == "postgresql":
        return postgresql.insert(table)
    raise NotImplementedError(f"no upsert for the {name} database")
