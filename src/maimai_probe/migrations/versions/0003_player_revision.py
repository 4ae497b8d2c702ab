"""Count each player's archive changes, so rendered pages can be cached per revision

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both databases: a batch (copy-and-move) migration would drop the
# player table on SQLite, and with foreign keys on that deletes every play by cascade.


def upgrade():
    """Apply this revision."""
    op.add_column(
        "player",
        sa.Column("revision", sa.Integer(), nullable=False, server_default=sa.text("0")),
    )


def downgrade():
    """Undo this revision (SQLite 3.35 or later drops columns)."""
    op.drop_column("player", "revision")
