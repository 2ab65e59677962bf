"""/announce through the pure engine: every step, Back and Cancel at each prompt, bad input,
and nothing sent without the confirmation."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from flows.announce import ANNOUNCE, parse_local_time
from flows.announce_facts import (
    CENTRES_KEY,
    PREVIEW_KEY,
    AnnounceCentre,
    AnnounceCourse,
    BroadcastPreview,
    CreateBroadcast,
    Texts,
)
from flows.audience import Audience
from flows.engine import step
from flows.events import ContactFacts, Facts, Inbound, Localized, Msg, State, Step
from flows.registry import FlowRegistry
from tests.flows.standard import FLOWS as STANDARD

FLOWS = FlowRegistry.of([*STANDARD.specs, ANNOUNCE])
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # 14:00 in Almaty
ALMATY = ZoneInfo("Asia/Almaty")
SEWING = AnnounceCourse(7, Localized("Тігін", "Шитьё"))
AKSU = AnnounceCentre(1, Localized("Ақсу", "Аксу"), "Asia/Almaty", (SEWING,))
KOKTAL = AnnounceCentre(2, Localized("Көктал", "Коктал"), "Asia/Almaty")
MENU: State = {"seq": 1, "ctx": "menu", "stage": "menu", "flow": None, "data": None}


def facts(centres: tuple[AnnounceCentre, ...] | None = (AKSU,), preview: BroadcastPreview | None = None) -> Facts:
    return Facts(contact=ContactFacts(1, "ru", False), extra={CENTRES_KEY: centres, PREVIEW_KEY: preview})


def send(state: State, known: Facts, text: str | None = None, choice: str | None = None) -> Step:
    event = Inbound("simulator", "sim:1", text=text, choice=choice, context=state.get("ctx"))
    return step(state, event, NOW, known, FLOWS)


def keys(result: Step) -> list[str]:
    return [part.key for reply in result.replies for part in reply.body if isinstance(part, Msg)]


def at(view: dict[str, object]) -> State:
    return {"seq": 5, "ctx": f"announce:{view['view']}", "stage": "flow", "flow": "announce", "data": view}


def preview(audience: Audience, texts: Texts, recipients: int = 3) -> BroadcastPreview:
    return BroadcastPreview(1, audience, texts, recipients, 4, (Localized("Telegram: 2", "Telegram: 2"),))


BOTH_TEXTS = Texts("Ертең жиналыс болады 🎉", "Завтра собрание 🎉")


def test_a_villager_gets_the_refusal_manage_gives() -> None:
    for word in ("/announce", "объявление", "хабарландыру"):
        result = send(MENU, facts(None), word)
        assert keys(result)[0] == "This part is for the centre's staff."
        assert result.state["stage"] == "menu" and not result.effects


def test_kazakh_and_russian_texts_to_kazakh_speakers_sent_now() -> None:
    known = facts()
    state = send(MENU, known, "/announce").state
    assert state["data"] == {"view": "mode", "centre": 1}  # one centre: not asked
    state = send(state, known, choice="both").state
    assert state["data"]["view"] == "text_kk"
    state = send(state, known, BOTH_TEXTS.kk).state
    result = send(state, known, BOTH_TEXTS.ru)
    assert keys(result) == ["Who should receive it?"]
    assert [c.id for c in result.replies[-1].choices] == ["everyone", "kk", "ru", "learners", "interested",
                                                          "back", "cancel"]
    state = send(result.state, known, choice="kk").state
    assert state["data"]["audience"] == {"language": "kk"}
    ready = facts(preview=preview(Audience(language="kk"), BOTH_TEXTS))
    shown = send(state, ready, choice="now")
    assert keys(shown) == ["In Kazakh:", "In Russian:", "It will reach {count} person:",
                           "SMS in total: {count} segment.", "Send it now? Nothing is sent until you confirm."]
    assert shown.replies[-1].body[1] == Localized("Telegram: 2", "Telegram: 2")  # the bot's lines, as given
    assert not shown.effects
    done = send(shown.state, ready, choice="send")
    assert done.effects == (CreateBroadcast(1, BOTH_TEXTS, Audience(language="kk"), None),)
    assert keys(done)[0] == "Done: the announcement is going out now to {count} person."
    assert done.state["stage"] == "menu"


def test_one_text_to_a_courses_interested_people_at_a_chosen_time() -> None:
    known = facts((AKSU, KOKTAL))
    state = send(MENU, known, "хабарландыру").state
    assert state["data"] == {"view": "centre"}  # several centres: which one first
    state = send(state, known, "1").state
    state = send(state, known, choice="one").state
    state = send(state, known, "Курс по шитью, запись открыта").state
    state = send(state, known, choice="interested").state
    assert keys(send(state, known, choice="back"))[0] == "Who should receive it?"
    state = send(state, known, choice="k7").state
    assert state["data"]["audience"] == {"for_course_id": 7}
    asked = send(state, known, choice="later")
    assert keys(asked)[0].startswith("When should it go out?")
    assert asked.replies[0].body[0].params == {"example": "03.03 10:00", "example_year": "03.03.2026 10:00"}
    texts = Texts("Курс по шитью, запись открыта", "Курс по шитью, запись открыта")
    ready = facts((AKSU, KOKTAL), preview(Audience(for_course_id=7), texts))
    shown = send(asked.state, ready, "05.03 18:00")
    assert keys(shown)[0] == "The announcement, for everyone:"
    assert shown.replies[-1].body[-1] == Msg("Send it on {time}? Nothing is sent until you confirm.",
                                             {"time": dt.datetime(2026, 3, 5, 13, 0, tzinfo=dt.UTC)})
    done = send(shown.state, ready, "1")
    send_at = dt.datetime(2026, 3, 5, 13, 0, tzinfo=dt.UTC)
    assert done.effects == (CreateBroadcast(1, texts, Audience(for_course_id=7), send_at),)


@pytest.mark.parametrize(("view", "up"), [
    ({"view": "mode", "centre": 1}, None),
    ({"view": "text", "centre": 1, "mode": "one"}, "mode"),
    ({"view": "text_kk", "centre": 1, "mode": "both"}, "mode"),
    ({"view": "text_ru", "centre": 1, "mode": "both", "kk": "а"}, "text_kk"),
    ({"view": "audience", "centre": 1, "mode": "both", "kk": "а", "ru": "б"}, "text_ru"),
    ({"view": "audience", "centre": 1, "mode": "one", "kk": "а", "ru": "а"}, "text"),
    ({"view": "course", "centre": 1, "mode": "one", "kk": "а", "ru": "а", "pick": "learners"}, "audience"),
    ({"view": "when", "centre": 1, "mode": "one", "kk": "а", "ru": "а", "audience": {}}, "audience"),
    ({"view": "when", "centre": 1, "mode": "one", "kk": "а", "ru": "а",
      "audience": {"course_id": 7, "course_group": "seated"}}, "course"),
    ({"view": "at", "centre": 1, "mode": "one", "kk": "а", "ru": "а", "audience": {}}, "when"),
])
def test_back_and_cancel_at_every_prompt(view: dict[str, object], up: str | None) -> None:
    known = facts()
    back = send(at(view), known, choice="back")
    assert (back.state["data"] or {}).get("view") == up and not back.effects
    for cancel in (send(at(view), known, choice="cancel"), send(at(view), known, "отмена")):
        assert keys(cancel)[0] == "Cancelled: nothing was sent." and not cancel.effects
        assert cancel.state["stage"] == "menu"
    typed_back = send(at(view), known, "назад")
    assert (typed_back.state["data"] or {}).get("view") == up


def test_back_and_cancel_at_the_centre_choice_and_the_preview() -> None:
    several = facts((AKSU, KOKTAL))
    assert send(at({"view": "centre"}), several, choice="back").state["stage"] == "menu"
    assert send(at({"view": "mode", "centre": 2}), several, choice="back").state["data"]["view"] == "centre"  # type: ignore[index]
    data = {"view": "preview", "centre": 1, "mode": "one", "kk": "а", "ru": "а", "audience": {}, "send_at": None}
    ready = facts(preview=preview(Audience(), Texts("а", "а")))
    assert send(at(data), ready, choice="back").state["data"]["view"] == "when"  # type: ignore[index]
    later = {**data, "send_at": "2026-03-05T13:00:00+00:00"}
    assert send(at(later), ready, choice="back").state["data"]["view"] == "at"  # type: ignore[index]
    cancelled = send(at(data), ready, choice="cancel")
    assert keys(cancelled)[0] == "Cancelled: nothing was sent." and not cancelled.effects


def test_empty_and_too_long_texts_are_asked_again_emoji_are_fine() -> None:
    known = facts()
    state = at({"view": "text", "centre": 1, "mode": "one"})
    empty = send(state, known, "   ")
    assert keys(empty) == ["The announcement cannot be empty. Please write its text.",
                           "Write the announcement; everyone gets this text."]
    long = send(state, known, "я" * 4097)
    assert keys(long)[0] == "The text has {length} characters; at most {limit} fit in one message. Please shorten it."
    assert long.replies[0].body[0].params == {"length": 4097, "limit": 4096}  # type: ignore[union-attr]
    assert long.state["data"]["view"] == "text"  # type: ignore[index]
    fits = send(state, known, "🎉" * 10 + "я" * 4086)
    assert fits.state["data"]["view"] == "audience"  # type: ignore[index]


def test_unreadable_and_past_times_are_asked_again() -> None:
    known = facts()
    state = at({"view": "at", "centre": 1, "mode": "one", "kk": "а", "ru": "а", "audience": {}})
    for typed in ("завтра", "31.02 10:00", "05.03", "25:00"):
        result = send(state, known, typed)
        assert keys(result)[0] == "I could not read that date and time." and result.state["data"] == state["data"]
    past = send(state, known, "02.03.2026 13:59")  # 08:59 UTC: a minute ago
    assert keys(past)[0] == "That time has already passed. Please write a later one."
    assert past.state["data"]["view"] == "at"  # type: ignore[index]


def test_typed_times_are_the_centres_local_time() -> None:
    assert parse_local_time("05.03 18:00", NOW, ALMATY) == dt.datetime(2026, 3, 5, 13, 0, tzinfo=dt.UTC)
    assert parse_local_time("5.3.2027 8.30", NOW, ALMATY) == dt.datetime(2027, 3, 5, 3, 30, tzinfo=dt.UTC)
    # «01.02» in March is next February; today at an earlier hour stays today (and is then "past").
    assert parse_local_time("01.02 10:00", NOW, ALMATY) == dt.datetime(2027, 2, 1, 5, 0, tzinfo=dt.UTC)
    assert parse_local_time("02.03 10:00", NOW, ALMATY) == dt.datetime(2026, 3, 2, 5, 0, tzinfo=dt.UTC)


def test_nothing_to_confirm_for_an_empty_audience_or_an_outdated_preview() -> None:
    data = {"view": "preview", "centre": 1, "mode": "one", "kk": "а", "ru": "а", "audience": {}, "send_at": None}
    nobody = facts(preview=replace(preview(Audience(), Texts("а", "а")), recipients=0))
    shown = send(at({**data, "view": "when"}), nobody, choice="now")
    assert "Nobody in this audience can receive it now." in keys(shown)
    assert [c.id for c in shown.replies[-1].choices] == ["back", "cancel"]
    assert not send(at(data), nobody, choice="send").effects  # a forged "send" does nothing
    other = facts(preview=preview(Audience(language="ru"), Texts("а", "а")))
    result = send(at({**data, "view": "when"}), other, choice="now")
    assert keys(result)[0] == "The preview could not be prepared. Please choose the audience again."
    assert result.state["data"]["view"] == "audience" and not result.effects  # type: ignore[index]


def test_a_centre_no_longer_the_facilitators_ends_the_flow() -> None:
    state = at({"view": "audience", "centre": 2, "mode": "one", "kk": "а", "ru": "а"})
    result = send(state, facts((AKSU,)), choice="everyone")
    assert keys(result)[0] == "This part is for the centre's staff." and not result.effects
    forged = send(at({"view": "centre"}), facts((AKSU, KOKTAL)), choice="c3")
    assert forged.state["data"] == {"view": "centre"} and not forged.effects


def test_a_confirmation_after_the_chosen_time_asks_for_a_new_one() -> None:
    data = {"view": "preview", "centre": 1, "mode": "one", "kk": "а", "ru": "а", "audience": {},
            "send_at": "2026-03-02T08:00:00+00:00"}
    ready = facts(preview=preview(Audience(), Texts("а", "а")))
    result = send(at(data), ready, choice="send")
    assert not result.effects and result.state["data"]["view"] == "at"  # type: ignore[index]
