"""The survey flow: one question at a time, on any channel, never losing an accepted answer.

The flow's data (saved with every step) is ``{"q", "v", "run", "started", "at", "answers",
"history", "pending", "channel", "invite"}``: the questionnaire id and version, the run key,
whether the run exists in the database yet, the current question, the answers so far (for
conditions and "back"), the questions visited in order, the toggled selections of a
multiple-choice question, the channel the run started on and the invitation it answers, if the
bot invited the person (``flows/questionnaire/invitations.py``; ``{"invite": id}`` alone is the
question whether to start).

The questionnaire itself comes from the facts (``survey.questionnaire`` and, for a run left
halfway, ``survey.run``); every accepted answer leaves as a :class:`SaveAnswer` effect that
the dispatcher commits in the same transaction as this state.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from flows.events import N_, Effect, FactKey, Facts, Inbound, Localized, Msg, Reply, Text
from flows.keywords import parse_command
from flows.menu import stale_button
from flows.questionnaire.answers import (
    DONE,
    DONE_WORDS,
    Accepted,
    Outcome,
    Rejected,
    done_selection,
    parse_answer,
)
from flows.questionnaire.effects import (
    AbandonRun,
    DiscardAnswer,
    FinishRun,
    ResumeRun,
    SaveAnswer,
    StartRun,
)
from flows.questionnaire.expr import evaluate, parse_expression
from flows.questionnaire.invitations import (
    InvitationSteps,
    invitation_of_context,
    invite_data,
    is_invitation_view,
    open_invitations,
)
from flows.questionnaire.prompts import ask, context_of, more, relevant, texts
from flows.questionnaire.schema import Published, Question, RunFacts
from flows.registry import FlowSpec, FlowStep
from flows.text import fold, parse_option_number

FACTS_GROUP = "survey"
FACT_QUESTIONNAIRE: FactKey[Published | None] = FactKey("survey.questionnaire")
FACT_RUN: FactKey[RunFacts | None] = FactKey("survey.run")
FACT_RUN_COUNT: FactKey[int] = FactKey("survey.run_count")
MAX_RAW_CHARS = 2000
Data = dict[str, Any]


class SurveyFlow(InvitationSteps):
    name = "survey"

    def entry_for_context(self, context: str) -> Data | None:
        """An invitation's buttons work whatever the person was doing when it arrived."""
        invitation = invitation_of_context(context)
        return invite_data(invitation) if invitation is not None else None

    def start(self, event: Inbound, now: dt.datetime, facts: Facts) -> FlowStep:
        unfinished = facts.get(FACT_RUN, None)
        if isinstance(unfinished, RunFacts):
            return self._continue(unfinished)
        published = facts.get(FACT_QUESTIONNAIRE, None)
        if not isinstance(published, Published):
            return FlowStep(None, (Reply(body=(Msg(N_("The survey is not available right now.")),)),))
        return self._begin(published, event, facts, None)

    def _begin(self, published: Published, event: Inbound, facts: Facts, invite: int | None) -> FlowStep:
        count = facts.get(FACT_RUN_COUNT, 0)
        data: Data = {
            "q": published.id, "v": published.version, "run": f"{facts.contact.contact_id}-{count + 1}",
            "started": False, "at": None, "answers": {}, "history": [], "pending": None,
            "channel": event.channel, "invite": invite,
        }
        form = published.form
        intro: list[Text] = [form.title.localized()]
        if form.intro is not None:
            intro.append(form.intro.localized())
        intro.append(Msg(N_(
            "Write \"back\" to return to the previous question or \"cancel\" to stop; "
            "the answers you gave are kept."
        )))
        return self._advance(published, data, None, (Reply(body=tuple(intro)),), [])

    def resume(self, data: Data, event: Inbound, now: dt.datetime, facts: Facts) -> FlowStep:
        if is_invitation_view(data):
            return self._on_invitation(data, event, facts)
        data = copy.deepcopy(data)
        published = _published(data, facts)
        if published is None or data.get("at") is None:
            effects = (AbandonRun(data["run"]),) if data.get("started") else ()
            return FlowStep(None, (Reply(body=(Msg(N_("This survey is no longer available.")),)),), effects)
        question = published.form.question(data["at"])
        if event.choice is not None:
            if not _current_button(event, data):
                return FlowStep(data, (stale_button(), ask(published, data, question)))
            return self._on_button(published, data, question, event.choice)
        if event.shared_phone and question.type == "phone":
            return self._outcome(published, data, question, parse_answer(
                published.form, question, event.shared_phone), event.shared_phone)
        text = event.text or ""
        command = parse_command(text)
        if command == "back":
            return self._back(published, data, question)
        if command == "skip":
            return self._skip(published, data, question)
        full = more(question, text)  # «толығырақ»: the full text of a question SMS says briefly
        if full is not None:
            return FlowStep(data, (full, ask(published, data, question)))
        if question.type == "multi" and self._means_done(published, question, text):
            done = done_selection(published.form, question, data.get("pending") or [], pressed=False)
            return self._outcome(published, data, question, done, text)
        return self._outcome(published, data, question, parse_answer(published.form, question, text), text)

    def reprompt(self, data: Data, now: dt.datetime, facts: Facts) -> tuple[Reply, ...]:
        if is_invitation_view(data):
            return self._invitation_prompt(data, facts)
        published = _published(data, facts)
        if published is None or data.get("at") is None:
            return (Reply(body=(Msg(N_("This survey is no longer available.")),)),)
        return (ask(published, data, published.form.question(data["at"])),)

    def cancel(self, data: Data, now: dt.datetime, facts: Facts) -> FlowStep:
        if is_invitation_view(data):
            return FlowStep(None)  # not answered yet: the invitation stays open
        if data.get("started"):
            left = Msg(N_("You left the survey. The answers you gave so far are kept."))
            return FlowStep(None, (Reply(body=(left,)),), (AbandonRun(data["run"]),))
        return FlowStep(None, (Reply(body=(Msg(N_("You left the survey.")),)),))

    # ---- moving through the questions ----

    def _continue(self, run: RunFacts, invite: int | None = None) -> FlowStep:
        form = run.published.form
        answers = dict(run.answers)
        history = [q.id for q in form.questions if q.id in answers]
        data: Data = {
            "q": run.published.id, "v": run.published.version, "run": run.run_key, "started": True,
            "at": None, "answers": answers, "history": history, "pending": None, "channel": None,
            "invite": invite,
        }
        welcome = Reply(body=(Msg(N_("Welcome back! Let us continue the survey where you stopped.")),))
        return self._advance(run.published, data, history[-1] if history else None, (welcome,),
                             [ResumeRun(run.run_key)])

    def _advance(
        self, published: Published, data: Data, after: str | None, lead: tuple[Reply, ...],
        effects: list[Effect],
    ) -> FlowStep:
        form = published.form
        start = form.index(after) + 1 if after is not None else 0
        notes: list[Reply] = []
        answers = data["answers"]
        for question in form.questions[start:]:
            if not relevant(question, answers):
                if question.id in answers:  # its condition turned false after a "back"
                    del answers[question.id]
                    effects.append(DiscardAnswer(data["run"], question.id))
                continue
            if not question.answerable:
                notes.append(Reply(body=texts(question)))
                continue
            data["at"] = question.id
            data["pending"] = list(answers.get(question.id) or []) if question.type == "multi" else None
            return FlowStep(data, (*lead, *notes, ask(published, data, question)), tuple(effects))
        return self._finish(published, data, (*lead, *notes), effects, form.thanks.localized())

    def _finish(
        self, published: Published, data: Data, lead: tuple[Reply, ...], effects: list[Effect],
        message: Localized,
    ) -> FlowStep:
        if not data["started"]:
            effects.insert(0, _start(published, data))
        effects.append(FinishRun(data["run"]))
        return FlowStep(None, (*lead, Reply(body=(message,))), tuple(effects))

    def _outcome(
        self, published: Published, data: Data, question: Question, outcome: Outcome, raw: str | None
    ) -> FlowStep:
        if isinstance(outcome, Rejected):
            return FlowStep(data, (ask(published, data, question, reason=outcome.reason),))
        return self._accept(published, data, question, outcome, raw)

    def _accept(
        self, published: Published, data: Data, question: Question, outcome: Accepted, raw: str | None
    ) -> FlowStep:
        value = outcome.value
        answers = data["answers"]
        if question.constraint and not evaluate(parse_expression(question.constraint), answers, value):
            assert question.constraint_message is not None  # the schema requires it
            return FlowStep(data, (ask(published, data, question,
                                             reason=question.constraint_message.localized()),))
        with_this = {**answers, question.id: value}
        if question.end_if and evaluate(parse_expression(question.end_if), with_this, value):
            assert question.end_message is not None
            goodbye = question.end_message.localized()
            if question.end_as == "declined":  # nothing is kept, not even this answer
                abandon = (AbandonRun(data["run"], discard_answers=True),) if data["started"] else ()
                return FlowStep(None, (Reply(body=(goodbye,)),), abandon)
            effects = self._save(published, data, question, value, raw)
            return self._finish(published, data, (), effects, goodbye)
        effects = self._save(published, data, question, value, raw)
        return self._advance(published, data, question.id, (), effects)

    def _save(
        self, published: Published, data: Data, question: Question, value: Any, raw: str | None
    ) -> list[Effect]:
        effects: list[Effect] = []
        if not data["started"]:
            effects.append(_start(published, data))
            data["started"] = True
        effects.append(SaveAnswer(data["run"], published.id, published.version, question.id, value,
                                  raw_as_typed(raw)))
        data["answers"][question.id] = value
        data["history"].append(question.id)
        return effects

    def _back(self, published: Published, data: Data, question: Question) -> FlowStep:
        if not data["history"]:
            first = Msg(N_("This is the first question."))
            return FlowStep(data, (ask(published, data, question, reason=first),))
        previous = published.form.question(data["history"].pop())
        data["at"] = previous.id
        data["pending"] = list(data["answers"].get(previous.id) or []) if previous.type == "multi" else None
        return FlowStep(data, (ask(published, data, previous),))

    def _skip(self, published: Published, data: Data, question: Question) -> FlowStep:
        if question.required:
            reason: Text = (question.required_message.localized() if question.required_message is not None
                            else Msg(N_("This question cannot be skipped.")))
            return FlowStep(data, (ask(published, data, question, reason=reason),))
        effects: list[Effect] = []
        if question.id in data["answers"]:
            del data["answers"][question.id]
            effects.append(DiscardAnswer(data["run"], question.id))
        data["history"].append(question.id)
        return self._advance(published, data, question.id, (), effects)

    def _on_button(self, published: Published, data: Data, question: Question, choice: str) -> FlowStep:
        form = published.form
        ids = [c.id for c in form.choices_of(question)]
        if question.type == "multi" and choice == DONE:
            done = done_selection(form, question, data.get("pending") or [], pressed=True)
            return self._outcome(published, data, question, done, None)
        if question.type == "multi" and choice in ids:
            pending = data.get("pending") or []
            data["pending"] = [i for i in ids if (i in pending) != (i == choice)]  # toggle
            return FlowStep(data, (ask(published, data, question, edit=True),))
        if question.type == "single" and choice in ids:
            return self._accept(published, data, question, Accepted(choice), None)
        if question.type == "yes_no" and choice in ("yes", "no"):
            return self._accept(published, data, question, Accepted(choice), None)
        return FlowStep(data, (ask(published, data, question),))

    def _means_done(self, published: Published, question: Question, text: str) -> bool:
        """"done" typed, or the number of the "done" line, after choosing by buttons."""
        done_number = len(published.form.choices_of(question)) + 1
        return parse_option_number(text) == done_number or (
            fold(text) in {fold(word) for word in DONE_WORDS} and bool(text.strip())
        )


