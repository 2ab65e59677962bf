"""Shorter wordings of the bot's own messages for SMS, where 70 Cyrillic characters are one paid
message (67 per part of a longer one).

Keys are the message ids the flows use everywhere; values are message ids with the same
parameters, said as briefly as the meaning allows. Only the SMS renderer reads this table:
Telegram and the terminal keep the full wording. Data texts (questionnaires) carry their own
short form (``sms:`` in the YAML, :attr:`flows.events.Localized.short`).

A key that stops being a message id (its text was reworded) is caught by
``tests/bot/test_sms_budget.py``, which also checks what a villager pays for.
"""

from __future__ import annotations

from dataclasses import replace

from flows.events import N_, Localized, Text

OMIT = ""  # not sent over SMS at all

SHORT: dict[str, str] = {
    # the survey
    N_("Question {n} of {total}"): N_("{n}/{total}"),
    N_("Question {n} of about {total}"): N_("{n}/~{total}"),  # a condition ahead may drop questions
    # No room beside the consent in the first SMS: «толығырақ» / «подробнее» says it
    # (flows.questionnaire.prompts.more).
    N_("Write \"back\" to return to the previous question or \"cancel\" to stop; "
       "the answers you gave are kept."): OMIT,
    N_("You may skip this question: write \"skip\"."): N_("Not required: write \"skip\"."),
    # how to answer
    N_("Send the number of your answer."): N_("Send the number."),
    N_("Send the numbers of your answers, for example: 1 3 5"): N_("Send the numbers, e.g. 1 3"),
    # the main menu
    N_("Main menu. What would you like to do?"): N_("Main menu:"),
    N_("Needs survey"): N_("Survey"),
}


def short_form(item: Text) -> Text:
    """``item`` as SMS says it: its short form when it has one, else itself."""
    if isinstance(item, Localized):
        return item.short or item
    key = SHORT.get(item.key)
    if key is None or item.plural is not None:
        return item
    if key == OMIT:
        return Localized("", "")
    return replace(item, key=key)
