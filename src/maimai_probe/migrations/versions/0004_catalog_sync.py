"""Record each catalog sync, so catalog pages can be cached per sync

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    """Apply this revision."""
    op.create_table(
        "catalog_sync",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("synced_at", sa.BigInteger(), nullable=False),
        sa.Column("songs", sa.Integer(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_sync")),
    )


def downgrade():
    """Undo this revision."""
    op.drop_table("catalog_sync")
