"""cases: the item key, organisation applicants and agents, the lifecycle after the decision

Revision ID: 0003_cases
Revises: 0001
Create Date: 2026-11-29 12:30:00

Only ADD COLUMN, never a batch rebuild: on SQLite a table copy would DROP ``case_file`` while
documents and reviews refer to it (foreign_keys=ON inside the migration's transaction).
Existing rows get empty strings and zero through server defaults; the models set the same values
on the Python side, so new rows do not depend on them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_cases"
down_revision = "0001"
branch_labels = None
depends_on = None

_TEXT_COLUMNS = (
    ("item_key", sa.String(length=80)),
    ("applicant_credit_code", sa.String(length=18)),
    ("legal_representative", sa.String(length=100)),
    ("agent_name", sa.String(length=100)),
    ("agent_id_number", sa.String(length=40)),
    ("agent_id_masked", sa.String(length=40)),
    ("agent_phone", sa.String(length=30)),
    ("result", sa.String(length=24)),
    ("result_explain", sa.Text()),
)


def upgrade() -> None:
    for name, type_ in _TEXT_COLUMNS:
        op.add_column("case_file", sa.Column(name, type_, nullable=False, server_default=""))
    op.add_column("case_file", sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("case_file", sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "case_file", sa.Column("supplement_count", sa.Integer(), nullable=False, server_default="0")
    )
    # Cases decided before this revision were accepted when they were decided.
    op.execute(
        "UPDATE case_file SET accepted_at = decided_at WHERE status IN ('accepted', 'deferred', 'concluded')"
    )
    op.execute("UPDATE case_file SET item_key = item_code")


def downgrade() -> None:
    for name in ("supplement_count", "closed_at", "accepted_at", *(n for n, _ in reversed(_TEXT_COLUMNS))):
        with op.batch_alter_table("case_file") as batch:
            batch.drop_column(name)
