"""The archive's tables as SQLAlchemy Core sees them; models.py maps its classes onto them.

The pages a visitor waits for read these tables without the ORM, so a cold start that serves
one imports no sqlalchemy.orm.
"""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

# Named constraints let Alembic migrations refer to them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# SQLite numbers its rows only through INTEGER PRIMARY KEY; PostgreSQL gets BIGINT.
Identifier = BigInteger().with_variant(Integer(), "sqlite")

#: A player whose plays the archive keeps.
player = Table(
    "player",
    metadata,
    Column("id", Identifier, primary_key=True),
    Column("name", String(32), nullable=False, unique=True),  # the name in our URLs
    Column("token_hash", String(64)),  # sha256 of the import token; the token is never stored
    Column("created_at", BigInteger, nullable=False),  # Unix time
    # Bumped in the transaction of every write that changes what the player's pages show
    # (imports, chart choices, catalog syncs): the key of the rendered-page cache.
    Column("revision", Integer, nullable=False, default=0, server_default=text("0")),
)

#: A song of the catalog, one per title and chart kind (as in the Diving-Fish format).
song = Table(
    "song",
    metadata,
    Column("id", Identifier, primary_key=True),
    Column("catalog_id", String(16), unique=True),  # Diving-Fish id: "383", "10383"
    Column("title", Text, nullable=False),
    Column("kind", String(2), nullable=False),  # game.DX or game.STANDARD
    Column("artist", Text),
    Column("genre", Text),
    Column("bpm", Integer),
    Column("version", Text),  # the game version the song came with
    Column("is_new", Boolean, nullable=False, default=False),  # in the current version
    Column("release_date", String(16)),
    Index(None, "title", "kind"),
)

#: Another name players call a song by (别名), loaded by the operator from a file.
song_alias = Table(
    "song_alias",
    metadata,
    Column("id", Identifier, primary_key=True),
    Column("title", Text, nullable=False),  # the catalog title, for every kind of the song
    Column("alias", Text, nullable=False),
    UniqueConstraint("title", "alias"),
)

#: One sync of the catalog; the newest one's id is the version of every catalog page.
catalog_sync = Table(
    "catalog_sync",
    metadata,
    Column("id", Identifier, primary_key=True),
    Column("synced_at", BigInteger, nullable=False),  # Unix time
    Column("songs", Integer, nullable=False),  # in the synced list
    Column("added", Integer, nullable=False),
    Column("updated", Integer, nullable=False),
    # jieba's words of every title and artist (JSON), written by the sync: see catalog.search.
    Column("search_terms", Text, nullable=True),
)

#: One difficulty of a song, with its level and constant.
chart = Table(
    "chart",
    metadata,
    Column("id", Identifier, primary_key=True),
    Column("song_id", ForeignKey("song.id", ondelete="CASCADE"), nullable=False),
    Column("difficulty", SmallInteger, nullable=False),  # game.BASIC ... game.UTAGE
    Column("level", String(8)),  # the label: "13+"
    Column("constant_tenths", Integer),  # 13.7 -> 137; None when unknown
    Column("notes", Integer),  # total notes
    Column("charter", Text),
    UniqueConstraint("song_id", "difficulty"),
)

#: One play, as the official record page shows it; identified by its Unix time.
play = Table(
    "play",
    metadata,
    Column("id", Identifier, primary_key=True),
    Column("player_id", ForeignKey("player.id", ondelete="CASCADE"), nullable=False),
    Column("played_at", BigInteger, nullable=False),  # Unix time from the page's idx
    Column("utc_offset", SmallInteger, nullable=False),  # minutes east of UTC
    Column("ring_slot", SmallInteger),  # the slot of the official 50-play ring
    Column("track", SmallInteger),  # 1..4
    Column("title", Text, nullable=False),
    Column("kind", String(2), nullable=False),
    Column("difficulty", SmallInteger, nullable=False),
    Column("level", String(8)),
    Column("achievement", Integer, nullable=False),  # 1/10000 %: 98.6484 % -> 986484
    Column("rank", String(4), nullable=False),  # game.RANKS code
    Column("dx_score", Integer, nullable=False),
    Column("dx_score_max", Integer, nullable=False),
    Column("dx_stars", SmallInteger, nullable=False, default=0),
    Column("fc", SmallInteger, nullable=False, default=0),  # game.FC_* mark
    Column("fs", SmallInteger, nullable=False, default=0),  # game.FS_* mark
    Column("achievement_new_record", Boolean, nullable=False, default=False),
    Column("dx_score_new_record", Boolean, nullable=False, default=False),
    Column("place", SmallInteger),  # multiplayer place; None when played alone
    Column("jacket", String(64)),
    Column("chart_id", ForeignKey("chart.id", ondelete="SET NULL")),
    Column("service", String(8), nullable=False),  # "cn" or "intl"
    Column("imported_at", BigInteger, nullable=False),
    UniqueConstraint("player_id", "played_at"),
    Index(None, "player_id", "title", "kind", "difficulty", "played_at"),
    Index(None, "chart_id"),
    # The few plays no chart is linked to, by player: models.py declares that partial index.
)

#: What the playlogDetail page adds to a play.
play_detail = Table(
    "play_detail",
    metadata,
    Column("play_id", ForeignKey("play.id", ondelete="CASCADE"), primary_key=True),
    Column("judgements", JSON),  # {"tap": [critical, perfect, great, good, miss], ...}
    Column("fast", Integer),
    Column("late", Integer),
    Column("max_combo", Integer),
    Column("max_combo_total", Integer),
    Column("max_sync", Integer),
    Column("max_sync_total", Integer),
    Column("rating", Integer),  # the player's rating after the play
    Column("rating_delta", Integer),
    Column("matching_players", JSON),
)

