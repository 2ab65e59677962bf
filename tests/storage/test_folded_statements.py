"""The statements that carry another as a data-modifying WITH on PostgreSQL share bind
parameters by name: SQLAlchemy merges two parameters of one name into one without a word, so a
new parameter named like one of the other statement's would silently take its value."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql

from bot.replies import _KEEP_SAVING_STATE
from storage.steps import _statements


def names(statement: object) -> set[str]:
    """The parameters bound by name (a literal's parameter gets a unique name of its own)."""
    binds = statement.compile(dialect=postgresql.dialect()).binds  # type: ignore[attr-defined]
    return {name for name, bind in binds.items() if not bind.unique}


def test_the_reply_row_and_the_state_share_no_parameter() -> None:
    assert names(_KEEP_SAVING_STATE) == {"contact", "channel", "now", "due", "payload", "state_of", "state",
                                         "state_at"}


def test_the_person_read_and_the_claim_share_only_the_channel() -> None:
    claiming = _statements("postgresql").rest_claiming
    assert names(claiming) == {"contact", "channel", "now", "provider_id", "address", "text", "payload",
                               "received_at", "contact_id", "handled_at"}
    # On purpose: person() takes the channel from the message it claims.
