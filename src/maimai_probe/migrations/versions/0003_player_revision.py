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


def upgrade():
    """Apply this revision."""
    with op.batch_alter_table("player") as batch:
        batch.add_column(
            sa.Column("revision", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )


def downgrade():
    """Undo this revision."""
    with op.batch_alter_table("player") as batch:
        batch.drop_column("revision")
