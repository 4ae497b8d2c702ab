"""One chart's plays, oldest first, with the best so far and each step that raised it."""

from typing import Any, List, NamedTuple, Optional, Tuple

from flask import Blueprint, abort, render_template, request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import db, game
from ..jackets.serving import show
from ..jackets.store import kept
from ..models import Play, Score
from . import queries
from .diffs import PlayDiff
from .home import player_or_404
from .lookup import player_page
from .plotting import ChartData, Series, wall_clock
from .song import song_charts

bp = Blueprint("history", __name__, url_prefix="/players", template_folder="templates")

#: The longest title a chart may have here (the query string must stay sane).
MAX_TITLE = 300


class ChartKey(NamedTuple):
    """A chart as plays name it: title, kind and difficulty."""

    title: str
    kind: str
    difficulty: int


class Best(NamedTuple):
    """The best achievement, DX score and marks ever seen on a chart."""

    achievement: int
    dx_score: int
    dx_score_max: Optional[int]
    fc: int
    fs: int
    from_score_list: bool  # some of it is known only from a best-score reading


class HistoryStep(NamedTuple):
    """A play, how it compares with the plays before it, and the best after it."""

    diff: PlayDiff
    best_achievement: int
    best_dx_score: int
    best_fc: int
    best_fs: int


def chart_key(args: Any) -> ChartKey:
    """Read the chart of the query string, answering 400 when it is missing or bad."""
    title = args.get("title", "")
    if not title.strip() or not args.get("kind") or not args.get("difficulty"):
        abort(400, description="请指定谱面：曲名（title）、类型（kind）和难度（difficulty）。")
    if "\x00" in title or len(title) > MAX_TITLE:
        abort(400, description="曲名无效。")
    try:
        kind = queries.parse_kind(args["kind"])
        difficulty = queries.parse_difficulty(args["difficulty"])
    except queries.QueryError as error:
        abort(400, description=str(error))
    return ChartKey(title, kind, difficulty)


def chart_plays(session: Session, player_id: int, chart: ChartKey) -> List[Play]:
    """Return a player's plays of one chart, oldest first."""
    statement = (
        select(Play)
        .where(
            Play.player_id == player_id,
            Play.title == chart.title,
            Play.kind == chart.kind,
            Play.difficulty == chart.difficulty,
        )
        .order_by(Play.played_at)
    )
    return list(session.execute(statement).scalars())


def chart_level(plays: List[Play]) -> Optional[str]:
    """Return the level the newest play that showed one gave the chart."""
    return next((play.level for play in reversed(plays) if play.level), None)


def score_best(session: Session, player_id: int, chart: ChartKey) -> Optional[Best]:
    """Return the best of the chart's best-score readings, if any were imported."""
    row = session.execute(
        select(
            func.max(Score.achievement),
            func.max(Score.dx_score),
            func.max(Score.dx_score_max),
            func.max(Score.fc),
            func.max(Score.fs),
        ).where(
            Score.player_id == player_id,
            Score.title == chart.title,
            Score.kind == chart.kind,
            Score.difficulty == chart.difficulty,
        )
    ).one()
    if row[0] is None:
        return None
    return Best(row[0], row[1], row[2], row[3], row[4], True)


def steps(plays: List[Play]) -> List[HistoryStep]:
    """Walk the plays oldest first, keeping the best so far."""
    result = []  # type: List[HistoryStep]
    best = None  # type: Optional[Tuple[int, int, int, int]]
    for nth, play in enumerate(plays, 1):
        diff = PlayDiff(play, nth, *(best or (None, None, None, None)))
        current = (play.achievement, play.dx_score, play.fc, play.fs)
        best = current if best is None else tuple(map(max, best, current))
        result.append(HistoryStep(diff, *best))
    return result


def overall_best(history: List[HistoryStep], plays: List[Play], readings: Optional[Best]) -> Any:
    """Return the best of the plays and the best-score readings together."""
    if not history:
        return readings
    last = history[-1]
    from_plays = Best(
        last.best_achievement,
        last.best_dx_score,
        max(play.dx_score_max for play in plays),
        last.best_fc,
        last.best_fs,
        False,
    )
    if readings is None:
        return from_plays
    return Best(
        max(from_plays.achievement, readings.achievement),
        max(from_plays.dx_score, readings.dx_score),
        from_plays.dx_score_max or readings.dx_score_max,
        max(from_plays.fc, readings.fc),
        max(from_plays.fs, readings.fs),
        readings.achievement > from_plays.achievement
        or readings.dx_score > from_plays.dx_score
        or readings.fc > from_plays.fc
        or readings.fs > from_plays.fs,
    )


def progress(key: ChartKey, plays: List[Play]) -> Tuple[ChartData, ChartData]:
    """Return the achievement and the DX score of each play, over time."""
    times = [wall_clock(play.played_at, play.utc_offset) for play in plays]
    name_of_chart = "%s（%s %s）" % (
        key.title,
        game.KIND_LABELS.get(key.kind, key.kind),
        game.DIFFICULTY_NAMES[key.difficulty],
    )
    achievement = ChartData(
        "%s 每次游玩的达成率" % name_of_chart,
        "line",
        "time",
        times,
        "时间",
        [Series("达成率", [play.achievement for play in plays], "#9f51dc")],
        unit="achievement",
        y_label="达成率",
    )
    dx_score = ChartData(
        "%s 每次游玩的 DX 分数" % name_of_chart,
        "line",
        "time",
        times,
        "时间",
        [Series("DX 分数", [play.dx_score for play in plays], "#4263eb")],
        y_label="DX 分数",
    )
    return achievement, dx_score


def chart_page(
    session: Session, player: Any, key: ChartKey, catalog_id: Optional[str] = None
) -> Tuple[str, int]:
    """Render a chart's page: its song's difficulties, the best, the graphs and every play."""
    plays = chart_plays(session, player.id, key)
    history = steps(plays)
    readings = score_best(session, player.id, key)
    song = song_charts(session, player.id, key, catalog_id)
    show(
        kept(
            session,
            names=[play.jacket for play in plays],
            songs=[song.song.song_id] if song.song else [],
        )
    )
    achievement, dx_score = progress(key, plays)
    page = render_template(
        "charts/song.html",
        player=player,
        chart=key,
        song=song.song,
        tabs=song.tabs,
        jacket_name=next((play.jacket for play in reversed(plays) if play.jacket), None),
        history=history,
        best=overall_best(history, plays, readings),
        level=chart_level(plays),
        improvements=sum(1 for step in history if step.diff.improved),
        fc_plays=sum(1 for play in plays if play.fc),
        achievement=achievement,
        dx_score=dx_score,
        dx_score_max=max((play.dx_score_max for play in plays), default=None),
    )
    return page, 200 if plays or readings else 404


@bp.route("/<name>/chart")
@player_page
def chart(name: str) -> Any:
    """Show every play of one chart, oldest first, with the best so far."""
    session = db.session()
    player = player_or_404(name, session)
    return chart_page(session, player, chart_key(request.args))
