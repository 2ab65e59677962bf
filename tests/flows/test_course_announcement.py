"""Enrolment straight from a course announcement (issue 16), through the pure engine: its
"Enrol" answered by number or word once delivered, its button pressed from any state, and what
someone already on the course, or an announcement of a course no longer open, gets."""

from __future__ import annotations

from bot.i18n import Catalogs
from flows.courses.announced import announced_context, announced_data, announcement_reply
from flows.courses.facts import MINE_KEY, OPEN_KEY, CourseInfo, Enrol, EnrolmentInfo
from flows.events import Localized, Msg, Reply, State
from tests.flows.test_golden_courses import COMPUTER, ENGLISH
from tests.flows.transcripts import ZONE, deliver, make_facts, menu_state, run_step

NEWS = announcement_reply(Localized("Жаңа курс", "Новый курс"), ENGLISH.id)


def facts(language: str = "ru", open_: tuple[CourseInfo, ...] = (ENGLISH, COMPUTER),
          mine: tuple[EnrolmentInfo, ...] = ()) -> object:
    return make_facts(language, {OPEN_KEY: open_, MINE_KEY: mine})


def delivered(course_id: int = ENGLISH.id) -> State:
    return deliver(menu_state(), "courses", announced_data(course_id), announced_context(course_id))


def shown(replies: tuple[Reply, ...], catalogs: Catalogs, language: str = "ru") -> str:
    tr = catalogs.translator(language, ZONE)
    return "\n".join(tr.text(item) for reply in replies for item in reply.body)


def test_the_announcement_carries_one_enrol_choice_in_its_own_context() -> None:
    assert [choice.id for choice in NEWS.choices] == ["enrol"]
    assert NEWS.context == announced_context(ENGLISH.id) and NEWS.expects == "choice"
    label = NEWS.choices[0].label
    assert isinstance(label, Msg) and label.key == "Enrol"


def test_answered_by_its_number_or_its_word_it_gives_a_seat(catalogs: Catalogs) -> None:
    for language, answer in (("ru", "1"), ("ru", "записаться"), ("kk", "Жазылу")):
        done = run_step(delivered(), facts(language), text=answer)  # type: ignore[arg-type]
        assert done.effects == (Enrol(ENGLISH.id, "enrolled"),)
        assert done.state["stage"] == "menu"
    done = run_step(delivered(), facts(), text="1")  # type: ignore[arg-type]
    assert "Готово! У вас есть место на курсе" in shown(done.replies, catalogs)


def test_a_full_course_puts_them_on_its_waiting_list_and_says_so(catalogs: Catalogs) -> None:
    done = run_step(delivered(COMPUTER.id), facts(), text="1")  # type: ignore[arg-type]
    assert done.effects == (Enrol(COMPUTER.id, "waiting", COMPUTER.position_if_joined),)
    assert "лист ожидания" in shown(done.replies, catalogs)


def test_the_button_works_in_the_middle_of_a_survey() -> None:
    survey: State = {"seq": 4, "ctx": "q:income", "stage": "flow", "flow": "survey", "data": {"at": "income"}}
    done = run_step(survey, facts(), choice="enrol", context=announced_context(ENGLISH.id))  # type: ignore[arg-type]
    assert done.effects == (Enrol(ENGLISH.id, "enrolled"),)


def test_someone_already_on_the_course_is_shown_it_and_nothing_changes(catalogs: Catalogs) -> None:
    mine = EnrolmentInfo(9, ENGLISH.id, ENGLISH.title, "enrolled")
    done = run_step(delivered(), facts(mine=(mine,)), text="1")  # type: ignore[arg-type]
    assert done.effects == ()
    assert "Вы уже записаны на этот курс." in shown(done.replies, catalogs)
    assert done.state["data"] == {"view": "detail", "course": ENGLISH.id}


def test_a_course_no_longer_open_is_said_and_the_menu_follows(catalogs: Catalogs) -> None:
    done = run_step(delivered(), facts(open_=(COMPUTER,)), text="1")  # type: ignore[arg-type]
    assert done.effects == ()
    assert "Запись на этот курс уже закрыта." in shown(done.replies, catalogs)
    assert done.state["stage"] == "menu"


def test_anything_else_shows_the_course_to_read_and_choose(catalogs: Catalogs) -> None:
    done = run_step(delivered(), facts(), text="а когда?")  # type: ignore[arg-type]
    assert done.effects == ()
    assert done.state["data"] == {"view": "detail", "course": ENGLISH.id}
    assert "Английский язык для начинающих" in shown(done.replies, catalogs)
