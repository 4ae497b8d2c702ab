"""A player's best 50: the two frames from the archive, the next rank steps, the official rating."""

from typing import Any, Dict, Iterable, List, NamedTuple, Optional

from flask import Blueprint, render_template
from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from .. import db, game
from ..jackets.serving import show
from ..jackets.store import kept
from ..models import Chart, Play, ProfileSnapshot, Score, Song
from ..player.home import player_or_404, player_page
from .formula import Best50, ChartBest, best50

bp = Blueprint("rating", __name__, url_prefix="/players", template_folder="templates")


class PlayerRating(NamedTuple):
    """What the best-50 page and the rating API show."""

    best50: Best50
    official: Optional[ProfileSnapshot]  # the newest profile that showed a rating
    unlinked_plays: int  # plays no chart is linked to: not rated


def best_per_chart(player_id: int) -> Any:
    """Return a subquery of each linked chart's best achievement in plays and scores alike."""
    readings = union_all(
        select(Play.chart_id.label("chart_id"), Play.achievement.label("achievement")).where(
            Play.player_id == player_id, Play.chart_id.isnot(None)
        ),
        select(Score.chart_id.label("chart_id"), Score.achievement.label("achievement")).where(
            Score.player_id == player_id, Score.chart_id.isnot(None)
        ),
    ).subquery()
    return (
        select(readings.c.chart_id, func.max(readings.c.achievement).label("achievement"))
        .group_by(readings.c.chart_id)
        .subquery()
    )


def chart_bests(session: Session, player_id: int) -> List[ChartBest]:
    """Return each linked chart's best achievement across the player's plays and scores."""
    best = best_per_chart(player_id)
    rows = session.execute(
        select(
            Chart.id,
            Song.title,
            Song.kind,
            Chart.difficulty,
            Chart.level,
            Chart.constant_tenths,
            best.c.achievement,
            Song.is_new,
        )
        .join(best, best.c.chart_id == Chart.id)
        .join(Song, Chart.song_id == Song.id)
    )
    return [ChartBest(*row) for row in rows]


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


def chart_marks(
    session: Session, player_id: int, chart_ids: Iterable[int]
) -> Dict[int, ChartMarks]:
    """Return the best DX score and marks on some charts, from plays and score readings."""
    chart_ids = sorted(set(chart_ids))
    if not chart_ids:
        return {}
    columns = ("chart_id", "dx_score", "dx_score_max", "fc", "fs")
    readings = union_all(
        select(*(getattr(Play, name) for name in columns)).where(
            Play.player_id == player_id, Play.chart_id.in_(chart_ids)
        ),
        select(*(getattr(Score, name) for name in columns)).where(
            Score.player_id == player_id, Score.chart_id.in_(chart_ids)
        ),
    ).subquery()
    rows = session.execute(
        select(
            readings.c.chart_id,
            func.max(readings.c.dx_score),
            func.coalesce(func.max(readings.c.dx_score_max), func.max(Chart.notes) * 3),
            func.max(readings.c.fc),
            func.max(readings.c.fs),
            func.max(Song.catalog_id),
        )
        .join(Chart, Chart.id == readings.c.chart_id)
        .join(Song, Song.id == Chart.song_id)
        .group_by(readings.c.chart_id)
    )
    return {row[0]: ChartMarks(*row[1:]) for row in rows}


def official_rating(session: Session, player_id: int) -> Optional[ProfileSnapshot]:
    """Return the newest profile snapshot that showed the official rating."""
    return session.execute(
        select(ProfileSnapshot)
        .where(ProfileSnapshot.player_id == player_id, ProfileSnapshot.rating.isnot(None))
        .order_by(ProfileSnapshot.observed_at.desc(), ProfileSnapshot.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def unlinked_plays(session: Session, player_id: int) -> int:
    """Count the player's plays that no chart is linked to."""
    return session.scalar(
        select(func.count(Play.id)).where(Play.player_id == player_id, Play.chart_id.is_(None))
    )


def player_rating(session: Session, player_id: int) -> PlayerRating:
    """Compute a player's best 50 from the archive, beside the official rating."""
    return PlayerRating(
        best50(chart_bests(session, player_id)),
        official_rating(session, player_id),
        unlinked_plays(session, player_id),
    )


@bp.route("/<name>/best50", endpoint="best50")
@player_page
def best50_page(name: str) -> str:
    """Show the player's best 50."""
    session = db.session()
    player = player_or_404(name, session)
    rating = player_rating(session, player.id)
    shown = [entry.chart.chart_id for entry in rating.best50.old + rating.best50.new]
    show(kept(session, charts=shown + [chart.chart_id for chart in rating.best50.unknown]))
    return render_template(
        "rating/best50.html",
        player=player,
        rating=rating,
        marks=chart_marks(session, player.id, shown),
    )
