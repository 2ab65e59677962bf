"""Shorter wordings of the bot's own messages for SMS, where 70 Cyrillic characters are one paid
message (67 per part of a longer one).

Keys are the message ids the flows use everywhere; values are message ids with the same
parameters, said as briefly as the meaning allows. Only the SMS renderer reads this table:
Telegram and the terminal keep the full wording. Data texts (questionnaires) carry their own
short form (``sms:`` in the YAML, :attr:`flows.events.Localized.short`).

What a short form may leave out: politeness that costs a line, a sentence the numbered choices
already say ("choose one to see what you can do"), a consequence the context makes plain. What
it keeps: the course title, the seat or the place in the queue, the deadline, how to answer.

A key that stops being a message id (its text was reworded) is caught by
``tests/bot/test_sms_wording.py``; ``tests/bot/test_sms_budget.py`` checks what a villager pays.
"""

from __future__ import annotations

from dataclasses import replace

from flows.courses.common import SEATS_LEFT
from flows.events import N_, NP_, Localized, Text

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
    # the language, the name question and the main menu: one SMS after the language is chosen
    N_("Done: I will write to you in English."): N_("OK, I will write in English."),
    N_("How should the centre address you? Write your name, or choose from the menu."):
        N_("How should we address you? Write your name."),  # the menu follows in the same SMS
    N_("How should the centre address you? Write your name."):
        N_("How should we address you? Write your name."),
    N_("Main menu. What would you like to do?"): N_("Menu:"),
    N_("Needs survey"): N_("Survey"),
    N_("My enrolments"): N_("Enrolments"),
    N_("My name"): N_("Name"),
    N_("My learning centre"): N_("Centre"),
    # the centre choice, when the bot serves several centres
    N_("Which village's learning centre is yours? Choose it, or write the village's name."):
        N_("Your village? Send its number or name."),
    N_("Done: your learning centre is {centre}."): N_("Your centre: {centre}."),
    # «delete my data»
    N_("Delete your data? Your name, phone number, your answers and everything you wrote to the bot "
       "will be deleted, and you will leave your courses and waiting lists. This cannot be undone."):
        N_("Delete all your data (name, phone, answers, courses)? This cannot be undone."),
    # the course list and a course
    N_("Open courses at your centre:"): N_("Open courses:"),
    N_("Choose a course to see its schedule and enrol."): OMIT,  # the numbered titles say it
    N_("{title}: full, you can join the waiting list"): N_("{title}: full, the waiting list is open"),
    N_("Schedule:"): N_("Sessions:"),
    N_("Seats are offered in the order people joined the waiting list."):
        N_("Queue: in the order of joining."),
    N_("Priority is given to {groups}; within a group, in the order people joined."):
        N_("Priority is given to {groups}."),
    N_("A seat is waiting for you: open My enrolments to accept it."):
        N_("A seat is offered to you: accept it in Enrolments."),
    # enrolling
    N_("Done! You have a seat on {title}."): N_("You are enrolled on {title}."),
    N_("The course is full, so you are on its waiting list."): N_("You are on the waiting list."),
    N_("You are number {position} on the waiting list."): N_("Your number in the queue: {position}."),
    N_("When a seat frees up, I will write to you."): N_("I will write when a seat frees up."),
    # one's enrolments
    N_("Your enrolments:"): N_("Enrolments:"),
    N_("Choose one to see what you can do."): OMIT,  # the numbered titles say it
    N_("Do you really want to leave {title}? Your seat goes to the next person."):
        N_("Leave {title}? Your seat goes to the next person."),
    N_("Do you really want to leave the waiting list for {title}? You lose your place in the queue."):
        N_("Leave the waiting list for {title}? You lose your place."),
    # a seat offer and its answer
    N_("Good news: a seat on {title} is free for you! Please answer by {deadline}, "
       "otherwise it goes to the next person on the waiting list."):
        N_("A seat on {title} is free for you! Answer by {deadline}."),
    N_("Accept the seat"): N_("Accept"),
    N_("Your seat on {title} is confirmed. See you there!"): N_("Your seat on {title} is confirmed."),
    N_("You declined the seat on {title}; it goes to the next person."):
        N_("You declined the seat on {title}."),
    N_("Sorry, this offer has expired; the seat goes to the next person."):
        N_("Sorry, this offer has expired."),
    # notices the outbox sends
    N_("The time to answer the seat offer on «{title}» has run out, so the seat is no longer held "
       "for you. If you still want this course, choose Courses in the menu and enrol again."):
        N_("The seat offer on «{title}» has expired. To enrol again, choose Courses in the menu."),
    N_("The centre has reduced the number of seats on «{title}», so the seat offered to you is no "
       "longer free. You stay on the waiting list and will be told when a seat frees up."):
        N_("Fewer seats on «{title}»: the seat offered to you is withdrawn. You stay on the waiting list."),
    N_("The schedule of «{title}» has changed:"): N_("Schedule of «{title}» changed:"),
    N_("Moved: {old} → {new}, {place}."): N_("{old} → {new}, {place}."),  # the arrow says it
    # reminders (flows.reminders)
    N_("Reminder: the session of «{title}» is on {start}, at {place}. See you there!"):
        N_("Reminder: «{title}», {start}, {place}."),
    N_("Soon: the session of «{title}» starts at {start}, at {place}. We are waiting for you!"):
        N_("Soon: «{title}», {start}, {place}."),
    N_("A reminder: a seat on «{title}» is still kept for you until {deadline}. Will you take it?"):
        N_("The seat on «{title}» is yours until {deadline}. Take it?"),
    N_("The deadline does not end at night: we extended it so that you can answer in the daytime."):
        N_("Deadline moved to the daytime."),
    N_("You started the needs survey but did not finish it. Your answers are kept: write «survey» "
       "to go on where you stopped."):
        N_("Your survey is not finished. Write «survey» to go on."),
    # /announce (flows.announce_views): a facilitator on SMS pays for every prompt too
    N_("New announcement. One text for everyone, or separate texts in Kazakh and Russian "
       "(each person gets the one in their language)?"):
        N_("New announcement: one text for all, or Kazakh and Russian?"),
    N_("Which course's learners (those holding a seat)?"): N_("Which course's learners?"),
    N_("Which course? Those whose survey answers match its subject and who are not on it yet "
       "will receive it."): N_("Which course? Those interested in its subject get it."),
    N_("When should it go out? Write the local date and time, for example {example} "
       "(or with the year: {example_year})."): N_("Date and time, e.g. {example}:"),
    N_("The text has {length} characters; at most {limit} fit in one message. Please shorten it."):
        N_("Too long: {length} characters, at most {limit}."),
    N_("Send it now? Nothing is sent until you confirm."): N_("Send it now?"),
    N_("Send it on {time}? Nothing is sent until you confirm."): N_("Send it on {time}?"),
}

# Plural messages: the singular key to the short (singular, plural) pair.
SHORT_PLURAL: dict[str, tuple[str, str]] = {
    SEATS_LEFT[0]: NP_("{title}: {count} free seat", "{title}: {count} free seats"),
}

MENU_POINTER = N_("Menu: write \"menu\".")
"""Said instead of the main menu after an answer when the whole menu would cost another segment."""


def short_form(item: Text) -> Text:
    """``item`` as SMS says it: its short form when it has one, else itself."""
    if isinstance(item, Localized):
        return item.short or item
    if item.plural is not None:
        forms = SHORT_PLURAL.get(item.key)
        return item if forms is None else replace(item, key=forms[0], plural=forms[1])
    key = SHORT.get(item.key)
    if key is None:
        return item
    if key == OMIT:
        return Localized("", "")
    return replace(item, key=key)
