"""CompStat follow-up: meeting action items and the history of their status.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

STATUSES = ("open", "in_progress", "done", "dropped")
CLOSED = "status IN ('done', 'dropped')"


def _status(nullable: bool, name: str = "status") -> sa.Column[str]:
    kind = sa.Enum(*STATUSES, name="followup_status", native_enum=False, length=16)
    return sa.Column(name, kind, nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "followup_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency", sa.String(length=120), nullable=False),
        sa.Column("level", sa.String(length=64), nullable=False),
        sa.Column("geography", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        _status(nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            f"NOT ({CLOSED}) OR (closed_on IS NOT NULL AND outcome IS NOT NULL)",
            name=op.f("ck_followup_items_closed_has_outcome"),
        ),
        sa.CheckConstraint(
            f"{CLOSED} OR closed_on IS NULL", name=op.f("ck_followup_items_open_not_closed")
        ),
        sa.CheckConstraint(
            "due_on >= raised_on", name=op.f("ck_followup_items_due_not_before_raised")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_followup_items_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_followup_items")),
    )
    op.create_index(op.f("ix_followup_items_due_on"), "followup_items", ["due_on"])
    op.create_index("ix_followup_items_place", "followup_items", ["agency", "level", "geography"])
    op.create_table(
        "followup_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        _status(nullable=True, name="from_status"),
        _status(nullable=False, name="to_status"),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["followup_items.id"],
            name=op.f("fk_followup_status_changes_item_id_followup_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_followup_status_changes_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_followup_status_changes")),
    )
    op.create_index(
        op.f("ix_followup_status_changes_item_id"), "followup_status_changes", ["item_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_followup_status_changes_item_id"), table_name="followup_status_changes")
    op.drop_table("followup_status_changes")
    op.drop_index("ix_followup_items_place", table_name="followup_items")
    op.drop_index(op.f("ix_followup_items_due_on"), table_name="followup_items")
    op.drop_table("followup_items")
