"""A player's best 50: the two frames from the archive, the next rank steps, the official rating."""

import functools
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

from flask import Blueprint, render_template
from sqlalchemy import BigInteger, bindparam, case, cast, func, or_, select
from sqlalchemy.orm import Session

from .. import db, game
from ..jackets.drawing import Kept, show
from ..models import Chart, Jacket, Play, ProfileSnapshot, Song
from ..player.home import player_or_404, player_page
from ..web.navigation import note_unmatched
from .bests import kept_bests
from .formula import (
    ACHIEVEMENT_CAP,
    FACTORS,
    NEW_FRAME_SIZE,
    OLD_FRAME_SIZE,
    RATING_DIVISOR,
    Best50,
    ChartBest,
    best50,
)

bp = Blueprint("rating", __name__, url_prefix="/players", template_folder="templates")


class PlayerRating(NamedTuple):
    """What the best-50 page and the rating API show."""

    best50: Best50
    official: Optional["OfficialRating"]  # from the newest profile that showed a rating
    unlinked_plays: int  # plays no chart is linked to: not rated


def rating_of(constant_tenths: Any, achievement: Any) -> Any:
    """Return formula.chart_rating as SQL: the same exact integers, floor division included."""
    # Above the cap every step is met: the steps may test the achievement as it is.
    factor = case(
        *[(achievement >= lowest, factor) for lowest, factor in FACTORS if lowest], else_=0
    )
    capped = case(
        (achievement > ACHIEVEMENT_CAP, ACHIEVEMENT_CAP), (achievement < 0, 0), else_=achievement
    )
    product = cast(constant_tenths, BigInteger) * factor * capped
    # The SQL "/" of two integers, which divides them whole on PostgreSQL and SQLite alike.
    return product.op("/", return_type=BigInteger())(RATING_DIVISOR)


class ChartMarks(NamedTuple):
    """What a best-50 card shows beside the achievement: the best DX score and marks."""

    dx_score: int
    dx_score_max: Optional[int]
    fc: int
    fs: int
    catalog_id: Optional[str]  # the song's Diving-Fish id: the card links by it

    @property
    def dx_stars(self) -> int:
        """Return the stars of the best DX score."""
        return game.dx_stars(self.dx_score, self.dx_score_max)


class Candidates(NamedTuple):
    """The charts the best 50 can hold, with each one's marks and kept jacket."""

    charts: List[ChartBest]
    marks: Dict[int, ChartMarks]
    jackets: Kept


@functools.lru_cache(maxsize=None)
def frames_statement() -> Any:
    """Build, once per process, the query of the charts the best 50 can hold."""
    best = kept_bests(bindparam("player_id"))
    rating = rating_of(Chart.constant_tenths, best.c.achievement)
    place = func.row_number().over(
        partition_by=(Song.is_new, Chart.constant_tenths.is_(None)),
        order_by=(rating.desc(), best.c.achievement.desc(), Chart.constant_tenths.desc(), Chart.id),
    )
    rated = (
        select(
            Chart.id,
            Song.title,
            Song.kind,
            Chart.difficulty,
            Chart.level,
            Chart.constant_tenths,
            best.c.achievement,
            Song.is_new,
            best.c.dx_score,
            func.coalesce(best.c.dx_score_max, Chart.notes * 3).label("dx_score_max"),
            best.c.fc,
            best.c.fs,
            Song.catalog_id,
            Song.id.label("song_id"),
            place.label("place"),
        )
        .join(best, best.c.chart_id == Chart.id)
        .join(Song, Chart.song_id == Song.id)
        .where(Chart.difficulty != game.UTAGE)
        .subquery()
    )
    # As jackets.store.kept finds a chart's jacket: its song's first kept one.
    jacket = (
        select(Jacket.digest)
        .where(Jacket.song_id == rated.c.song_id)
        .order_by(Jacket.id)
        .limit(1)
        .scalar_subquery()
    )
    size = case((rated.c.is_new, NEW_FRAME_SIZE), else_=OLD_FRAME_SIZE)
    return select(*list(rated.c)[:-2], jacket).where(
        or_(rated.c.place <= size, rated.c.constant_tenths.is_(None))
    )


def frame_candidates(session: Session, player_id: int) -> Candidates:
    """Return the charts the best 50 can hold, each with its marks and jacket, in one query.

    The database rates the player's kept bests and keeps each frame's best (35 of earlier
    versions, 15 of the current one, ordered as formula.best50 orders them) and every chart
    whose constant is unknown: the page reads those instead of every chart ever played.
    """
    rows = session.connection().execute(frames_statement(), {"player_id": player_id})
    found = Candidates([], {}, Kept({}, {}, {}))
    for row in rows:
        chart = ChartBest(*row[:8])
        found.charts.append(chart)
        found.marks[chart.chart_id] = ChartMarks(*row[8:13])
        if row[13] is not None:
            found.jackets.by_chart[chart.chart_id] = row[13]
    return found


def chart_bests(session: Session, player_id: int) -> List[ChartBest]:
    """Return the charts the player's best 50 can hold (formula.best50 picks from them)."""
    return frame_candidates(session, player_id).charts


class OfficialRating(NamedTuple):
    """The official rating as the newest profile that showed one gave it."""

    rating: int
    observed_at: int


@functools.lru_cache(maxsize=None)
def official_statement() -> Any:
    """Build, once per process, the query of the newest official rating."""
    return (
        select(ProfileSnapshot.rating, ProfileSnapshot.observed_at)
        .where(
            ProfileSnapshot.player_id == bindparam("player_id"),
            ProfileSnapshot.rating.isnot(None),
        )
        .order_by(ProfileSnapshot.observed_at.desc(), ProfileSnapshot.id.desc())
        .limit(1)
    )


def official_rating(session: Session, player_id: int) -> Optional[OfficialRating]:
    """Return the newest official rating a profile showed, and when."""
    row = session.connection().execute(official_statement(), {"player_id": player_id}).first()
    return None if row is None else OfficialRating(*row)


@functools.lru_cache(maxsize=None)
def unlinked_statement() -> Any:
    """Build, once per process, the count of a player's plays no chart is linked to."""
    return select(func.count(Play.id)).where(
        Play.player_id == bindparam("player_id"), Play.chart_id.is_(None)
    )


def unlinked_plays(session: Session, player_id: int) -> int:
    """Count the player's plays that no chart is linked to."""
    return session.connection().execute(unlinked_statement(), {"player_id": player_id}).scalar()


def player_rating(session: Session, player_id: int) -> PlayerRating:
    """Compute a player's best 50 from the archive, beside the official rating."""
    return rated(session, player_id)[0]


def rated(session: Session, player_id: int) -> Tuple[PlayerRating, Candidates]:
    """Compute a player's best 50, with the marks and jackets of the charts it can hold."""
    candidates = frame_candidates(session, player_id)
    rating = PlayerRating(
        best50(candidates.charts),
        official_rating(session, player_id),
        unlinked_plays(session, player_id),
    )
    return rating, candidates


@bp.route("/<name>/best50", endpoint="best50")
@player_page
def best50_page(name: str) -> str:
    """Show the player's best 50."""
    session = db.session()
    player = player_or_404(name, session)
    rating, candidates = rated(session, player.id)
    show(candidates.jackets)
    note_unmatched(player.id, rating.unlinked_plays > 0)  # the tabs need not ask again
    return render_template(
        "rating/best50.html", player=player, rating=rating, marks=candidates.marks
    )
