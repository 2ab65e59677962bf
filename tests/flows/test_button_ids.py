"""Ids in button contexts: 1-9 ASCII digits only, whatever else a forged button carries."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.courses.mine import MyEnrolmentsFlow, offer_context, offer_data
from flows.ids import id_after, parse_id
from flows.questionnaire.invitations import invitation_of_context, invite_context


@pytest.mark.parametrize("text", ["²", "٣", "３", "1²", "", "-1", "+1", " 1", "1 ", "1_0", "0x1", "1234567890"])
def test_what_is_not_1_to_9_ascii_digits_is_no_id(text: str) -> None:
    assert parse_id(text) is None
    assert invitation_of_context("invite" + text) is None
    assert MyEnrolmentsFlow().entry_for_context("offer" + text) is None


@given(st.integers(min_value=0, max_value=999_999_999))
def test_our_own_contexts_read_back(number: int) -> None:
    assert invitation_of_context(invite_context(number)) == number
    assert MyEnrolmentsFlow().entry_for_context(offer_context(number)) == offer_data(number)


@given(st.text())
def test_any_context_is_an_id_or_none_and_never_an_error(context: str) -> None:
    for prefix in ("offer", "invite"):
        found = id_after(prefix, prefix + context)
        assert found is None or (context.isascii() and context.isdigit() and found == int(context))
    assert invitation_of_context(context) is None or context.startswith("invite")
    MyEnrolmentsFlow().entry_for_context(context)
