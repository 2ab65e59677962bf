"""What the survey flow needs at each step, and an answer stored in one statement.

The person's runs are read with the person (``storage.steps`` puts ``run_columns`` into its
statement and leaves them here with ``knows_runs``), so an ordinary step asks nothing more;
``runs_of`` reads them itself only for a person made of merged contacts.

A version's definition (the whole questionnaire as JSON, the largest value a step would read)
never changes once stored, so these queries name versions by id and content hash only; the
caller parses a definition once per process and reads it (``definition``) only on a miss.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, bindparam, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from flows.errors import RunClosed
from storage import upsert
from storage.models import Contact
from storage.models.base import UTCDateTime
from storage.models.surveys import Questionnaire, QuestionnaireVersion, SurveyAnswer, SurveyRun


@dataclass(frozen=True)
class VersionRef:
    """A stored questionnaire version, without its definition."""

    id: int
    slug: str
    version: int
    content_hash: str


@dataclass
class OpenRun:
    run_key: str
    version: VersionRef
    answers: dict[str, Any] = field(default_factory=dict)


# Built once with bind parameters: building a statement per step costs more CPU than running it.
_ACTIVE = (select(QuestionnaireVersion.id, Questionnaire.slug, QuestionnaireVersion.version,
                  QuestionnaireVersion.content_hash, Questionnaire.id)
           .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
           .where(Questionnaire.active)
           .order_by(Questionnaire.id, QuestionnaireVersion.version.desc()).limit(1))
_DEFINITION = select(QuestionnaireVersion.definition).where(QuestionnaireVersion.id == bindparam("version"))
_NEWEST_OPEN = (select(SurveyRun.id)
                .where(SurveyRun.contact_id.in_(bindparam("people", expanding=True)),
                       SurveyRun.status == "in_progress")
                .order_by(SurveyRun.id.desc()).limit(1).scalar_subquery())
_RUN_COUNT = (select(func.count()).select_from(SurveyRun).where(SurveyRun.contact_id == bindparam("contact"))
              .scalar_subquery())
_RUNS = (select(_RUN_COUNT, SurveyRun.run_key, QuestionnaireVersion.id, Questionnaire.slug,
                QuestionnaireVersion.version, QuestionnaireVersion.content_hash, SurveyAnswer.question_id,
                SurveyAnswer.value)
         .select_from(Contact)
         .outerjoin(SurveyRun, SurveyRun.id == _NEWEST_OPEN)
         .outerjoin(QuestionnaireVersion, QuestionnaireVersion.id == SurveyRun.version_id)
         .outerjoin(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
         .outerjoin(SurveyAnswer, SurveyAnswer.run_id == SurveyRun.id)
         .where(Contact.id == bindparam("contact")).order_by(SurveyAnswer.id))


_RUNS_KEY = "survey_facts.runs"  # session.info: (contact id, what runs_of returns)
_OPEN_RUN = aliased(SurveyRun)
_OPEN_VERSION = aliased(QuestionnaireVersion)
_OPEN_FORM = aliased(Questionnaire)


def run_columns(contact_id: Any, dialect: str) -> tuple[list[Any], Any]:
    """For a statement that reads one contact (``contact_id``: its id column): the columns that
    give what ``runs_of`` would (the run count, the newest run in progress, its version and its
    answers as one JSON array of [id, question, value]), and a function adding their joins."""
    newest = (select(SurveyRun.id)
              .where(SurveyRun.contact_id == contact_id, SurveyRun.status == "in_progress")
              .order_by(SurveyRun.id.desc()).limit(1).scalar_subquery())
    count = (select(func.count()).select_from(SurveyRun).where(SurveyRun.contact_id == contact_id)
             .scalar_subquery())
    if dialect == "postgresql":
        each = func.json_build_array(SurveyAnswer.id, SurveyAnswer.question_id, SurveyAnswer.value)
        answers = func.json_agg(each, type_=JSON)
    else:
        each = func.json_array(SurveyAnswer.id, SurveyAnswer.question_id, func.json(SurveyAnswer.value))
        answers = func.json_group_array(each, type_=JSON)
    given = select(answers).where(SurveyAnswer.run_id == _OPEN_RUN.id).scalar_subquery()
    columns = [count, _OPEN_RUN.run_key, _OPEN_VERSION.id, _OPEN_FORM.slug, _OPEN_VERSION.version,
               _OPEN_VERSION.content_hash, given]

    def joined(statement: Any) -> Any:
        return (statement.outerjoin(_OPEN_RUN, _OPEN_RUN.id == newest)
                .outerjoin(_OPEN_VERSION, _OPEN_VERSION.id == _OPEN_RUN.version_id)
                .outerjoin(_OPEN_FORM, _OPEN_FORM.id == _OPEN_VERSION.questionnaire_id))

    return columns, joined


def knows_runs(session: AsyncSession, contact_id: int, values: Any) -> None:
    """Note the values of ``run_columns`` read for ``contact_id`` (with no contact merged into
    it): the step's ``runs_of`` returns them without asking again."""
    count, run_key, version_id, slug, version, content_hash, given = values
    run = None
    if run_key is not None:
        run = OpenRun(run_key, VersionRef(version_id, slug, version, content_hash))
        # Ordered by id in Python: neither database promises an aggregate's order without ORDER BY.
        run.answers = {question: value for _, question, value in sorted(given or (), key=lambda a: a[0])}
    session.info[_RUNS_KEY] = (contact_id, (int(count), run))


