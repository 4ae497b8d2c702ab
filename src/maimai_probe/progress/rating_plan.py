"""A player's rating plan from the archive: the best 50 and the charts that could beat it."""

from typing import List, NamedTuple

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from .. import game
from ..models import Chart, Song
from ..rating.best50 import chart_bests
from ..rating.bests import kept_bests
from ..rating.formula import Best50, best50
from .planner import B15, B35, Candidate, Target, frames_of, plan
from .plates import LEFT_OUT


class PlayerPlan(NamedTuple):
    """What the plan page and API show."""

    best50: Best50
    targets: List[Target]


def candidates(
    session: Session, player_id: int, lowest_old: int, lowest_new: int, members: List[int]
) -> List[Candidate]:
    """Return the charts worth planning with the player's best: constant high enough, or framed."""
    best = kept_bests(player_id)
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
                best.c.achievement,
            )
            .join(Song, Chart.song_id == Song.id)
            .outerjoin(best, best.c.chart_id == Chart.id)
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
    return [Candidate(*row) for row in rows]


def player_plan(session: Session, player_id: int) -> PlayerPlan:
    """Compute the player's best 50 and every chart whose next useful step raises it."""
    best = best50(chart_bests(session, player_id))
    frames = frames_of(best)
    members = sorted(chart for frame in frames.values() for chart in frame.members)
    lowest = (frames[B35].lowest_constant(), frames[B15].lowest_constant())
    found = candidates(session, player_id, lowest[0], lowest[1], members)
    return PlayerPlan(best, plan(best, found))
