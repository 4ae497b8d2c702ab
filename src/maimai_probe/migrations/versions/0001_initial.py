"""Create the archive's tables

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    """Apply this revision."""
    op.create_table(
        "player",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_player")),
        sa.UniqueConstraint("name", name=op.f("uq_player_name")),
    )
    op.create_table(
        "song",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("catalog_id", sa.String(length=16), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=2), nullable=False),
        sa.Column("artist", sa.Text(), nullable=True),
        sa.Column("genre", sa.Text(), nullable=True),
        sa.Column("bpm", sa.Integer(), nullable=True),
        sa.Column("version", sa.Text(), nullable=True),
        sa.Column("is_new", sa.Boolean(), nullable=False),
        sa.Column("release_date", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_song")),
        sa.UniqueConstraint("catalog_id", name=op.f("uq_song_catalog_id")),
    )
    with op.batch_alter_table("song", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_song_title_kind"), ["title", "kind"], unique=False)

    op.create_table(
        "chart",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("song_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("difficulty", sa.SmallInteger(), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=True),
        sa.Column("constant_tenths", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Integer(), nullable=True),
        sa.Column("charter", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["song_id"], ["song.id"], name=op.f("fk_chart_song_id_song"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chart")),
        sa.UniqueConstraint("song_id", "difficulty", name=op.f("uq_chart_song_id_difficulty")),
    )
    op.create_table(
        "profile_snapshot",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "player_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("observed_at", sa.BigInteger(), nullable=False),
        sa.Column("page", sa.String(length=16), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("course_rank", sa.String(length=32), nullable=True),
        sa.Column("class_rank", sa.String(length=32), nullable=True),
        sa.Column("stars", sa.Integer(), nullable=True),
        sa.Column("play_count", sa.Integer(), nullable=True),
        sa.Column("friend_code", sa.String(length=32), nullable=True),
        sa.Column("icon", sa.String(length=128), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["player_id"],
            ["player.id"],
            name=op.f("fk_profile_snapshot_player_id_player"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profile_snapshot")),
        sa.UniqueConstraint(
            "player_id", "fingerprint", name=op.f("uq_profile_snapshot_player_id_fingerprint")
        ),
    )
    with op.batch_alter_table("profile_snapshot", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_profile_snapshot_player_id_observed_at"),
            ["player_id", "observed_at"],
            unique=False,
        )

    op.create_table(
        "play",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "player_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("played_at", sa.BigInteger(), nullable=False),
        sa.Column("utc_offset", sa.SmallInteger(), nullable=False),
        sa.Column("ring_slot", sa.SmallInteger(), nullable=True),
        sa.Column("track", sa.SmallInteger(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=2), nullable=False),
        sa.Column("difficulty", sa.SmallInteger(), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=True),
        sa.Column("achievement", sa.Integer(), nullable=False),
        sa.Column("rank", sa.String(length=4), nullable=False),
        sa.Column("dx_score", sa.Integer(), nullable=False),
        sa.Column("dx_score_max", sa.Integer(), nullable=False),
        sa.Column("dx_stars", sa.SmallInteger(), nullable=False),
        sa.Column("fc", sa.SmallInteger(), nullable=False),
        sa.Column("fs", sa.SmallInteger(), nullable=False),
        sa.Column("achievement_new_record", sa.Boolean(), nullable=False),
        sa.Column("dx_score_new_record", sa.Boolean(), nullable=False),
        sa.Column("place", sa.SmallInteger(), nullable=True),
        sa.Column("jacket", sa.String(length=64), nullable=True),
        sa.Column("chart_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("service", sa.String(length=8), nullable=False),
        sa.Column("imported_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chart_id"], ["chart.id"], name=op.f("fk_play_chart_id_chart"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["player_id"], ["player.id"], name=op.f("fk_play_player_id_player"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_play")),
        sa.UniqueConstraint("player_id", "played_at", name=op.f("uq_play_player_id_played_at")),
    )
    with op.batch_alter_table("play", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_play_chart_id"), ["chart_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_play_player_id_title_kind_difficulty_played_at"),
            ["player_id", "title", "kind", "difficulty", "played_at"],
            unique=False,
        )

    op.create_table(
        "score",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "player_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=2), nullable=False),
        sa.Column("difficulty", sa.SmallInteger(), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=True),
        sa.Column("achievement", sa.Integer(), nullable=False),
        sa.Column("rank", sa.String(length=4), nullable=False),
        sa.Column("dx_score", sa.Integer(), nullable=False),
        sa.Column("dx_score_max", sa.Integer(), nullable=True),
        sa.Column("fc", sa.SmallInteger(), nullable=False),
        sa.Column("fs", sa.SmallInteger(), nullable=False),
        sa.Column("chart_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("observed_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chart_id"], ["chart.id"], name=op.f("fk_score_chart_id_chart"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["player_id"], ["player.id"], name=op.f("fk_score_player_id_player"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_score")),
        sa.UniqueConstraint(
            "player_id",
            "title",
            "kind",
            "difficulty",
            "achievement",
            "dx_score",
            "fc",
            "fs",
            name="uq_score_identity",
        ),
    )
    with op.batch_alter_table("score", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_score_chart_id"), ["chart_id"], unique=False)

    op.create_table(
        "play_detail",
        sa.Column("play_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("judgements", sa.JSON(), nullable=True),
        sa.Column("fast", sa.Integer(), nullable=True),
        sa.Column("late", sa.Integer(), nullable=True),
        sa.Column("max_combo", sa.Integer(), nullable=True),
        sa.Column("max_combo_total", sa.Integer(), nullable=True),
        sa.Column("max_sync", sa.Integer(), nullable=True),
        sa.Column("max_sync_total", sa.Integer(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rating_delta", sa.Integer(), nullable=True),
        sa.Column("matching_players", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["play_id"], ["play.id"], name=op.f("fk_play_detail_play_id_play"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("play_id", name=op.f("pk_play_detail")),
    )


def downgrade():
    """Undo this revision."""
    op.drop_table("play_detail")
    with op.batch_alter_table("score", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_score_chart_id"))

    op.drop_table("score")
    with op.batch_alter_table("play", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_play_player_id_title_kind_difficulty_played_at"))
        batch_op.drop_index(batch_op.f("ix_play_chart_id"))

    op.drop_table("play")
    with op.batch_alter_table("profile_snapshot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_profile_snapshot_player_id_observed_at"))

    op.drop_table("profile_snapshot")
    op.drop_table("chart")
    with op.batch_alter_table("song", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_song_title_kind"))

    op.drop_table("song")
    op.drop_table("player")
