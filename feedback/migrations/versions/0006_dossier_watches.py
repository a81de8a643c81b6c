"""dossier watches: citizens told when their dossier changes status

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 13:20:00

One row per citizen and dossier; the watch poller claims due rows (FOR UPDATE SKIP LOCKED on
PostgreSQL), so several workers share the polling. (0005 comes from another branch; the lead
chains the two when merging.)
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    when = sqlmodel.sql.sqltypes.UTCDateTime
    op.create_table(
        "dossierwatch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", text(length=32), nullable=False),
        sa.Column("user_id", text(length=128), nullable=False),
        sa.Column("receipt_code", text(length=40), nullable=False),
        sa.Column("language", text(length=8), nullable=False),
        sa.Column("last_stage", text(length=16), nullable=False),
        sa.Column("status", text(length=16), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_check_at", when(), nullable=False),
        sa.Column("claimed_until", when(), nullable=True),
        sa.Column("last_outbox_id", sa.Integer(), nullable=True),
        sa.Column("note", text(length=500), nullable=True),
        sa.Column("created_at", when(), nullable=False),
        sa.Column("updated_at", when(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "user_id", "receipt_code", name="uq_dossier_watch"),
    )
    with op.batch_alter_table("dossierwatch", schema=None) as batch_op:
        batch_op.create_index("ix_dossierwatch_due", ["status", "next_check_at"], unique=False)


def downgrade() -> None:
    op.drop_table("dossierwatch")
