"""Keep each player's rating day by day, replayed once per revision of the archive

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    """Apply this revision."""
    op.create_table(
        "rating_trend",
        sa.Column(
            "player_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["player_id"],
            ["player.id"],
            name=op.f("fk_rating_trend_player_id_player"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("player_id", name=op.f("pk_rating_trend")),
    )
    op.create_table(
        "rating_day",
        sa.Column(
            "player_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("day", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("official_rating", sa.Integer(), nullable=True),
        sa.Column("rating_change", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["player_id"],
            ["player.id"],
            name=op.f("fk_rating_day_player_id_player"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("player_id", "day", name=op.f("pk_rating_day")),
    )


def downgrade():
    """Undo this revision."""
    op.drop_table("rating_day")
    op.drop_table("rating_trend")
