"""Remember which chart a player chose for an ambiguous title

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    """Apply this revision."""
    op.create_table(
        "chart_alias",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "player_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=2), nullable=False),
        sa.Column("difficulty", sa.SmallInteger(), nullable=False),
        sa.Column("chart_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chart_id"],
            ["chart.id"],
            name=op.f("fk_chart_alias_chart_id_chart"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["player_id"],
            ["player.id"],
            name=op.f("fk_chart_alias_player_id_player"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chart_alias")),
        sa.UniqueConstraint(
            "player_id",
            "title",
            "kind",
            "difficulty",
            name=op.f("uq_chart_alias_player_id_title_kind_difficulty"),
        ),
    )


def downgrade():
    """Undo this revision."""
    op.drop_table("chart_alias")
