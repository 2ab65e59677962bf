"""Invited questionnaires: one the bot sends on its own (after a course), not the menu's survey.

The bot queues :func:`invitation_reply` through the outbox; its buttons (or a typed "1"/"иә"
over SMS, once the idle conversation is put into :func:`invite_data`) open the survey flow on
the invited questionnaire. The facts give each open invitation with the questionnaire version
to run and, for one started earlier, the run to continue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flows.courses.common import pick
from flows.events import N_, NP_, Choice, Effect, FactKey, Facts, Inbound, Localized, Msg, Reply, plural_msg
from flows.ids import id_after
from flows.questionnaire.effects import AbandonRun, DiscardAnswer, FinishRun, ResumeRun, SaveAnswer, StartRun
from flows.questionnaire.schema import Published, RunFacts
from flows.registry import FlowStep
from flows.yesno import NO_WORDS, YES_WORDS

FACT_INVITATIONS: FactKey[Mapping[int, InvitationFacts] | None] = FactKey("survey.invitations")
START, DECLINE = "start", "decline"
CONTEXT_PREFIX = "invite"
INVITATION = NP_(
    "The course «{title}» has ended. Thank you for taking part! Please tell us what you thought "
    "of it: {count} short question.",
    "The course «{title}» has ended. Thank you for taking part! Please tell us what you thought "
    "of it: {count} short questions.",
)


@dataclass(frozen=True)
class InvitationFacts:
    id: int
    published: Published  # the version a new run starts on
    about: Localized  # what the questions are about (the course's title)
    run: RunFacts | None = None  # started earlier and not completed yet


@dataclass(frozen=True)
class DeclineInvitation(Effect):
    invitation_id: int


def invite_context(invitation_id: int) -> str:
    return f"{CONTEXT_PREFIX}{invitation_id}"


def invitation_of_context(context: str) -> int | None:
    return id_after(CONTEXT_PREFIX, context)


def invite_data(invitation_id: int) -> dict[str, Any]:
    return {"invite": invitation_id}


def is_invitation_view(data: Mapping[str, Any]) -> bool:
    """Asked whether to start, not yet running the questions."""
    return "invite" in data and "run" not in data


def invitation_choices() -> tuple[Choice, ...]:
    return (Choice(START, Msg(N_("Answer the questions"))), Choice(DECLINE, Msg(N_("No, thank you"))))


def invitation_reply(invitation_id: int, about: Localized, question_count: int) -> Reply:
    """The message that asks for the answers; also what the bot queues when it invites."""
    return Reply(
        body=(plural_msg(INVITATION, question_count, title=about),),
        choices=invitation_choices(),
        expects="choice",
        context=invite_context(invitation_id),
    )


def open_invitations(facts: Facts) -> Mapping[int, InvitationFacts]:
    found = facts.get(FACT_INVITATIONS, None)
    return found if isinstance(found, Mapping) else {}


def find_invitation(facts: Facts, invitation_id: object) -> InvitationFacts | None:
    if not isinstance(invitation_id, int):
        return None
    return open_invitations(facts).get(invitation_id)


def answerable_count(published: Published) -> int:
    """Questions everyone is asked (a follow-up asked only after some answers is not counted)."""
    return sum(1 for question in published.form.questions if question.answerable and not question.relevant)


CLOSED = N_("Thank you! This questionnaire is already answered or closed.")


class InvitationSteps:
    """The survey flow's steps while an invitation waits for its answer (start or decline)."""

    def _begin(self, published: Published, event: Inbound, facts: Facts, invite: int | None) -> FlowStep:
        raise NotImplementedError

    def _continue(self, run: RunFacts, invite: int | None = None) -> FlowStep:
        raise NotImplementedError

    def _on_invitation(self, data: dict[str, Any], event: Inbound, facts: Facts) -> FlowStep:
        invitation = find_invitation(facts, data.get("invite"))
        if invitation is None:
            return FlowStep(None, (Reply(body=(Msg(CLOSED),)),))
        answer = pick(event, invitation_choices(), {START: YES_WORDS, DECLINE: NO_WORDS})
        if answer == START and invitation.run is not None:
            return self._continue(invitation.run, invitation.id)
        if answer == START:
            return self._begin(invitation.published, event, facts, invitation.id)
        if answer == DECLINE:
            thanks = Msg(N_("All right, we will not ask again. Thank you!"))
            return FlowStep(None, (Reply(body=(thanks,)),), (DeclineInvitation(invitation.id),))
        return FlowStep(data, self._invitation_prompt(data, facts))

    def _invitation_prompt(self, data: dict[str, Any], facts: Facts) -> tuple[Reply, ...]:
        invitation = find_invitation(facts, data.get("invite"))
        if invitation is None:
            return (Reply(body=(Msg(CLOSED),)),)
        return (invitation_reply(invitation.id, invitation.about, answerable_count(invitation.published)),)


# Every effect of the survey flow: the surveys feature has exactly one applier each.
SurveyEffect = StartRun | SaveAnswer | DiscardAnswer | FinishRun | AbandonRun | ResumeRun | DeclineInvitation
