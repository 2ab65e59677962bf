"""An invited questionnaire (the course feedback) through the pure engine, and when it is sent."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flows.courses.feedback import MARKING_TIME, feedback_due, last_session_end, polite_time
from flows.events import Localized
from flows.questionnaire.effects import FinishRun, ResumeRun, SaveAnswer, StartRun
from flows.questionnaire.invitations import (
    FACT_INVITATIONS,
    DeclineInvitation,
    InvitationFacts,
    answerable_count,
    invite_context,
)
from flows.questionnaire.loader import load_questionnaire
from flows.questionnaire.runner import FACT_RUN_COUNT
from flows.questionnaire.schema import Published, Questionnaire, RunFacts
from tests.flows.survey_forms import ROOT, Talk, keys, needs

FEEDBACK_FILE = ROOT / "flows" / "questionnaires" / "course_feedback.yaml"
COURSE = Localized("Компьютер сауаттылығы", "Компьютерная грамотность")


def feedback() -> Questionnaire:
    return load_questionnaire(Path(FEEDBACK_FILE).read_text(encoding="utf-8"), str(FEEDBACK_FILE))


def invited(run: RunFacts | None = None, *, invitation_id: int = 5) -> Talk:
    """A villager at the menu with one open invitation (and the needs survey as the menu's)."""
    facts = {invitation_id: InvitationFacts(invitation_id, Published(feedback(), 2), COURSE, run)}
    return Talk(needs(), **{FACT_INVITATIONS: facts, FACT_RUN_COUNT: 3})


def press(talk: Talk, choice: str, invitation_id: int = 5) -> None:
    talk.send(choice=choice, context=invite_context(invitation_id))


def test_the_shipped_feedback_asks_the_four_things_in_both_languages() -> None:
    form = feedback()
    assert [q.id for q in form.questions] == ["useful", "teaching", "recommend", "next_topics", "next_other"]
    assert answerable_count(Published(form, 1)) == 4  # "next_other" follows only an "other"
    assert form.question("recommend").label.kk.startswith("Бұл курсты")


def test_the_invitation_button_starts_the_invited_questionnaire_from_any_state() -> None:
    talk = invited()
    press(talk, "start")
    assert talk.data["q"] == "course_feedback" and talk.data["v"] == 2 and talk.data["invite"] == 5
    assert talk.at == "useful"
    assert keys(talk.last)[0] == "Ваше мнение о курсе"  # type: ignore[arg-type]
    for answer in ("1", "2", "да", "1 11"):  # a typed list answers a multiple choice at once
        talk.send(answer)
    start = talk.effects[0]
    assert isinstance(start, StartRun) and start.invitation == 5 and start.run_key == "7-4"
    assert start.questionnaire_id == "course_feedback" and start.version == 2
    saved = {e.question_id: e.value for e in talk.effects if isinstance(e, SaveAnswer)}
    assert saved == {"useful": "very", "teaching": "good", "recommend": "yes", "next_topics": ["computer", "other"]}
    assert talk.at == "next_other"
    talk.send("Бухгалтерия")
    assert isinstance(talk.effects[-1], FinishRun)
    assert talk.state is not None and talk.state["stage"] == "menu"
    assert keys(talk.last)[0].startswith("Спасибо! Ваше мнение поможет")  # type: ignore[arg-type]


def test_a_typed_yes_starts_it_when_the_conversation_waits_for_the_answer() -> None:
    talk = invited()
    talk.state = {"seq": 2, "ctx": invite_context(5), "stage": "flow", "flow": "survey",
                  "data": {"invite": 5}}
    talk.send("иә")
    assert talk.at == "useful"


def test_declining_is_recorded_and_asks_nothing_more() -> None:
    talk = invited()
    talk.state = {"seq": 2, "ctx": invite_context(5), "stage": "flow", "flow": "survey",
                  "data": {"invite": 5}}
    talk.send("2")
    assert talk.effects == [DeclineInvitation(5)]
    assert keys(talk.last)[0] == "All right, we will not ask again. Thank you!"  # type: ignore[arg-type]
    assert talk.state is not None and talk.state["stage"] == "menu"


def test_something_else_typed_shows_the_invitation_again() -> None:
    talk = invited()
    talk.state = {"seq": 2, "ctx": invite_context(5), "stage": "flow", "flow": "survey",
                  "data": {"invite": 5}}
    result = talk.send("что это?")
    assert [c.id for c in result.replies[-1].choices] == ["start", "decline"]
    assert result.replies[-1].body[0].count == 4  # type: ignore[union-attr]
    assert not talk.effects


def test_an_answered_invitation_pressed_again_only_thanks() -> None:
    talk = invited(invitation_id=5)
    press(talk, "start", invitation_id=6)  # no open invitation 6: answered or declined earlier
    assert keys(talk.last)[0] == "Thank you! This questionnaire is already answered or closed."  # type: ignore[arg-type]
    assert not talk.effects and talk.state is not None and talk.state["stage"] == "menu"


def test_a_run_left_halfway_continues_where_it_stopped() -> None:
    run = RunFacts("7-2", Published(feedback(), 1), {"useful": "somewhat"})
    talk = invited(run)
    press(talk, "start")
    assert talk.effects == [ResumeRun("7-2")]
    assert talk.at == "teaching" and talk.data["v"] == 1
    talk.send("1")
    assert talk.effects[-1] == SaveAnswer("7-2", "course_feedback", 1, "teaching", "excellent", "1")


def test_leaving_the_invitation_unanswered_keeps_it_open() -> None:
    talk = invited()
    talk.state = {"seq": 2, "ctx": invite_context(5), "stage": "flow", "flow": "survey",
                  "data": {"invite": 5}}
    talk.send("меню")
    assert not talk.effects and talk.state is not None and talk.state["stage"] == "menu"


NOW = dt.datetime(2026, 5, 20, 8, 0, tzinfo=dt.UTC)  # 13:00 in Almaty (UTC+5)


def test_feedback_is_due_after_the_last_session_and_the_time_to_mark_attendance() -> None:
    end = last_session_end([(NOW - dt.timedelta(days=7), 90), (NOW, 90)])
    assert end == NOW + dt.timedelta(minutes=90)
    assert not feedback_due("running", end, NOW)
    assert not feedback_due("running", end, end + MARKING_TIME - dt.timedelta(seconds=1))
    assert feedback_due("running", end, end + MARKING_TIME)
    assert feedback_due("finished", None, NOW)  # marked finished: at once
    assert not feedback_due("cancelled", end, end + dt.timedelta(days=30))
    assert not feedback_due("open", None, NOW)  # no sessions: nothing to have attended


def test_nobody_is_messaged_at_night() -> None:
    assert polite_time(NOW, "Asia/Almaty") == NOW
    late = dt.datetime(2026, 5, 20, 17, 30, tzinfo=dt.UTC)  # 22:30 local
    assert polite_time(late, "Asia/Almaty") == dt.datetime(2026, 5, 21, 5, 0, tzinfo=dt.UTC)  # 10:00
    early = dt.datetime(2026, 5, 20, 1, 0, tzinfo=dt.UTC)  # 06:00 local
    assert polite_time(early, "Asia/Almaty") == dt.datetime(2026, 5, 20, 5, 0, tzinfo=dt.UTC)
