"""A player's home: the latest profile, what the archive holds, the newest plays."""

from typing import Any, NamedTuple, Optional

from flask import Blueprint, abort, render_template
from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session

from . import db, game, page_cache
from .models import Play, Player, ProfileSnapshot
from .play_queries import DAY

bp = Blueprint("players", __name__, url_prefix="/players")

#: How many of the newest plays the home shows.
RECENT_PLAYS = 10


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
    if not name or len(name) > 32 or "\x00" in name:
        abort(404, description="找不到玩家「%s」。" % name[:32].replace("\x00", ""))
    session = session or db.session()
    player = session.execute(select(Player).where(Player.name == name)).scalar_one_or_none()
    if player is None:
        abort(404, description="找不到玩家「%s」。" % name)
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


@bp.route("/<name>/")
@page_cache.cached
def home(name: str) -> str:
    """Show a player's profile, totals and newest plays."""
    session = db.session()
    player = player_or_404(name, session)
    return render_template(
        "players/home.html",
        player=player,
        profile=latest_profile(session, player.id),
        totals=play_totals(session, player.id),
        plays=recent_plays(session, player.id),
    )
