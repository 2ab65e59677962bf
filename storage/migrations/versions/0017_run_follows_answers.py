"""survey_runs.updated_at follows the run's newest answer by trigger: a survey answer is then
one statement instead of two (issue 18), and every writer of answers keeps it true

A run's ``updated_at`` is when it last moved: the survey nudge waits 24 hours from it and
retention counts a person's activity from it. It only moves forward here, so rewriting an old
answer (erasure clearing its text) does not make the run look recent.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 11:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0017'
down_revision: str | Sequence[str] | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = '0006'  # the surveys' branch: its tables

_TOUCH = ("UPDATE survey_runs SET updated_at = NEW.answered_at "
          "WHERE id = NEW.run_id AND updated_at < NEW.answered_at")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION survey_run_follows_answer() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                {_TOUCH};
                RETURN NULL;
            END $$""")
        for name, when in (("insert", "INSERT"), ("update", "UPDATE OF answered_at")):
            op.execute(f"CREATE TRIGGER survey_answer_{name}_touches_run AFTER {when} ON survey_answers "
                       "FOR EACH ROW EXECUTE FUNCTION survey_run_follows_answer()")
        return
    for name, when in (("insert", "INSERT"), ("update", "UPDATE OF answered_at")):
        op.execute(f"CREATE TRIGGER survey_answer_{name}_touches_run AFTER {when} ON survey_answers "
                   f"BEGIN {_TOUCH}; END")


def downgrade() -> None:
    for name in ("insert", "update"):
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS survey_answer_{name}_touches_run ON survey_answers")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS survey_answer_{name}_touches_run")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS survey_run_follows_answer()")