#: A best score per chart as a score list or a Diving-Fish export showed it.
score = Table(
    "score",
    metadata,
    Column("id", Identifier, primary_key=True),
    Column("player_id", ForeignKey("player.id", ondelete="CASCADE"), nullable=False),
    Column("title", Text, nullable=False),
    Column("kind", String(2), nullable=False),
    Column("difficulty", SmallInteger, nullable=False),
    Column("level", String(8)),
    Column("achievement", Integer, nullable=False),
    Column("rank", String(4), nullable=False),
    Column("dx_score", Integer, nullable=False, default=0),
    Column("dx_score_max", Integer),
    Column("fc", SmallInteger, nullable=False, default=0),
    Column("fs", SmallInteger, nullable=False, default=0),
    Column("chart_id", ForeignKey("chart.id", ondelete="SET NULL")),
    Column("source", String(16), nullable=False),  # "score_list" or "divingfish"
    Column("observed_at", BigInteger, nullable=False),
    UniqueConstraint(
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
    Index(None, "chart_id"),
)

#: A player's best on one chart over every linked play and score reading.
best_score = Table(
    "best_score",
    metadata,
    Column("player_id", ForeignKey("player.id", ondelete="CASCADE"), primary_key=True),
    Column("chart_id", ForeignKey("chart.id", ondelete="CASCADE"), primary_key=True),
    # Each the highest of any reading, as the game keeps them apart.
    Column("achievement", Integer, nullable=False),
    Column("dx_score", Integer, nullable=False),
    Column("dx_score_max", Integer),  # None: no reading showed it
    Column("fc", SmallInteger, nullable=False),
    Column("fs", SmallInteger, nullable=False),
    # The chart's as the catalog gives them, kept in step by every sync that changes them.
    Column("constant_tenths", Integer),  # None: the catalog does not know it
    # The frame the best counts in: True the current version's, False the earlier ones';
    # None for a UTAGE chart, which counts in neither.
    Column("is_new", Boolean),
    Column("rating", Integer),  # formula.chart_rating of the two; None without a constant
    # A frame's best charts in the order formula.best50 ranks them (read backwards), so the
    # best-50 page reads its 35 + 15 charts instead of rating every chart the player played.
    Index("ix_best_score_frame", "player_id", "is_new", "rating", "achievement", "constant_tenths"),
)

#: A player's profile as an official page showed it at one time.
profile_snapshot = Table(
    "profile_snapshot",
    metadata,
    Column("id", Identifier, primary_key=True),
    Column("player_id", ForeignKey("player.id", ondelete="CASCADE"), nullable=False),
    Column("observed_at", BigInteger, nullable=False),
    Column("page", String(16), nullable=False),  # "home", "player_data", "friend_code"
    Column("name", Text, nullable=False),
    Column("rating", Integer),
    Column("title", Text),
    Column("course_rank", String(32)),
    Column("class_rank", String(32)),
    Column("stars", Integer),
    Column("play_count", Integer),
    Column("friend_code", String(32)),
    Column("icon", String(128)),
    Column("fingerprint", String(64), nullable=False),  # sha256 of what the page showed
    UniqueConstraint("player_id", "fingerprint"),
    Index(None, "player_id", "observed_at"),
)

#: A player's choice of chart for a title the catalog cannot tell apart by itself.
chart_alias = Table(
    "chart_alias",
    metadata,
    Column("id", Identifier, primary_key=True),
    Column("player_id", ForeignKey("player.id", ondelete="CASCADE"), nullable=False),
    Column("title", Text, nullable=False),  # as the official pages show it
    Column("kind", String(2), nullable=False),
    Column("difficulty", SmallInteger, nullable=False),
    Column("chart_id", ForeignKey("chart.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", BigInteger, nullable=False),  # Unix time
    UniqueConstraint("player_id", "title", "kind", "difficulty"),
)

#: A song's jacket image, fetched once and kept so pages never link elsewhere for it.
jacket = Table(
    "jacket",
    metadata,
    Column("id", Identifier, primary_key=True),
    # The official image name a saved page gave ("0847c38d2a623e99"), or "song-<catalog id>"
    # for a cover fetched by the catalog's song id.
    Column("name", String(64), nullable=False, unique=True),
    Column("song_id", ForeignKey("song.id", ondelete="SET NULL"), index=True),
    Column("digest", String(64), nullable=False, index=True),  # sha256 of the bytes: the URL
    Column("media_type", String(16), nullable=False),  # image/png, image/jpeg, image/webp
    Column("width", SmallInteger, nullable=False),
    Column("height", SmallInteger, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("source", Text, nullable=False),  # the URL it was fetched from
    Column("fetched_at", BigInteger, nullable=False),  # Unix time
)

#: Which revision of a player's archive the kept daily ratings (RatingDay) were replayed at.
rating_trend = Table(
    "rating_trend",
    metadata,
    Column("player_id", ForeignKey("player.id", ondelete="CASCADE"), primary_key=True),
    Column("revision", Integer, nullable=False),
)

#: A player's rating at the end of a local day of play or of an imported profile.
rating_day = Table(
    "rating_day",
    metadata,
    Column("player_id", ForeignKey("player.id", ondelete="CASCADE"), primary_key=True),
    Column("day", Integer, primary_key=True, autoincrement=False),  # local days since 1970-01-01
    Column("rating", Integer),  # None before the first play
    Column("official_rating", Integer),  # the last profile of that day, if one was imported
    Column("rating_change", Integer),  # since the day before with a rating; None on the first
)
