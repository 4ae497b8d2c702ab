"""A player's rating plan from the archive: the best 50 and the charts that could beat it."""

from typing import Dict, List, NamedTuple

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from .. import game
from ..models import Chart, Song
from ..rating.best50 import best_per_chart
from ..rating.formula import Best50, ChartBest, best50
from .planner import B15, B35, Candidate, Target, frames_of, plan
from .plates import LEFT_OUT


class PlayerPlan(NamedTuple):
    """What the plan page and API show."""

    best50: Best50
    targets: List[Target]


def played_charts(session: Session, player_id: int) -> List[ChartBest]:
    """Return the player's best achievement per linked chart, without titles or levels."""
    # The best 50 needs none, and the plan's lines take theirs from the candidates: fewer
    # columns is less to fetch on the page's largest query.
    best = best_per_chart(player_id)
    rows = (
        session.connection()
        .execute(
            select(
                Chart.id, Chart.difficulty, Chart.constant_tenths, best.c.achievement, Song.is_new
            )
            .join(best, best.c.chart_id == Chart.id)
            .join(Song, Chart.song_id == Song.id)
        )
        .all()
    )
    return [
        ChartBest(chart_id, "", "", difficulty, None, constant, achievement, is_new)
        for chart_id, difficulty, constant, achievement, is_new in rows
    ]


def candidates(
    session: Session, lowest_old: int, lowest_new: int, members: List[int], bests: Dict[int, int]
) -> List[Candidate]:
    """Return the charts worth planning: constant high enough for their frame, or in it now."""
    rows = (
        session.connection()
        .execute(
            select(
                Chart.id,
                Song.title,
                Song.kind,
                Chart.difficulty,
                Chart.level,
                Chart.constant_tenths,
                Song.is_new,
            )
            .join(Song, Chart.song_id == Song.id)
            .where(
                Chart.constant_tenths.isnot(None),
                Chart.difficulty <= game.REMASTER,
                or_(Song.catalog_id.is_(None), Song.catalog_id.notin_(sorted(LEFT_OUT))),
                or_(
                    and_(Song.is_new.is_(False), Chart.constant_tenths >= lowest_old),
                    and_(Song.is_new.is_(True), Chart.constant_tenths >= lowest_new),
                    Chart.id.in_(members or [0]),
                ),
            )
        )
        .all()
    )
    return [Candidate(*row, bests.get(row[0])) for row in rows]


def player_plan(session: Session, player_id: int) -> PlayerPlan:
    """Compute the player's best 50 and every chart whose next useful step raises it."""
    played = played_charts(session, player_id)
    best = best50(played)
    frames = frames_of(best)
    members = sorted(chart for frame in frames.values() for chart in frame.members)
    bests = {chart.chart_id: chart.achievement for chart in played}
    found = candidates(
        session, frames[B35].lowest_constant(), frames[B15].lowest_constant(), members, bests
    )
    return PlayerPlan(best, plan(best, found))
