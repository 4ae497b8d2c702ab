"""The archive's tables: players, the song catalog, plays and what pages say about them."""

from typing import Optional

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
    Text,
    UniqueConstraint,
    text,
    update,
)
from sqlalchemy.orm import Session, declarative_base, relationship

# Named constraints let Alembic migrations refer to them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Base = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))

# SQLite numbers its rows only through INTEGER PRIMARY KEY; PostgreSQL gets BIGINT.
Identifier = BigInteger().with_variant(Integer(), "sqlite")


class Player(Base):
    """A player whose plays the archive keeps."""

    __tablename__ = "player"

    id = Column(Identifier, primary_key=True)
    name = Column(String(32), nullable=False, unique=True)  # the name in our URLs
    token_hash = Column(String(64))  # sha256 of the import token; the token is never stored
    created_at = Column(BigInteger, nullable=False)  # Unix time
    # Bumped in the transaction of every write that changes what the player's pages show
    # (imports, chart choices, catalog syncs): the key of the rendered-page cache.
    revision = Column(Integer, nullable=False, default=0, server_default=text("0"))


def bump_revision(session: Session, player_id: Optional[int] = None) -> None:
    """Count a change to one player's archive, or to every player's (a catalog sync)."""
    statement = update(Player).values(revision=Player.revision + 1)
    if player_id is not None:
        statement = statement.where(Player.id == player_id)
    session.execute(statement.execution_options(synchronize_session=False))


class Song(Base):
    """A song of the catalog, one per title and chart kind (as in the Diving-Fish format)."""

    __tablename__ = "song"
    __table_args__ = (Index(None, "title", "kind"),)

    id = Column(Identifier, primary_key=True)
    catalog_id = Column(String(16), unique=True)  # Diving-Fish id: "383", "10383"
    title = Column(Text, nullable=False)
    kind = Column(String(2), nullable=False)  # game.DX or game.STANDARD
    artist = Column(Text)
    genre = Column(Text)
    bpm = Column(Integer)
    version = Column(Text)  # the game version the song came with
    is_new = Column(Boolean, nullable=False, default=False)  # in the current version
    release_date = Column(String(16))

    charts = relationship("Chart", back_populates="song", order_by="Chart.difficulty")


class SongAlias(Base):
    """Another name players call a song by (别名), loaded by the operator from a file."""

    __tablename__ = "song_alias"
    __table_args__ = (UniqueConstraint("title", "alias"),)

    id = Column(Identifier, primary_key=True)
    title = Column(Text, nullable=False)  # the catalog title, for every kind of the song
    alias = Column(Text, nullable=False)


class CatalogSync(Base):
    """One sync of the catalog; the newest one's id is the version of every catalog page."""

    __tablename__ = "catalog_sync"

    id = Column(Identifier, primary_key=True)
    synced_at = Column(BigInteger, nullable=False)  # Unix time
    songs = Column(Integer, nullable=False)  # in the synced list
    added = Column(Integer, nullable=False)
    updated = Column(Integer, nullable=False)
    # jieba's words of every title and artist (JSON), written by the sync: see catalog.search.
    search_terms = Column(Text, nullable=True)


class Chart(Base):
    """One difficulty of a song, with its level and constant."""

    __tablename__ = "chart"
    __table_args__ = (UniqueConstraint("song_id", "difficulty"),)

    id = Column(Identifier, primary_key=True)
    song_id = Column(ForeignKey("song.id", ondelete="CASCADE"), nullable=False)
    difficulty = Column(SmallInteger, nullable=False)  # game.BASIC ... game.UTAGE
    level = Column(String(8))  # the label: "13+"
    constant_tenths = Column(Integer)  # 13.7 -> 137; None when unknown
    notes = Column(Integer)  # total notes
    charter = Column(Text)

    song = relationship("Song", back_populates="charts")


