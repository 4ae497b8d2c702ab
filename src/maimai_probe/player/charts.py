"""A player's charts: rating over time, activity, best-score marks and one chart's progress."""

import datetime
from collections import Counter
from typing import Any, Iterable, List, NamedTuple, Sequence, Tuple

from flask import Blueprint, abort, render_template, request
from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from .. import db, game
from ..models import Play, PlayDetail, ProfileSnapshot, Score, Song
from ..rating.rating_days import rating_trend
from . import history
from .home import player_or_404
from .lookup import player_page
from .plotting import ChartData, Series, wall_clock
from .queries import DAY, QueryError, local_day_start, parse_difficulty

bp = Blueprint("charts", __name__, url_prefix="/players", template_folder="templates")

#: How many of the most played charts the picker offers.
PICKER_SIZE = 12


def last_each_day(points: Iterable[Tuple[int, int]]) -> List[Tuple[int, int]]:
    """Keep the last value of each day of (wall-clock time, value) points, by day."""
    days = {}  # type: Dict[int, int]
    for when, value in sorted(points):
        days[when - when % DAY] = value
    return sorted(days.items())


def official_ratings(session: Session, player_id: int) -> List[Tuple[int, int]]:
    """Return (day, rating) as the official pages last showed it that day: profiles and plays."""
    profiles = session.execute(
        select(ProfileSnapshot.observed_at, ProfileSnapshot.rating).where(
            ProfileSnapshot.player_id == player_id, ProfileSnapshot.rating.isnot(None)
        )
    ).all()
    plays = session.execute(
        select(Play.played_at, Play.utc_offset, PlayDetail.rating)
        .join(PlayDetail, PlayDetail.play_id == Play.id)
        .where(Play.player_id == player_id, PlayDetail.rating.isnot(None))
    ).all()
    points = [(wall_clock(when), rating) for when, rating in profiles]
    points.extend((wall_clock(when, offset), rating) for when, offset, rating in plays)
    return last_each_day(points)


def computed_ratings(session: Session, player_id: int) -> List[Tuple[int, int]]:
    """Return (day, rating) as the archive's plays compute it at the end of each day."""
    return [
        (local_day_start(datetime.datetime.strptime(point.date, "%Y-%m-%d").date()), point.rating)
        for point in rating_trend(session, player_id)
        if point.rating is not None
    ]


def zoom_start(series: Sequence[Series], share: float = 0.8) -> int:
    """Return the first x where a line reaches `share` of the highest value.

    A rating computed from an archive climbs from 0 over its first days, as the best 50 fill
    up; starting the axes there would flatten the part players follow.
    """
    values = [value for entry in series for value in entry.values if value is not None]
    if not values:
        return 0
    floor = max(values) * share
    for number in range(len(series[0].values)):
        if any((entry.values[number] or 0) >= floor for entry in series):
            return number
    return 0


def align(lines: Sequence[Tuple[str, str, List[Tuple[int, int]]]]) -> ChartData:
    """Put lines of (day, value) points on one axis, None where a line has no point."""
    times = sorted({when for _, _, points in lines for when, _ in points})
    place = {when: number for number, when in enumerate(times)}
    series = []
    for label, color, points in lines:
        values = [None] * len(times)  # type: List[Optional[int]]
        for when, value in points:
            values[place[when]] = value
        series.append(Series(label, values, color))
    return ChartData(
        "Rating 随时间的变化",
        "line",
        "day",
        times,
        "日期",
        series,
        y_label="Rating",
        zoom_from=zoom_start(series),
    )


#: Beyond this many days between the first and last play, activity is drawn per week.
DAILY_SPAN_DAYS = 45


