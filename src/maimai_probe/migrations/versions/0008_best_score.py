"""Keep each player's best per chart, so pages need not read the whole archive for it

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

IDENTIFIER = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
#: The best of every linked chart over plays and score readings, as rating.bests keeps it.
BACKFILL = """
INSERT INTO best_score (player_id, chart_id, achievement, dx_score, dx_score_max, fc, fs)
SELECT player_id, chart_id, max(achievement), max(dx_score), max(dx_score_max), max(fc), max(fs)
FROM (
    SELECT player_id, chart_id, achievement, dx_score, dx_score_max, fc, fs
    FROM play WHERE chart_id IS NOT NULL
    UNION ALL
    SELECT player_id, chart_id, achievement, dx_score, dx_score_max, fc, fs
    FROM score WHERE chart_id IS NOT NULL
) AS readings
GROUP BY player_id, chart_id
"""


def upgrade():
    """Apply this revision."""
    op.create_table(
        "best_score",
        sa.Column("player_id", IDENTIFIER, nullable=False),
        sa.Column("chart_id", IDENTIFIER, nullable=False),
        sa.Column("achievement", sa.Integer(), nullable=False),
        sa.Column("dx_score", sa.Integer(), nullable=False),
        sa.Column("dx_score_max", sa.Integer(), nullable=True),
        sa.Column("fc", sa.SmallInteger(), nullable=False),
        sa.Column("fs", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chart_id"],
            ["chart.id"],
            name=op.f("fk_best_score_chart_id_chart"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["player_id"],
            ["player.id"],
            name=op.f("fk_best_score_player_id_player"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("player_id", "chart_id", name=op.f("pk_best_score")),
    )
    op.execute(BACKFILL)


def downgrade():
    """Undo this revision."""
    op.drop_table("best_score")