class Play(Base):
    """One play, as the official record page shows it; identified by its Unix time."""

    __tablename__ = "play"
    __table_args__ = (
        UniqueConstraint("player_id", "played_at"),
        Index(None, "player_id", "title", "kind", "difficulty", "played_at"),
        Index(None, "chart_id"),
        # The few plays no chart is linked to, by player: the tabs and the best 50 count them.
        Index(
            "ix_play_unlinked",
            "player_id",
            postgresql_where=text("chart_id IS NULL"),
            sqlite_where=text("chart_id IS NULL"),
        ),
    )

    id = Column(Identifier, primary_key=True)
    player_id = Column(ForeignKey("player.id", ondelete="CASCADE"), nullable=False)
    played_at = Column(BigInteger, nullable=False)  # Unix time from the page's idx
    utc_offset = Column(SmallInteger, nullable=False)  # minutes east of UTC
    ring_slot = Column(SmallInteger)  # the slot of the official 50-play ring
    track = Column(SmallInteger)  # 1..4
    title = Column(Text, nullable=False)
    kind = Column(String(2), nullable=False)
    difficulty = Column(SmallInteger, nullable=False)
    level = Column(String(8))
    achievement = Column(Integer, nullable=False)  # 1/10000 %: 98.6484 % -> 986484
    rank = Column(String(4), nullable=False)  # game.RANKS code
    dx_score = Column(Integer, nullable=False)
    dx_score_max = Column(Integer, nullable=False)
    dx_stars = Column(SmallInteger, nullable=False, default=0)
    fc = Column(SmallInteger, nullable=False, default=0)  # game.FC_* mark
    fs = Column(SmallInteger, nullable=False, default=0)  # game.FS_* mark
    achievement_new_record = Column(Boolean, nullable=False, default=False)
    dx_score_new_record = Column(Boolean, nullable=False, default=False)
    place = Column(SmallInteger)  # multiplayer place; None when played alone
    jacket = Column(String(64))
    chart_id = Column(ForeignKey("chart.id", ondelete="SET NULL"))
    service = Column(String(8), nullable=False)  # "cn" or "intl"
    imported_at = Column(BigInteger, nullable=False)

    detail = relationship("PlayDetail", uselist=False, back_populates="play")


class PlayDetail(Base):
    """What the playlogDetail page adds to a play."""

    __tablename__ = "play_detail"

    play_id = Column(ForeignKey("play.id", ondelete="CASCADE"), primary_key=True)
    judgements = Column(JSON)  # {"tap": [critical, perfect, great, good, miss], ...}
    fast = Column(Integer)
    late = Column(Integer)
    max_combo = Column(Integer)
    max_combo_total = Column(Integer)
    max_sync = Column(Integer)
    max_sync_total = Column(Integer)
    rating = Column(Integer)  # the player's rating after the play
    rating_delta = Column(Integer)
    matching_players = Column(JSON)

    play = relationship("Play", back_populates="detail")


