"""dossier events: lookups shown and status-change notifications, for the province's report

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 15:10:00

One row per status card shown (per channel, staff lookups as ``staff``) and per notification
the watch poller queued; a notification the platform refused for good turns ``unreachable``.
No personal data: the report counts them, nothing else reads them.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "dossierevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", text(length=16), nullable=False),
        sa.Column("channel", text(length=32), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dossierevent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dossierevent_outbox_id"), ["outbox_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_dossierevent_created_at"), ["created_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("dossierevent")