def _current_button(event: Inbound, data: Data) -> bool:
    """Pressed on the current question's message (a channel's digest was resolved by the dispatcher)."""
    current = context_of(data)
    return event.context == current


def raw_as_typed(raw: str | None) -> str | None:
    """What the person typed, kept as typed; only NUL goes (PostgreSQL text cannot hold it)."""
    return raw.replace("\x00", "")[:MAX_RAW_CHARS] if raw is not None else None


def _start(published: Published, data: Data) -> StartRun:
    return StartRun(data["run"], published.id, published.version, data.get("channel") or "",
                    invitation=data.get("invite"))


def _published(data: Data, facts: Facts) -> Published | None:
    """The version this run was started on (a newer one may have been published since)."""
    candidates = [facts.get(FACT_QUESTIONNAIRE, None)]
    runs = [facts.get(FACT_RUN, None), *(i.run for i in open_invitations(facts).values())]
    candidates += [run.published for run in runs if isinstance(run, RunFacts)]
    candidates += [invitation.published for invitation in open_invitations(facts).values()]
    for candidate in candidates:
        if isinstance(candidate, Published) and (candidate.id, candidate.version) == (
            data.get("q"), data.get("v")
        ):
            return candidate
    return None


_SURVEY = SurveyFlow()
SURVEY = FlowSpec(
    _SURVEY, N_("Needs survey"), ("сауалнама", "опрос", "анкета"),
    needs=frozenset({FACTS_GROUP}), out_of_band=_SURVEY,
)
