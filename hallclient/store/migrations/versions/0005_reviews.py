"""first-inquiry referrals, review exclusion, rectification tasks and their callbacks

Revision ID: 0005_reviews
Revises: 0001
Create Date: 2026-11-29 14:00:00

A sibling of the other feature revisions on 0001 (the store upgrades to all heads). Written by hand
like 0002_queue: columns are added in place (SQLite can add a column with a REFERENCES clause), so
no table is rebuilt under ``foreign_keys=ON``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_reviews"
down_revision = "0001"
branch_labels = None
depends_on = None


def _add_fk_column(table: str, name: str, type_: sa.types.TypeEngine, ref_table: str, ref_col: str) -> None:
    fk_name = f"fk_{table}_{name}_{ref_table}"
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        type_sql = type_.compile(dialect=bind.dialect)
        op.execute(
            f'ALTER TABLE "{table}" ADD COLUMN {name} {type_sql} '
            f'CONSTRAINT {fk_name} REFERENCES "{ref_table}" ({ref_col})'
        )
    else:
        op.add_column(table, sa.Column(name, type_, nullable=True))
        op.create_foreign_key(fk_name, table, ref_table, [name], [ref_col])


def upgrade() -> None:
    op.add_column("inquiry", sa.Column("register_no", sa.String(length=64), nullable=True))
    _add_fk_column("inquiry", "referred_clerk_id", sa.Integer(), "clerk", "id")
    op.add_column("inquiry", sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True))
    _add_fk_column("inquiry", "accepted_by_id", sa.Integer(), "clerk", "id")
    op.add_column("inquiry", sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True))
    _add_fk_column("inquiry", "replied_by_id", sa.Integer(), "clerk", "id")
    op.add_column("inquiry", sa.Column("reply", sa.Text(), server_default="", nullable=False))
    op.add_column("inquiry", sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.create_index("ix_inquiry_register_no", "inquiry", ["register_no"], unique=True)
    op.create_index("ix_inquiry_status", "inquiry", ["status"], unique=False)

    op.add_column("review", sa.Column("excluded", sa.Boolean(), server_default=sa.false(), nullable=False))

    op.create_table(
        "rectification",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("review_id", sa.String(length=36), nullable=False),
        sa.Column("ordering_key", sa.String(length=80), nullable=False),
        sa.Column("window_id", sa.Integer(), nullable=False),
        sa.Column("clerk_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline_date", sa.Date(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finding", sa.Text(), nullable=False),
        sa.Column("measures", sa.Text(), nullable=False),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("appeal_reason", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["clerk_id"], ["clerk.id"], name=op.f("fk_rectification_clerk_id_clerk")),
        sa.ForeignKeyConstraint(["review_id"], ["review.id"], name=op.f("fk_rectification_review_id_review")),
        sa.ForeignKeyConstraint(["window_id"], ["window.id"], name=op.f("fk_rectification_window_id_window")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification")),
        sa.UniqueConstraint("review_id", name=op.f("uq_rectification_review_id")),
    )
    op.create_index(op.f("ix_rectification_status"), "rectification", ["status"], unique=False)

    op.create_table(
        "rectification_callback",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("rectification_id", sa.String(length=36), nullable=False),
        sa.Column("clerk_id", sa.Integer(), nullable=False),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("satisfaction", sa.String(length=24), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clerk_id"], ["clerk.id"], name=op.f("fk_rectification_callback_clerk_id_clerk")
        ),
        sa.ForeignKeyConstraint(
            ["rectification_id"],
            ["rectification.id"],
            name=op.f("fk_rectification_callback_rectification_id_rectification"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification_callback")),
    )
    op.create_index(
        op.f("ix_rectification_callback_rectification_id"),
        "rectification_callback",
        ["rectification_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_rectification_callback_rectification_id"), table_name="rectification_callback")
    op.drop_table("rectification_callback")
    op.drop_index(op.f("ix_rectification_status"), table_name="rectification")
    op.drop_table("rectification")
    # Dropping columns that carry a constraint needs the copy-and-move on SQLite: downgrade is for
    # development databases, not for a hall's store.
    with op.batch_alter_table("review") as batch_op:
        batch_op.drop_column("excluded")
    with op.batch_alter_table("inquiry") as batch_op:
        batch_op.drop_index("ix_inquiry_status")
        batch_op.drop_index("ix_inquiry_register_no")
        for column in (
            "version",
            "reply",
            "replied_by_id",
            "replied_at",
            "accepted_by_id",
            "accepted_at",
            "referred_clerk_id",
            "register_no",
        ):
            batch_op.drop_column(column)
