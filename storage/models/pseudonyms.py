"""The secret key behind ``--pseudonymize`` exports (issue 17): one row, made on first use.

Kept in the database, not in a file: the same person then gets the same pseudonym in every
export of this installation (files can be joined by it), and nobody outside it can compute a
pseudonym from a phone number without the key.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class PseudonymKey(Base):
    __tablename__ = "pseudonym_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    # 32 random bytes, hex: the HMAC-SHA256 key.
    key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
