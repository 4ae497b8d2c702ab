"""A player's home: the latest profile, what the archive holds, the newest plays."""

from typing import Any, List, NamedTuple, Optional, Sequence, Tuple

from flask import Blueprint, has_request_context, render_template, request
from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session, make_transient_to_detached

from .. import db, game
from ..jackets.serving import show_for_plays
from ..models import Play, Player, ProfileSnapshot
from ..web import page_cache
from .lookup import not_found, plausible_name, player_page, shown_player
from .queries import DAY

bp = Blueprint("players", __name__, url_prefix="/players", template_folder="templates")

#: How many of the newest plays the home shows.
RECENT_PLAYS = 10
#: How many of the newest records (plays that beat the chart's earlier best) it shows.
RECENT_RECORDS = 5
#: How many days of play the small rating trend spans, at most.
TREND_DAYS = 60


class PlayTotals(NamedTuple):
    """What a player's plays add up to."""

    plays: int = 0
    days: int = 0
    first_played: Optional[int] = None
    last_played: Optional[int] = None
    charts: int = 0
    fc_charts: int = 0  # charts with FC or better as their best mark
    ap_charts: int = 0
    fs_charts: int = 0
    sss_charts: int = 0  # charts with SSS or better


def player_or_404(name: str, session: Optional[Session] = None) -> Player:
    """Return the player of this name, or answer 404 in Chinese."""
    session = session or db.session()
    if has_request_context() and request.method in db.READING_METHODS:
        # shown_player's row (the light read's, or one raw read), as if the session had loaded
        # it: persistent, clean, and no second read.
        player = Player(**shown_player(name)._asdict())
        make_transient_to_detached(player)
        session.add(player)
        return player
    if not plausible_name(name):
        not_found(name)
    player = session.execute(select(Player).where(Player.name == name)).scalar_one_or_none()
    if player is None:
        not_found(name)
    page_cache.depends_on(player.id, player.revision)
    return player


def latest_profile(session: Session, player_id: int) -> Optional[ProfileSnapshot]:
    """Return the newest profile snapshot of a player."""
    statement = (
        select(ProfileSnapshot)
        .where(ProfileSnapshot.player_id == player_id)
        .order_by(ProfileSnapshot.observed_at.desc(), ProfileSnapshot.id.desc())
        .limit(1)
    )
    return session.execute(statement).scalar_one_or_none()


def play_totals(session: Session, player_id: int) -> PlayTotals:
    """Count plays, days played and charts with their best marks, in two queries."""
    local_time = Play.played_at + Play.utc_offset * 60
    local_day = local_time - local_time % DAY
    plays, days, first, last = session.execute(
        select(
            func.count(Play.id),
            func.count(distinct(local_day)),
            func.min(Play.played_at),
            func.max(Play.played_at),
        ).where(Play.player_id == player_id)
    ).one()
    per_chart = (
        select(
            func.max(Play.achievement).label("achievement"),
            func.max(Play.fc).label("fc"),
            func.max(Play.fs).label("fs"),
        )
        .where(Play.player_id == player_id)
        .group_by(Play.title, Play.kind, Play.difficulty)
        .subquery()
    )

    def charts_where(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    charts, fc, ap, fs, sss = session.execute(
        select(
            func.count(),
            charts_where(per_chart.c.fc >= game.FC),
            charts_where(per_chart.c.fc >= game.AP),
            charts_where(per_chart.c.fs >= game.FS),
            charts_where(per_chart.c.achievement >= 1000000),
        ).select_from(per_chart)
    ).one()
    return PlayTotals(plays, days, first, last, charts, int(fc), int(ap), int(fs), int(sss))


def recent_plays(session: Session, player_id: int, limit: int = RECENT_PLAYS) -> list:
    """Return a player's newest plays."""
    statement = (
        select(Play).where(Play.player_id == player_id).order_by(Play.played_at.desc()).limit(limit)
    )
    return list(session.execute(statement).scalars())


class Sparkline(NamedTuple):
    """A small rating trend: an SVG polyline's points and what it spans."""

    points: str  # "x,y x,y ..." in a 100 x 30 box, y downwards
    first: int
    last: int
    low: int
    high: int
    first_date: str
    last_date: str


def sparkline(
    dated: Sequence[Tuple[str, int]], width: int = 100, height: int = 30
) -> Optional[Sparkline]:
    """Draw (date, rating) points into a box, the rating axis zoomed to their range."""
    if len(dated) < 2:
        return None
    values = [rating for _, rating in dated]
    low, high = min(values), max(values)
    spread = (high - low) or 1
    step = width / (len(values) - 1)
    points = " ".join(
        "%.1f,%.1f" % (index * step, height - 2 - (value - low) * (height - 4) / spread)
        for index, value in enumerate(values)
    )
    return Sparkline(points, values[0], values[-1], low, high, dated[0][0], dated[-1][0])


def recent_records(session: Session, player_id: int, limit: int = RECENT_RECORDS) -> List[Any]:
    """Return the player's newest plays that beat their chart's earlier best, as PlayDiffs."""
    from .diffs import diff_select, lateral_joins, play_diff  # diffs imports this module

    statement = (
        diff_select(lateral_joins(session), improved_only=True)
        .where(Play.player_id == player_id)
        .order_by(Play.played_at.desc())
        .limit(limit)
    )
    return [play_diff(row) for row in session.execute(statement)]


@bp.route("/<name>/")
@player_page
def home(name: str) -> str:
    """Show a player's profile, rating and its trend, totals, newest records and plays."""
    from ..rating.best50 import chart_bests  # rating.best50 imports this module
    from ..rating.formula import best50
    from ..rating.rating_days import kept_days
    from .cards import play_card

    session = db.session()
    player = player_or_404(name, session)
    plays = recent_plays(session, player.id)
    show_for_plays(session, plays)
    trend = [(day.date, day.rating) for day in kept_days(session, player.id, latest=TREND_DAYS)]
    return render_template(
        "players/home.html",
        player=player,
        play_card=play_card,
        profile=latest_profile(session, player.id),
        archive_rating=best50(chart_bests(session, player.id)).total,
        trend=sparkline(trend),
        records=recent_records(session, player.id),
        totals=play_totals(session, player.id),
        plays=plays,
    )
