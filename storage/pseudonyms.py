"""Stable keyed pseudonyms for exports shared outside a centre (``--pseudonymize``).

A pseudonym is ``p_`` and the first 12 hex digits of HMAC-SHA256(key, text): the same phone
number or name gives the same pseudonym in every export of this installation, so files can
still be joined on it, while without the key (kept in the database, ``pseudonym_keys``) nobody
can test a guessed phone number against it. 48 bits keep collisions out of reach for the
tens of thousands of people one installation serves.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.pseudonyms import PseudonymKey

KEY_ID = 1  # one key per installation: a fixed id makes a second creator fail, not add a key
PREFIX = "p_"
DIGITS = 12


@dataclass(frozen=True)
class Pseudonymizer:
    key: bytes

    def __call__(self, text: str | None) -> str | None:
        if text is None or not text.strip():
            return text
        digest = hmac.new(self.key, text.strip().encode("utf-8"), hashlib.sha256).hexdigest()
        return PREFIX + digest[:DIGITS]


async def pseudonymizer(session: AsyncSession, now: dt.datetime) -> Pseudonymizer:
    """The installation's pseudonymizer; its key is created by the first export that asks."""
    found = await session.scalar(select(PseudonymKey.key).where(PseudonymKey.id == KEY_ID))
    if found is None:
        try:
            async with session.begin_nested():
                session.add(PseudonymKey(id=KEY_ID, key=secrets.token_hex(32), created_at=now))
        except IntegrityError:
            pass  # another export created it at the same moment: use theirs
        found = await session.scalar(select(PseudonymKey.key).where(PseudonymKey.id == KEY_ID))
    assert found is not None
    return Pseudonymizer(bytes.fromhex(found))
