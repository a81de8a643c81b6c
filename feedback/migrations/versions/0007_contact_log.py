"""the hotline and counter desk's contact log

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 13:10:00

One row per phone call or counter visit staff record: channel, procedure discussed, outcome,
and the feedback item it opened. (0005 and 0006 are being written on other branches; whoever
merges them sets ``down_revision`` to the head before this one.)
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contactlog",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("procedure_code", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("staff", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("feedback_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["feedback_id"], ["feedbackitem.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contactlog", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contactlog_procedure_code"), ["procedure_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_contactlog_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_table("contactlog")
