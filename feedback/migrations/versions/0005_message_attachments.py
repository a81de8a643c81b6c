"""attachments of citizens' messages

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 13:10:00

Pictures, files, stickers, locations and voice messages citizens send are kept with the
message (the platform's URL or file id and the kind, as JSON), in the inbound queue and in
the conversation's log, so staff see them in the case transcript.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLES = ("inboundmessage", "message")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("attachments", sa.Text(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("attachments")
