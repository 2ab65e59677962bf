"""Every text stored anywhere in the database, to prove that an erased person left nothing.

The search goes over ``Base.metadata.sorted_tables``, so a table added later is searched too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import String, Text, select
from sqlalchemy.types import JSON

from storage.db import Database
from storage.models.base import Base


async def all_text(database: Database) -> list[tuple[str, str]]:
    """Every value of every text or JSON column of every table, as (table.column, text)."""
    found: list[tuple[str, str]] = []
    async with database.transaction() as s:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)
                       or isinstance(getattr(c.type, "impl", None), String | Text | JSON)]
            if not columns:
                continue
            for row in (await s.execute(select(*columns))).all():
                for column, value in zip(columns, row, strict=True):
                    if value is not None:
                        text: Any = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                        found.append((f"{table.name}.{column.name}", text))
    return found


async def where_found(database: Database, secrets: Iterable[str]) -> list[tuple[str, str]]:
    """(table.column, secret) for every secret still somewhere in the database."""
    wanted = [s for s in secrets if s]
    return [(place, secret) for place, text in await all_text(database) for secret in wanted if secret in text]
