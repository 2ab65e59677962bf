"""The time zone assumed where none is set: ``CLC_TIMEZONE``'s default, a new centre's, the CLI's.

Kazakhstan has had one zone since 1 March 2024 (UTC+5, from the ``tzdata`` package); a centre
elsewhere sets its own zone on its row.
"""

from __future__ import annotations

DEFAULT_TIMEZONE = "Asia/Almaty"
