"""Keep each best's chart constant, frame and rating, and index the plays no chart is linked to

The best 50 then reads each frame's best charts in order, and counts the unlinked plays
without reading all of a player's plays.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None

#: formula.FACTORS as this revision rates: (lowest achievement in 1/10000 %, factor in tenths).
FACTORS = (
    (1005000, 224),
    (1004999, 222),
    (1000000, 216),
    (999999, 214),
    (995000, 211),
    (990000, 208),
    (989999, 206),
    (980000, 203),
    (970000, 200),
    (969999, 176),
    (940000, 168),
    (900000, 152),
    (800000, 136),
    (799999, 128),
    (750000, 120),
    (700000, 112),
    (600000, 96),
    (500000, 80),
    (400000, 64),
    (300000, 48),
    (200000, 32),
    (100000, 16),
)
ACHIEVEMENT_CAP = 1005000
RATING_DIVISOR = 10 * 10 * 10000 * 100
#: Each best's chart constant and frame (by the song's version; none for a UTAGE chart,
#: difficulty 10), as the catalog gives them.
CHART_FIELDS = """
UPDATE best_score SET
    constant_tenths = (
        SELECT chart.constant_tenths FROM chart WHERE chart.id = best_score.chart_id
    ),
    is_new = (
        SELECT CASE WHEN chart.difficulty = 10 THEN NULL ELSE song.is_new END
        FROM chart JOIN song ON song.id = chart.song_id
        WHERE chart.id = best_score.chart_id
    )
"""
#: Then its rating, as formula.chart_rating computes it, in the same exact integers.
RATING = """
UPDATE best_score SET rating = CAST(constant_tenths AS BIGINT)
    * CASE %s ELSE 0 END
    * CASE WHEN achievement > %d THEN %d WHEN achievement < 0 THEN 0 ELSE achievement END
    / %d
WHERE constant_tenths IS NOT NULL
""" % (
    " ".join("WHEN achievement >= %d THEN %d" % step for step in FACTORS),
    ACHIEVEMENT_CAP,
    ACHIEVEMENT_CAP,
    RATING_DIVISOR,
)


def upgrade():
    """Apply this revision."""
    with op.batch_alter_table("best_score") as batch:
        batch.add_column(sa.Column("constant_tenths", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("is_new", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("rating", sa.Integer(), nullable=True))
    op.execute(CHART_FIELDS)
    op.execute(RATING)
    op.create_index(
        "ix_best_score_frame",
        "best_score",
        ["player_id", "is_new", "rating", "achievement", "constant_tenths"],
    )
    op.create_index(
        "ix_play_unlinked",
        "play",
        ["player_id"],
        postgresql_where=sa.text("chart_id IS NULL"),
        sqlite_where=sa.text("chart_id IS NULL"),
    )


def downgrade():
    """Undo this revision."""
    op.drop_index("ix_play_unlinked", table_name="play")
    op.drop_index("ix_best_score_frame", table_name="best_score")
    with op.batch_alter_table("best_score") as batch:
        batch.drop_column("rating")
        batch.drop_column("is_new")
        batch.drop_column("constant_tenths")