class Score(Base):
    """A best score per chart as a score list or a Diving-Fish export showed it."""

    __tablename__ = "score"
    __table_args__ = (
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

    id = Column(Identifier, primary_key=True)
    player_id = Column(ForeignKey("player.id", ondelete="CASCADE"), nullable=False)
    title = Column(Text, nullable=False)
    kind = Column(String(2), nullable=False)
    difficulty = Column(SmallInteger, nullable=False)
    level = Column(String(8))
    achievement = Column(Integer, nullable=False)
    rank = Column(String(4), nullable=False)
    dx_score = Column(Integer, nullable=False, default=0)
    dx_score_max = Column(Integer)
    fc = Column(SmallInteger, nullable=False, default=0)
    fs = Column(SmallInteger, nullable=False, default=0)
    chart_id = Column(ForeignKey("chart.id", ondelete="SET NULL"))
    source = Column(String(16), nullable=False)  # "score_list" or "divingfish"
    observed_at = Column(BigInteger, nullable=False)


class BestScore(Base):
    """A player's best on one chart over every linked play and score reading.

    Kept by rating.bests in the transaction of every write that links, adds or changes a
    play or reading, so the pages read one row per chart instead of the whole archive.
    """

    __tablename__ = "best_score"
    # A frame's best charts in the order formula.best50 ranks them (read backwards), so the
    # best-50 page reads its 35 + 15 charts instead of rating every chart the player played.
    __table_args__ = (
        Index(
            "ix_best_score_frame", "player_id", "is_new", "rating", "achievement", "constant_tenths"
        ),
    )

    player_id = Column(ForeignKey("player.id", ondelete="CASCADE"), primary_key=True)
    chart_id = Column(ForeignKey("chart.id", ondelete="CASCADE"), primary_key=True)
    # Each the highest of any reading, as the game keeps them apart.
    achievement = Column(Integer, nullable=False)
    dx_score = Column(Integer, nullable=False)
    dx_score_max = Column(Integer)  # None: no reading showed it
    fc = Column(SmallInteger, nullable=False)
    fs = Column(SmallInteger, nullable=False)
    # The chart's as the catalog gives them, kept in step by every sync that changes them.
    constant_tenths = Column(Integer)  # None: the catalog does not know it
    # The frame the best counts in: True the current version's, False the earlier ones';
    # None for a UTAGE chart, which counts in neither.
    is_new = Column(Boolean)
    rating = Column(Integer)  # formula.chart_rating of the two; None without a constant


class ProfileSnapshot(Base):
    """A player's profile as an official page showed it at one time."""

    __tablename__ = "profile_snapshot"
    __table_args__ = (
        UniqueConstraint("player_id", "fingerprint"),
        Index(None, "player_id", "observed_at"),
    )

    id = Column(Identifier, primary_key=True)
    player_id = Column(ForeignKey("player.id", ondelete="CASCADE"), nullable=False)
    observed_at = Column(BigInteger, nullable=False)
    page = Column(String(16), nullable=False)  # "home", "player_data", "friend_code"
    name = Column(Text, nullable=False)
    rating = Column(Integer)
    title = Column(Text)
    course_rank = Column(String(32))
    class_rank = Column(String(32))
    stars = Column(Integer)
    play_count = Column(Integer)
    friend_code = Column(String(32))
    icon = Column(String(128))
    fingerprint = Column(String(64), nullable=False)  # sha256 of what the page showed


class ChartAlias(Base):
    """A player's choice of chart for a title the catalog cannot tell apart by itself."""

    __tablename__ = "chart_alias"
    __table_args__ = (UniqueConstraint("player_id", "title", "kind", "difficulty"),)

    id = Column(Identifier, primary_key=True)
    player_id = Column(ForeignKey("player.id", ondelete="CASCADE"), nullable=False)
    title = Column(Text, nullable=False)  # as the official pages show it
    kind = Column(String(2), nullable=False)
    difficulty = Column(SmallInteger, nullable=False)
    chart_id = Column(ForeignKey("chart.id", ondelete="CASCADE"), nullable=False)
    created_at = Column(BigInteger, nullable=False)  # Unix time


class Jacket(Base):
    """A song's jacket image, fetched once and kept so pages never link elsewhere for it."""

    __tablename__ = "jacket"

    id = Column(Identifier, primary_key=True)
    # The official image name a saved page gave ("0847c38d2a623e99"), or "song-<catalog id>"
    # for a cover fetched by the catalog's song id.
    name = Column(String(64), nullable=False, unique=True)
    song_id = Column(ForeignKey("song.id", ondelete="SET NULL"), index=True)
    digest = Column(String(64), nullable=False, index=True)  # sha256 of the bytes: the URL
    media_type = Column(String(16), nullable=False)  # image/png, image/jpeg, image/webp
    width = Column(SmallInteger, nullable=False)
    height = Column(SmallInteger, nullable=False)
    data = Column(LargeBinary, nullable=False)
    source = Column(Text, nullable=False)  # the URL it was fetched from
    fetched_at = Column(BigInteger, nullable=False)  # Unix time


class RatingTrend(Base):
    """Which revision of a player's archive the kept daily ratings (RatingDay) were replayed at.

    A page reads the days only while this matches the player's revision: every write that
    changes what the player's pages show (imports, chart choices, catalog syncs) bumps it.
    """

    __tablename__ = "rating_trend"

    player_id = Column(ForeignKey("player.id", ondelete="CASCADE"), primary_key=True)
    revision = Column(Integer, nullable=False)


class RatingDay(Base):
    """A player's rating at the end of a local day of play or of an imported profile."""

    __tablename__ = "rating_day"

    player_id = Column(ForeignKey("player.id", ondelete="CASCADE"), primary_key=True)
    day = Column(Integer, primary_key=True, autoincrement=False)  # local days since 1970-01-01
    rating = Column(Integer)  # None before the first play
    official_rating = Column(Integer)  # the last profile of that day, if one was imported
    rating_change = Column(Integer)  # since the day before with a rating; None on the first
