"""When reminders fall due in the centre's zone and quiet hours, and what they say."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import Catalogs
from flows.events import Localized
from flows.quiet_hours import DEFAULT_QUIET_HOURS, NO_QUIET_HOURS, QuietHours
from flows.reminders import (
    SESSION_EVE,
    SESSION_SOON,
    daytime_deadline,
    is_due,
    offer_extended_note,
    offer_reminder,
    offer_reminder_reply,
    session_reminder_reply,
    session_reminders,
    survey_nudge,
    survey_nudge_reply,
)

ALMATY = ZoneInfo("Asia/Almaty")
TASHKENT = ZoneInfo("Asia/Tashkent")
QUIET = DEFAULT_QUIET_HOURS


def local(day: int, hour: int, minute: int = 0, zone: ZoneInfo = ALMATY) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=zone).astimezone(dt.UTC)


def times(starts_at: dt.datetime, zone: ZoneInfo = ALMATY, quiet: QuietHours = QUIET) -> list[tuple[str, str]]:
    return [(p.kind, f"{p.due.astimezone(zone):%d %H:%M}")
            for p in session_reminders(starts_at, zone, quiet)]


def test_a_daytime_session_gets_18_00_the_evening_before_and_2_hours_before() -> None:
    assert times(local(12, 15)) == [(SESSION_EVE, "11 18:00"), (SESSION_SOON, "12 13:00")]


def test_the_times_are_the_centres_local_times() -> None:
    start = local(12, 15, zone=TASHKENT)
    assert times(start, TASHKENT) == [(SESSION_EVE, "11 18:00"), (SESSION_SOON, "12 13:00")]
    assert session_reminders(start, TASHKENT, QUIET)[0].due == local(11, 18, zone=TASHKENT)


def test_an_early_session_gets_only_the_evening_reminder() -> None:
    """08:00: 2 hours before is 06:00, in quiet hours, and 09:00 would be after the start."""
    assert times(local(12, 8)) == [(SESSION_EVE, "11 18:00")]


def test_a_reminder_in_quiet_hours_waits_until_09_00_when_still_before_the_session() -> None:
    """10:00: 2 hours before is 08:00 (quiet), held until 09:00, an hour before."""
    assert times(local(12, 10)) == [(SESSION_EVE, "11 18:00"), (SESSION_SOON, "12 09:00")]
    assert times(local(12, 9, 30)) == [(SESSION_EVE, "11 18:00")]  # 09:00 is too close
    assert times(local(12, 8), quiet=NO_QUIET_HOURS) == [(SESSION_EVE, "11 18:00"), (SESSION_SOON, "12 06:00")]


def test_an_evening_reminder_falling_in_quiet_hours_moves_to_the_morning() -> None:
    early_night = QuietHours(dt.time(17), dt.time(8))
    assert times(local(12, 15), quiet=early_night) == [(SESSION_EVE, "12 08:00"), (SESSION_SOON, "12 13:00")]
    # At 10:00 both would fall at 08:00: only the later kind is kept.
    assert times(local(12, 10), quiet=early_night) == [(SESSION_SOON, "12 08:00")]


def test_each_reminder_is_valid_until_the_next_one_or_the_start() -> None:
    eve, soon = session_reminders(local(12, 15), ALMATY, QUIET)
    assert eve.until == soon.due and soon.until == local(12, 15)
    assert not is_due(eve, local(11, 17, 59))
    assert is_due(eve, local(11, 18)) and is_due(eve, local(12, 12, 59))  # late, after a restart
    assert not is_due(eve, local(12, 13))  # the 2-hours one took over
    assert is_due(soon, local(12, 14, 59)) and not is_due(soon, local(12, 15))  # never after the start


def test_offer_reminder_halfway_and_out_of_quiet_hours() -> None:
    planned = offer_reminder(local(10, 10), local(12, 10), ALMATY, QUIET)
    assert planned is not None and planned.due == local(11, 10) and planned.until == local(12, 10)
    night = offer_reminder(local(10, 20), local(11, 12), ALMATY, QUIET)  # halfway: 04:00
    assert night is not None and night.due == local(11, 9)
    assert offer_reminder(local(10, 20), local(10, 22, 30), ALMATY, QUIET) is None  # 21:15 → 09:00: too late


def test_a_deadline_at_night_gets_the_next_morning_and_some_daytime() -> None:
    assert daytime_deadline(local(10, 23), ALMATY, QUIET) == local(11, 12)
    assert daytime_deadline(local(11, 3), ALMATY, QUIET) == local(11, 12)
    assert daytime_deadline(local(10, 20), ALMATY, QUIET) == local(10, 20)  # daytime: as it was
    assert daytime_deadline(local(10, 23), ALMATY, NO_QUIET_HOURS) == local(10, 23)


def test_the_survey_nudge_comes_a_day_after_the_last_answer_in_daytime() -> None:
    assert survey_nudge(local(10, 15), ALMATY, QUIET).due == local(11, 15)
    assert survey_nudge(local(10, 22), ALMATY, QUIET).due == local(12, 9)


@pytest.mark.parametrize(("language", "eve", "soon", "offer", "nudge"), [
    ("ru", "Напоминаем: занятие курса «Кройка и шитьё» — 12 марта, 15:00, место: школа. Ждём вас!",
     "Скоро начнётся занятие курса «Кройка и шитьё»: 12 марта, 15:00, место: школа. Ждём вас!",
     "Напоминаем: место на курсе «Кройка и шитьё» остаётся за вами до 12 марта, 12:00. Займёте его?",
     "Вы начали опрос о потребностях, но не закончили его. Ваши ответы сохранены: напишите «опрос», "
     "чтобы продолжить с того места, где остановились."),
    ("kk", "Еске саламыз: «Тігін» курсының сабағы — 12 наурыз, 15:00, орны: мектеп. Сізді күтеміз!",
     "«Тігін» курсының сабағы жақында басталады: 12 наурыз, 15:00, орны: мектеп. Сізді күтеміз!",
     "Еске саламыз: «Тігін» курсындағы орын әлі де сізге сақталып тұр. Жауап беру мерзімі — 12 наурыз, 12:00. "
     "Орынды қабылдайсыз ба?",
     "Сіз оқу қажеттіліктері сауалнамасын бастап, аяқтамай қалдыңыз. Жауаптарыңыз сақтаулы: тоқтаған "
     "жерден жалғастыру үшін «сауалнама» деп жазыңыз."),
])
def test_the_texts_in_each_language(
    catalogs: Catalogs, language: str, eve: str, soon: str, offer: str, nudge: str
) -> None:
    tr = catalogs.translator(language, ALMATY)
    title, place = Localized("Тігін", "Кройка и шитьё"), Localized("мектеп", "школа")
    start = local(12, 15)
    assert tr.text(session_reminder_reply(SESSION_EVE, title, start, place).body[0]) == eve
    assert tr.text(session_reminder_reply(SESSION_SOON, title, start, place).body[0]) == soon
    assert tr.text(offer_reminder_reply(title, local(12, 12)).body[0]) == offer
    assert tr.text(survey_nudge_reply().body[0]) == nudge
    assert "ночью" in tr.text(offer_extended_note()) or "түнде" in tr.text(offer_extended_note())
