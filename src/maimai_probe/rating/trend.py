"""A player's rating day by day, recomputed from the archive beside the official rating."""

import datetime
from typing import Dict, Iterable, List, NamedTuple, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import game
from ..models import Chart, Play, ProfileSnapshot, Song
from ..play_days import EPOCH, local_day
from .formula import NEW_FRAME_SIZE, OLD_FRAME_SIZE, TopFrame, chart_rating

#: One play as the trend reads it: (played_at, utc_offset, chart_id, achievement,
#: constant_tenths, difficulty, is_new); the last four are None for an unlinked play.
TrendPlay = Tuple[int, int, Optional[int], int, Optional[int], Optional[int], Optional[bool]]


class TrendPoint(NamedTuple):
    """The rating as it stood at the end of a day, and the official one seen that day."""

    date: str  # the local date: "2025-10-03"
    rating: Optional[int]  # None before the first play
    official_rating: Optional[int]  # the last profile of that day, if one was imported


def trend_points(
    plays: Iterable[TrendPlay],
    official: Iterable[Tuple[int, int]],
    utc_offset: int = game.CHINA_UTC_OFFSET,
) -> List[TrendPoint]:
    """Replay plays in time order, keeping each chart's best and the two frames' sums."""
    frames = {False: TopFrame(OLD_FRAME_SIZE), True: TopFrame(NEW_FRAME_SIZE)}
    best: Dict[int, int] = {}
    ratings: Dict[int, int] = {}  # by local day number since 1970-01-01
    for played_at, offset, chart_id, achievement, constant, difficulty, is_new in plays:
        utc_offset = offset
        rated = chart_id is not None and constant is not None and difficulty != game.UTAGE
        if rated and achievement > best.get(chart_id, -1):
            best[chart_id] = achievement
            frames[bool(is_new)].offer(chart_id, chart_rating(constant, achievement))
        ratings[local_day(played_at, offset)] = frames[False].total + frames[True].total
    officials = {local_day(observed_at, utc_offset): rating for observed_at, rating in official}
    points = []
    current: Optional[int] = None
    for day in sorted(set(ratings) | set(officials)):
        current = ratings.get(day, current)
        date = EPOCH + datetime.timedelta(days=day)
        points.append(TrendPoint(date.isoformat(), current, officials.get(day)))
    return points


def replay_trend(session: Session, player_id: int) -> List[TrendPoint]:
    """Replay the player's whole archive: the rating after each day, beside the official ones.

    Pages read the points rating_days kept instead; this is how they are made.
    """
    plays = session.execute(
        select(
            Play.played_at,
            Play.utc_offset,
            Play.chart_id,
            Play.achievement,
            Chart.constant_tenths,
            Chart.difficulty,
            Song.is_new,
        )
        .outerjoin(Chart, Play.chart_id == Chart.id)
        .outerjoin(Song, Chart.song_id == Song.id)
        .where(Play.player_id == player_id)
        .order_by(Play.played_at)
    )
    official = session.execute(
        select(ProfileSnapshot.observed_at, ProfileSnapshot.rating)
        .where(ProfileSnapshot.player_id == player_id, ProfileSnapshot.rating.isnot(None))
        .order_by(ProfileSnapshot.observed_at, ProfileSnapshot.id)
    ).all()
    return trend_points(plays, official)