def per_week(days: Sequence[Tuple[int, int]]) -> List[Tuple[int, int]]:
    """Add up (wall-clock midnight, plays) by the week, each week named by its Monday."""
    weeks = {}  # type: Dict[int, int]
    for start, count in days:
        monday = start - ((start // DAY + 3) % 7) * DAY  # 1970-01-01 was a Thursday
        weeks[monday] = weeks.get(monday, 0) + count
    return sorted(weeks.items())


def activity_chart(days: Sequence[Tuple[int, int]]) -> ChartData:
    """Return bars of plays per day, or per week when the days span too long for a bar each."""
    weekly = bool(days) and days[-1][0] - days[0][0] > DAILY_SPAN_DAYS * DAY
    points = per_week(days) if weekly else list(days)
    return ChartData(
        "每周的游玩次数" if weekly else "每天的游玩次数",
        "bars",
        "day",
        [start for start, _ in points],
        "周（从周一起）" if weekly else "日期",
        [Series("游玩次数", [count for _, count in points], "#4263eb")],
        y_label="游玩次数",
    )


def plays_per_day(session: Session, player_id: int) -> List[Tuple[int, int]]:
    """Return (wall-clock midnight, plays) for each day the player played."""
    local = Play.played_at + Play.utc_offset * 60
    day = local - local % DAY
    rows = session.execute(
        select(day, func.count(Play.id))
        .where(Play.player_id == player_id)
        .group_by(day)
        .order_by(day)
    ).all()
    return [(int(start), count) for start, count in rows]


class Marks(NamedTuple):
    """How many charts have each rank, combo mark and sync mark as their best."""

    charts: int
    ranks: List[Tuple[str, int]]
    fc: List[Tuple[str, int]]
    fs: List[Tuple[str, int]]


def best_marks(session: Session, player_id: int) -> Marks:
    """Count the player's charts, linked or not, by their best rank, combo and sync marks."""
    columns = ("title", "kind", "difficulty", "achievement", "fc", "fs")
    both = union_all(
        select(*(getattr(Play, name) for name in columns)).where(Play.player_id == player_id),
        select(*(getattr(Score, name) for name in columns)).where(Score.player_id == player_id),
    ).subquery()
    rows = session.execute(
        select(func.max(both.c.achievement), func.max(both.c.fc), func.max(both.c.fs)).group_by(
            both.c.title, both.c.kind, both.c.difficulty
        )
    ).all()
    ranks = Counter(game.rank_for(achievement) for achievement, _, _ in rows)
    combos = Counter(fc for _, fc, _ in rows)
    syncs = Counter(fs for _, _, fs in rows)
    lowest = min((game.RANK_ORDER[code] for code in ranks), default=0)
    return Marks(
        charts=len(rows),
        # From the lowest rank any chart has: the empty D to AA buckets below say nothing.
        ranks=[
            (label, ranks[code])
            for code, label, _ in reversed(game.RANKS)
            if game.RANK_ORDER[code] >= lowest
        ],
        fc=[(game.FC_LABELS[mark] or "无", combos[mark]) for mark in sorted(game.FC_LABELS)],
        fs=[(game.FS_LABELS[mark] or "无", syncs[mark]) for mark in sorted(game.FS_LABELS)],
    )


def counts_chart(counts: List[Tuple[str, int]], what: str, color: str) -> ChartData:
    """Return bars of the number of charts per category."""
    return ChartData(
        "各%s的谱面数" % what,
        "bars",
        "category",
        [name for name, _ in counts],
        what,
        [Series("谱面数", [count for _, count in counts], color)],
        y_label="谱面数",
    )


def most_played(session: Session, player_id: int, limit: int = PICKER_SIZE) -> List[Any]:
    """Return the player's most played charts: title, kind, difficulty, level, plays."""
    plays = func.count(Play.id).label("plays")
    return session.execute(
        select(Play.title, Play.kind, Play.difficulty, func.max(Play.level), plays)
        .where(Play.player_id == player_id)
        .group_by(Play.title, Play.kind, Play.difficulty)
        .order_by(plays.desc(), Play.title, Play.kind, Play.difficulty)
        .limit(limit)
    ).all()


def played_titles(session: Session, player_id: int) -> List[str]:
    """Return every title the player played, for the chart picker to complete."""
    return list(
        session.execute(
            select(Play.title)
            .where(Play.player_id == player_id)
            .group_by(Play.title)
            .order_by(Play.title)
        ).scalars()
    )


@bp.route("/<name>/charts")
@player_page
def trends(name: str) -> str:
    """Show the player's rating over time, activity and marks as charts with their numbers."""
    session = db.session()
    player = player_or_404(name, session)
    official = official_ratings(session, player.id)
    computed = computed_ratings(session, player.id)
    lines = [("官方 Rating", "#e9417b", official)]
    if computed:
        lines.insert(0, ("计算 Rating", "#4263eb", computed))
    days = plays_per_day(session, player.id)
    marks = best_marks(session, player.id)
    activity = activity_chart(days)
    return render_template(
        "charts/trends.html",
        player=player,
        rating=align(lines) if official or computed else None,
        official=official,
        computed=computed,
        days=days,
        activity=activity,
        marks=marks,
        ranks=counts_chart(marks.ranks, "评级", "#9f51dc"),
        fc=counts_chart(marks.fc, "FC", "#2b9348"),
        fs=counts_chart(marks.fs, "FS", "#ffba01"),
        picker=most_played(session, player.id),
        titles=played_titles(session, player.id),
    )


@bp.route("/<name>/charts/chart")
@player_page
def chart(name: str) -> Any:
    """Show one chart, named by its title, kind and difficulty in the query string."""
    session = db.session()
    player = player_or_404(name, session)
    return history.chart_page(session, player, history.chart_key(request.args))


@bp.route("/<name>/charts/<int:catalog_id>/<difficulty>")
@player_page
def catalog_chart(name: str, catalog_id: int, difficulty: str) -> Any:
    """Show one chart of the catalog, named by its Diving-Fish song id and difficulty."""
    session = db.session()
    player = player_or_404(name, session)
    try:
        index = parse_difficulty(difficulty)
    except QueryError:
        index = None
    song = session.execute(
        select(Song.title, Song.kind).where(Song.catalog_id == str(catalog_id))
    ).first()
    if song is None or index is None:
        missing = "曲库里没有这个谱面：曲目 %d 的 %s。" % (catalog_id, difficulty[:20])
        abort(404, description=missing)
    key = history.ChartKey(song.title, song.kind, index)
    return history.chart_page(session, player, key, str(catalog_id))
