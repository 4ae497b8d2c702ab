"""A song's charts for its page: the catalog's levels and constants, and the player's bests.

A chart is named by a history.ChartKey: its title, kind and difficulty.
"""

from typing import Any, Dict, List, NamedTuple, Optional

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from ..models import Chart, Play, Score, Song


class SongInfo(NamedTuple):
    """The catalog's song a chart belongs to."""

    song_id: int
    catalog_id: Optional[str]
    artist: Optional[str]
    version: Optional[str]


class DifficultyTab(NamedTuple):
    """One difficulty of the song in the page's switcher."""

    difficulty: int
    level: Optional[str]
    constant_tenths: Optional[int]
    best: Optional[int]  # the player's best achievement on it; None: never played


class SongCharts(NamedTuple):
    """The song of a chart, when the catalog knows it alone, and every difficulty of it."""

    song: Optional[SongInfo]
    tabs: List[DifficultyTab]


def catalog_charts(session: Session, key: Any, catalog_id: Optional[str] = None) -> List:
    """Return the catalog's charts of the song: by its id, or by title and kind."""
    statement = (
        select(
            Song.id,
            Song.catalog_id,
            Song.artist,
            Song.version,
            Chart.difficulty,
            Chart.level,
            Chart.constant_tenths,
        )
        .join(Chart, Chart.song_id == Song.id)
        .order_by(Song.id, Chart.difficulty)
    )
    if catalog_id is not None:
        statement = statement.where(Song.catalog_id == catalog_id)
    else:
        statement = statement.where(Song.title == key.title, Song.kind == key.kind)
    return session.execute(statement).all()


def bests_by_difficulty(session: Session, player_id: int, key: Any) -> Dict[int, int]:
    """Return the player's best achievement on each difficulty of a title and kind."""
    readings = union_all(
        select(Play.difficulty, Play.achievement).where(
            Play.player_id == player_id, Play.title == key.title, Play.kind == key.kind
        ),
        select(Score.difficulty, Score.achievement).where(
            Score.player_id == player_id, Score.title == key.title, Score.kind == key.kind
        ),
    ).subquery()
    rows = session.execute(
        select(readings.c.difficulty, func.max(readings.c.achievement)).group_by(
            readings.c.difficulty
        )
    )
    return dict(rows.all())


def song_charts(
    session: Session, player_id: int, key: Any, catalog_id: Optional[str] = None
) -> SongCharts:
    """Return the chart's song and its difficulties with the player's best on each.

    A title two catalog songs share (the two "Link") names no song: only the difficulties
    played under it are offered, as the plays name them.
    """
    rows = catalog_charts(session, key, catalog_id)
    song = None  # type: Optional[SongInfo]
    charts = {}  # type: Dict[int, Any]
    if rows and len({row[0] for row in rows}) == 1:
        song = SongInfo(*rows[0][:4])
        charts = {row[4]: row[5:] for row in rows}
    bests = bests_by_difficulty(session, player_id, key)
    tabs = []
    for difficulty in sorted(set(charts) | set(bests) | {key.difficulty}):
        level, constant = charts.get(difficulty, (None, None))
        tabs.append(DifficultyTab(difficulty, level, constant, bests.get(difficulty)))
    return SongCharts(song, tabs)
