"""The needs survey and invited questionnaires, as one feature value."""

from __future__ import annotations

from bot.admin import questionnaire
from bot.effects import Applier
from bot.facts import FactsLoader
from bot.feature import Feature, TelegramCommand
from bot.features import surveys
from flows.events import N_
from flows.questionnaire.effects import AbandonRun, DiscardAnswer, FinishRun, ResumeRun, SaveAnswer, StartRun
from flows.questionnaire.invitations import FACT_INVITATIONS, DeclineInvitation
from flows.questionnaire.runner import FACT_QUESTIONNAIRE, FACT_RUN, FACT_RUN_COUNT, FACTS_GROUP, SURVEY
from storage.retention import DEFAULT_RETENTION_DAYS


def surveys_feature(retention_days: int = DEFAULT_RETENTION_DAYS) -> Feature:
    """``retention_days`` is the period the survey's texts state (``{retention}``)."""
    return Feature(
        name="surveys",
        flows=(SURVEY,),
        telegram_commands=(TelegramCommand("survey", N_("Needs survey")),),
        facts=(FactsLoader(
            FACTS_GROUP,
            (FACT_QUESTIONNAIRE, FACT_RUN, FACT_RUN_COUNT, FACT_INVITATIONS),
            surveys.survey_facts_loader(retention_days),
        ),),
        appliers=(
            Applier(StartRun, surveys.start_run),
            Applier(SaveAnswer, surveys.save_answer),
            Applier(DiscardAnswer, surveys.discard_answer),
            Applier(FinishRun, surveys.finish_run),
            Applier(DeclineInvitation, surveys.decline_invitation),
            Applier(AbandonRun, surveys.abandon_run),
            Applier(ResumeRun, surveys.resume_run),
        ),
        cli=(("questionnaire", questionnaire.app),),
    )


SURVEYS = surveys_feature()
