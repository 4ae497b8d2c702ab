"""Keep jacket images in the database, so pages serve them from the site itself

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    """Apply this revision."""
    op.create_table(
        "jacket",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("song_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=16), nullable=False),
        sa.Column("width", sa.SmallInteger(), nullable=False),
        sa.Column("height", sa.SmallInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("fetched_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["song_id"], ["song.id"], name=op.f("fk_jacket_song_id_song"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jacket")),
        sa.UniqueConstraint("name", name=op.f("uq_jacket_name")),
    )
    op.create_index(op.f("ix_jacket_song_id"), "jacket", ["song_id"], unique=False)
    op.create_index(op.f("ix_jacket_digest"), "jacket", ["digest"], unique=False)


def downgrade():
    """Undo this revision."""
    op.drop_index(op.f("ix_jacket_digest"), table_name="jacket")
    op.drop_index(op.f("ix_jacket_song_id"), table_name="jacket")
    op.drop_table("jacket")