_VERSIONS_KEY = "survey_facts.versions"  # session.info: (newest version id, active questionnaire id)
# Per database (engine): ids mean nothing across databases. Versions never change once stored.
_ActiveByKey = dict[tuple[int, int], VersionRef]
_ACTIVE_BY_KEY: weakref.WeakKeyDictionary[Any, _ActiveByKey] = weakref.WeakKeyDictionary()


def knows_versions(session: AsyncSession, key: tuple[int, int]) -> None:
    """Note the newest stored version and the active questionnaire, read with the person
    (``storage.steps``): while they stay the same, the active version is known already."""
    session.info[_VERSIONS_KEY] = key


async def active(session: AsyncSession) -> VersionRef | None:
    """The active questionnaire's newest version."""
    key = session.info.get(_VERSIONS_KEY)
    known = _ACTIVE_BY_KEY.setdefault(session.get_bind(), {})
    if key is not None and key in known:
        return known[key]
    found = (await session.execute(_ACTIVE)).first()
    if found is None:
        return None
    ref = VersionRef(*found[:4])
    # Kept only when it is what the key says: an activation or a version committed between the
    # step's first statement and this one (PostgreSQL) would file it under the wrong key.
    if key is not None and key[0] and found[4] == key[1] and ref.id <= key[0]:
        known[key] = ref
    return ref


async def definition(session: AsyncSession, version_id: int) -> dict[str, Any]:
    found = await session.scalar(_DEFINITION, {"version": version_id})
    if found is None:
        raise LookupError(f"questionnaire version {version_id} does not exist")
    return dict(found)


async def runs_of(session: AsyncSession, contact_id: int, people: list[int]) -> tuple[int, OpenRun | None]:
    """How many runs the contact has, and the person's newest run still in progress (on any of
    their channels, ``people``) with its answers, in answering order."""
    known = session.info.pop(_RUNS_KEY, None)  # good for the step's first read only
    if known is not None and known[0] == contact_id and people == [contact_id]:
        count, run = known[1]
        return int(count), run
    rows = (await session.execute(_RUNS, {"contact": contact_id, "people": people})).all()
    if not rows:
        return 0, None
    first = rows[0]
    if first.run_key is None:
        return int(first[0]), None
    run = OpenRun(first.run_key, VersionRef(first[2], first.slug, first.version, first.content_hash))
    run.answers = {row.question_id: row.value for row in rows if row.question_id is not None}
    return int(first[0]), run


_UPSERTS: dict[str, Any] = {}  # the answer's upsert, built once per database kind


def _answer_upsert(session: AsyncSession) -> Any:
    """The answer written only while its run is in progress (``INSERT … SELECT`` from the run),
    returning its id: none when the run has closed. The run's ``updated_at`` follows its newest
    answer by a trigger (migration 0017), not by a statement of its own."""
    dialect = session.get_bind().dialect.name
    if dialect not in _UPSERTS:
        columns = ["run_id", "question_id", "value", "raw_text", "answered_at", "revision"]
        source = select(SurveyRun.id, bindparam("question", type_=SurveyAnswer.question_id.type),
                        bindparam("value", type_=JSON), bindparam("raw", type_=SurveyAnswer.raw_text.type),
                        bindparam("now", type_=UTCDateTime(timezone=True)), literal(1)).where(
            SurveyRun.run_key == bindparam("key"), SurveyRun.status == "in_progress")
        # PostgreSQL: the run locked and its status read again once a transaction closing it
        # commits, as the UPDATE this replaced did (SQLite's transaction holds the database).
        source = source.with_for_update(of=SurveyRun, key_share=True)
        table = SurveyAnswer.__table__  # Core: the ORM's bulk insert path takes no INSERT … SELECT
        statement = upsert.insert(session, table, name="survey_facts.answer").from_select(columns, source)
        _UPSERTS[dialect] = statement.on_conflict_do_update(
            index_elements=["run_id", "question_id"],
            set_={"value": statement.excluded.value, "raw_text": statement.excluded.raw_text,
                  "answered_at": statement.excluded.answered_at, "revision": table.c.revision + 1},
        ).returning(table.c.id)
    return _UPSERTS[dialect]


async def save_answer(
    session: AsyncSession, *, run_key: str, question_id: str, value: Any, raw_text: str | None, now: Any,
) -> None:
    """Store an accepted answer; a second answer to the same question replaces the first and
    counts the change in ``revision``. The run must still be in progress."""
    if session.new or session.dirty or session.deleted:
        # A Core statement does not flush the session: a run resumed earlier in this step must
        # be in the database before the statement reads its status.
        await session.flush()
    answer = {"key": run_key, "question": question_id, "value": value, "raw": raw_text, "now": now}
    if await session.scalar(_answer_upsert(session), answer) is None:
        raise RunClosed(f"survey run {run_key!r} is not in progress; it cannot change")
