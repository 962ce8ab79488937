"""queue calling: priority classes, transfers, recall/hold/no-show state, window pause, event outcome

Revision ID: 0002_queue
Revises: 0001
Create Date: 2026-11-29 12:00:00

Written by hand so that it never rebuilds a table on SQLite: batch mode's copy-and-move drops the old
table, and with ``foreign_keys=ON`` (inside the migration's transaction, where the pragma cannot be
switched off) that DROP fails as soon as a case or review refers to a ticket. SQLite can add a column
with a REFERENCES clause in place, so foreign keys of new columns go in with ``ADD COLUMN`` there.

On PostgreSQL an AFTER INSERT trigger on ``call_event`` sends ``NOTIFY hallclient_queue, '<json>'``:
every queue change writes a call event, so every change notifies, in its own transaction.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_queue"
down_revision = "0001"
branch_labels = None
depends_on = None

PRIORITY_CLASSES = [
    {"code": "green", "label": "绿色通道", "rank": 1, "needs_verification": True, "active": True},
    {"code": "military", "label": "军人优先", "rank": 2, "needs_verification": True, "active": True},
    {"code": "disabled", "label": "残疾人", "rank": 3, "needs_verification": True, "active": True},
    {"code": "elderly", "label": "老年人", "rank": 4, "needs_verification": True, "active": True},
    {"code": "pregnant", "label": "孕妇及重病患者", "rank": 5, "needs_verification": True, "active": True},
    {"code": "appointment", "label": "预约", "rank": 6, "needs_verification": False, "active": True},
]

NOTIFY_FUNCTION = """
CREATE OR REPLACE FUNCTION hallclient_queue_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('hallclient_queue', json_build_object(
        'id', NEW.id, 'action', NEW.action, 'ticket', NEW.ticket_id,
        'window', NEW.window_id, 'business', NEW.business_id)::text);
    RETURN NULL;
END
$$
"""
NOTIFY_TRIGGER = (
    "CREATE TRIGGER call_event_notify AFTER INSERT ON call_event "
    "FOR EACH ROW EXECUTE FUNCTION hallclient_queue_notify()"
)


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
    priority_class = op.create_table(
        "priority_class",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=50), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("needs_verification", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_priority_class")),
    )
    op.bulk_insert(priority_class, PRIORITY_CLASSES)

    op.add_column("window", sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "window", sa.Column("pause_reason", sa.String(length=100), server_default="", nullable=False)
    )
    op.add_column("window", sa.Column("normal_streak", sa.Integer(), server_default="0", nullable=False))

    _add_fk_column("ticket", "target_business_id", sa.Integer(), "business", "id")
    _add_fk_column("ticket", "target_window_id", sa.Integer(), "window", "id")
    op.add_column("ticket", sa.Column("first_called_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("ticket", sa.Column("parked_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("ticket", sa.Column("recalls", sa.Integer(), server_default="0", nullable=False))
    op.add_column("ticket", sa.Column("transfers", sa.Integer(), server_default="0", nullable=False))
    _add_fk_column("ticket", "priority_code", sa.String(length=16), "priority_class", "code")
    op.add_column("ticket", sa.Column("priority_rank", sa.Integer(), server_default="0", nullable=False))
    _add_fk_column("ticket", "priority_verifier_id", sa.Integer(), "clerk", "id")
    op.add_column(
        "ticket",
        sa.Column("priority_document_type", sa.String(length=40), server_default="", nullable=False),
    )
    op.create_index("ix_ticket_window_status", "ticket", ["window_id", "status"], unique=False)
    # Tickets called before this revision: their first call is their (only) call.
    op.execute("UPDATE ticket SET first_called_at = called_at WHERE called_at IS NOT NULL")

    _add_fk_column("call_event", "business_id", sa.Integer(), "business", "id")
    op.add_column("call_event", sa.Column("outcome", sa.String(length=16), server_default="", nullable=False))

    if op.get_bind().dialect.name == "postgresql":
        op.execute(NOTIFY_FUNCTION)
        op.execute(NOTIFY_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS call_event_notify ON call_event")
        op.execute("DROP FUNCTION IF EXISTS hallclient_queue_notify()")
    # Dropping columns that carry a constraint needs the copy-and-move on SQLite: downgrade is for
    # development databases, not for a hall's store.
    with op.batch_alter_table("call_event") as batch_op:
        batch_op.drop_column("outcome")
        batch_op.drop_column("business_id")
    with op.batch_alter_table("ticket") as batch_op:
        batch_op.drop_index("ix_ticket_window_status")
        for column in (
            "priority_document_type",
            "priority_verifier_id",
            "priority_rank",
            "priority_code",
            "transfers",
            "recalls",
            "parked_at",
            "first_called_at",
            "target_window_id",
            "target_business_id",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("window") as batch_op:
        batch_op.drop_column("normal_streak")
        batch_op.drop_column("pause_reason")
        batch_op.drop_column("paused_at")
    op.drop_table("priority_class")
