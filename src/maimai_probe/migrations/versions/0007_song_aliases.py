"""Keep the aliases (别名) players call songs by, searched with the titles

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    """Apply this revision."""
    op.create_table(
        "song_alias",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("alias", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_song_alias")),
        sa.UniqueConstraint("title", "alias", name=op.f("uq_song_alias_title_alias")),
    )


def downgrade():
    """Undo this revision."""
    op.drop_table("song_alias")
