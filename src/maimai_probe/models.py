"""The archive's classes, mapped onto the tables of tables.py: for the views that write."""

from typing import Optional

from sqlalchemy import Index, text, update
from sqlalchemy.orm import Session, declarative_base, relationship

from . import tables

Base = declarative_base(metadata=tables.metadata)

# The few plays no chart is linked to, by player: the tabs and the best 50 count them. A
# partial index names each database's keyword, and naming one loads that dialect's module
# (PostgreSQL's even on SQLite), so it is declared here, with the classes the migrations and
# the writers import, rather than with the tables a page reads.
Index(
    "ix_play_unlinked",
    tables.play.c.player_id,
    postgresql_where=text("chart_id IS NULL"),
    sqlite_where=text("chart_id IS NULL"),
)


class Player(Base):
    """A player whose plays the archive keeps."""

    __table__ = tables.player


def bump_revision(session: Session, player_id: Optional[int] = None) -> None:
    """Count a change to one player's archive, or to every player's (a catalog sync)."""
    statement = update(Player).values(revision=Player.revision + 1)
    if player_id is not None:
        statement = statement.where(Player.id == player_id)
    session.execute(statement.execution_options(synchronize_session=False))


class Song(Base):
    """A song of the catalog, one per title and chart kind (as in the Diving-Fish format)."""

    __table__ = tables.song

    charts = relationship("Chart", back_populates="song", order_by="Chart.difficulty")


class SongAlias(Base):
    """Another name players call a song by (别名), loaded by the operator from a file."""

    __table__ = tables.song_alias


class CatalogSync(Base):
    """One sync of the catalog; the newest one's id is the version of every catalog page."""

    __table__ = tables.catalog_sync


class Chart(Base):
    """One difficulty of a song, with its level and constant."""

    __table__ = tables.chart

    song = relationship("Song", back_populates="charts")


class Play(Base):
    """One play, as the official record page shows it; identified by its Unix time."""

    __table__ = tables.play

    detail = relationship("PlayDetail", uselist=False, back_populates="play")


class PlayDetail(Base):
    """What the playlogDetail page adds to a play."""

    __table__ = tables.play_detail

    play = relationship("Play", back_populates="detail")


class Score(Base):
    """A best score per chart as a score list or a Diving-Fish export showed it."""

    __table__ = tables.score


class BestScore(Base):
    """A player's best on one chart over every linked play and score reading.

    Kept by rating.bests in the transaction of every write that links, adds or changes a
    play or reading, so the pages read one row per chart instead of the whole archive.
    """

    __table__ = tables.best_score


class ProfileSnapshot(Base):
    """A player's profile as an official page showed it at one time."""

    __table__ = tables.profile_snapshot


class ChartAlias(Base):
    """A player's choice of chart for a title the catalog cannot tell apart by itself."""

    __table__ = tables.chart_alias


class Jacket(Base):
    """A song's jacket image, fetched once and kept so pages never link elsewhere for it."""

    __table__ = tables.jacket


class RatingTrend(Base):
    """Which revision of a player's archive the kept daily ratings (RatingDay) were replayed at.

    A page reads the days only while this matches the player's revision: every write that
    changes what the player's pages show (imports, chart choices, catalog syncs) bumps it.
    """

    __table__ = tables.rating_trend


class RatingDay(Base):
    """A player's rating at the end of a local day of play or of an imported profile."""

    __table__ = tables.rating_day
