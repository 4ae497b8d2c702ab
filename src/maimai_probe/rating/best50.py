"""A player's best 50: the two frames from the archive, the next rank steps, the official rating."""

import functools
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

from flask import Blueprint, render_template
from sqlalchemy import bindparam, func, select, true, union_all
from sqlalchemy.orm import Session

from .. import db, game
from ..jackets.columns import song_jacket
from ..jackets.drawing import Kept, show
from ..models import BestScore, Chart, Play, ProfileSnapshot, Song
from ..player.home import player_or_404
from ..player.lookup import player_page
from ..web.navigation import note_unmatched
from .b50_cards import b50_cards
from .formula import NEW_FRAME_SIZE, OLD_FRAME_SIZE, Best50, ChartBest, best50

bp = Blueprint("rating", __name__, url_prefix="/players", template_folder="templates")
#: The columns of best_score the frames read.
PICKED = (
    "chart_id",
    "achievement",
    "dx_score",
    "dx_score_max",
    "fc",
    "fs",
    "constant_tenths",
    "is_new",
)


class PlayerRating(NamedTuple):
    """What the best-50 page and the rating API show."""

    best50: Best50
    official: Optional["OfficialRating"]  # from the newest profile that showed a rating
    unlinked_plays: int  # plays no chart is linked to: not rated


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
    best = BestScore.__table__
    # Each frame's best as formula.best50 orders them: the index, read backwards, gives the
    # first three keys; the chart id only orders ties.
    order = (
        best.c.rating.desc(),
        best.c.achievement.desc(),
        best.c.constant_tenths.desc(),
        best.c.chart_id,
    )
    parts = []
    for is_new, size in ((False, OLD_FRAME_SIZE), (True, NEW_FRAME_SIZE)):
        rated = (
            select(*[best.c[name] for name in PICKED])
            .where(
                best.c.player_id == bindparam("player_id"),
                best.c.is_new == is_new,
                best.c.rating.isnot(None),
            )
            .order_by(*order)
            .limit(size)
            .subquery()
        )
        parts.append(select(rated))
    # Constant unknown: every one of both frames (is_new is NULL for UTAGE: in neither).
    parts.append(
        select(*[best.c[name] for name in PICKED]).where(
            best.c.player_id == bindparam("player_id"),
            best.c.is_new.isnot(None),
            best.c.rating.is_(None),
        )
    )
    picked = union_all(*parts).subquery()
    jacket = song_jacket(Song.id)
    return (
        select(
            Chart.id,
            Song.title,
            Song.kind,
            Chart.difficulty,
            Chart.level,
            picked.c.constant_tenths,
            picked.c.achievement,
            picked.c.is_new,
            picked.c.dx_score,
            func.coalesce(picked.c.dx_score_max, Chart.notes * 3).label("dx_score_max"),
            picked.c.fc,
            picked.c.fs,
            Song.catalog_id,
            jacket,
        )
        .join_from(picked, Chart, Chart.id == picked.c.chart_id)
        .join(Song, Song.id == Chart.song_id)
    )


def frame_candidates(session: Session, player_id: int) -> Candidates:
    """Return the charts the best 50 can hold, each with its marks and jacket, in one query.

    best_score keeps each best's rating: the database reads each frame's best (35 of earlier
    versions, 15 of the current one, ordered as formula.best50 orders them) and every chart
    whose constant is unknown, instead of rating every chart ever played.
    """
    rows = session.connection().execute(frames_statement(), {"player_id": player_id})
    return read_candidates(rows)


def read_candidates(rows: Any, start: int = 0) -> Candidates:
    """Read the rows of frames_statement, whose columns begin at start (None: no chart)."""
    found = Candidates([], {}, Kept({}, {}, {}))
    for row in rows:
        row = row[start:]
        if row[0] is None:
            continue
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
def rated_statement() -> Any:
    """Build, once per process, the best 50's query: what the page shows beside its charts.

    Each row: the official rating and its time from the newest profile that showed one, the
    count of the player's plays no chart is linked to, then one chart the frames can hold
    (frames_statement's columns, all None in the one row of a player without any).
    """
    newest = (
        select(ProfileSnapshot.rating, ProfileSnapshot.observed_at)
        .where(
            ProfileSnapshot.player_id == bindparam("player_id"),
            ProfileSnapshot.rating.isnot(None),
        )
        .order_by(ProfileSnapshot.observed_at.desc(), ProfileSnapshot.id.desc())
        .limit(1)
        .subquery()
    )
    unlinked = (
        select(func.count())  # of the index alone: count(*)
        .select_from(Play)
        .where(Play.player_id == bindparam("player_id"), Play.chart_id.is_(None))
        .scalar_subquery()
    )
    # The count's row is always there: the newest profile, then each chart, join it if any.
    counted = select(unlinked.label("unlinked")).subquery()
    frames = frames_statement().subquery()
    return select(newest.c.rating, newest.c.observed_at, counted.c.unlinked, *frames.c).select_from(
        counted.outerjoin(newest, true()).outerjoin(frames, true())
    )


def player_rating(session: Session, player_id: int) -> PlayerRating:
    """Compute a player's best 50 from the archive, beside the official rating."""
    return rated(session, player_id)[0]


def rated(session: Session, player_id: int) -> Tuple[PlayerRating, Candidates]:
    """Compute a player's best 50, with the marks and jackets of the charts it can hold."""
    rows = session.connection().execute(rated_statement(), {"player_id": player_id}).all()
    official_rating, observed_at, unlinked = rows[0][:3]
    official = None if official_rating is None else OfficialRating(official_rating, observed_at)
    candidates = read_candidates(rows, start=3)
    rating = PlayerRating(best50(candidates.charts), official, unlinked)
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
        "rating/best50.html",
        player=player,
        rating=rating,
        marks=candidates.marks,
        b50_cards=b50_cards,
    )
