"""The JSON API's read side: plays, plays against earlier bests, best per chart.

Achievements are given twice: ``achievement`` as a percentage number (98.6484) for reading,
``achievement_raw`` as the stored integer in 1/10000 % (986484) for exact comparison.
Times are Unix seconds; ``utc_offset`` is the play's time zone in minutes east of UTC.
"""

import datetime
from typing import Any, Dict, List, Optional

from flask import Blueprint, abort, jsonify, request
from sqlalchemy import Integer, and_, cast, func, literal, null, select, union_all
from sqlalchemy.orm import Session

from .. import db, game
from ..models import Chart, Play, PlayDetail, Score
from . import queries
from .diffs import PlayDiff, diff_select, improved_only_asked, lateral_joins, play_diff
from .home import player_or_404
from .lookup import player_page

bp = Blueprint("api", __name__, url_prefix="/api")


def percent(raw: Optional[int]) -> Optional[float]:
    """Return an achievement in 1/10000 % as a percentage number: 986484 -> 98.6484."""
    return None if raw is None else raw / 10000


def local_iso(unix_time: int, utc_offset: int) -> str:
    """Return a Unix time as ISO 8601 in the play's own time zone."""
    zone = datetime.timezone(datetime.timedelta(minutes=utc_offset))
    return datetime.datetime.fromtimestamp(unix_time, zone).isoformat()


def detail_json(detail: Optional[PlayDetail]) -> Optional[Dict[str, Any]]:
    """Return what a playlogDetail page added to a play, or None."""
    if detail is None:
        return None
    return {
        "judgements": detail.judgements,
        "fast": detail.fast,
        "late": detail.late,
        "max_combo": detail.max_combo,
        "max_combo_total": detail.max_combo_total,
        "max_sync": detail.max_sync,
        "max_sync_total": detail.max_sync_total,
        "rating": detail.rating,
        "rating_delta": detail.rating_delta,
        "matching_players": detail.matching_players,
    }


def play_json(
    play: Play,
    detail: Optional[PlayDetail],
    chart_level: Optional[str] = None,
    constant_tenths: Optional[int] = None,
) -> Dict[str, Any]:
    """Return every stored field of a play, with labels beside the game's codes.

    A play linked to a catalog chart takes the chart's level where its page gave none, and
    the chart's constant.
    """
    return {
        "played_at": play.played_at,
        "played_at_local": local_iso(play.played_at, play.utc_offset),
        "utc_offset": play.utc_offset,
        "ring_slot": play.ring_slot,
        "track": play.track,
        "title": play.title,
        "kind": play.kind,
        "difficulty": play.difficulty,
        "difficulty_name": game.DIFFICULTY_NAMES.get(play.difficulty),
        "level": play.level or chart_level,
        "constant": None if constant_tenths is None else constant_tenths / 10,
        "achievement": percent(play.achievement),
        "achievement_raw": play.achievement,
        "rank": play.rank,
        "rank_label": game.RANK_LABELS.get(play.rank),
        "dx_score": play.dx_score,
        "dx_score_max": play.dx_score_max,
        "dx_stars": play.dx_stars,
        "fc": play.fc,
        "fc_label": game.FC_LABELS.get(play.fc, ""),
        "fs": play.fs,
        "fs_label": game.FS_LABELS.get(play.fs, ""),
        "achievement_new_record": play.achievement_new_record,
        "dx_score_new_record": play.dx_score_new_record,
        "place": play.place,
        "jacket": play.jacket,
        "chart_id": play.chart_id,
        "service": play.service,
        "imported_at": play.imported_at,
        "detail": detail_json(detail),
    }


def diff_json(diff: PlayDiff) -> Dict[str, Any]:
    """Return how a play compares with the chart's earlier best."""
    previous = None
    if not diff.first_play:
        previous = {
            "achievement": percent(diff.previous_achievement),
            "achievement_raw": diff.previous_achievement,
            "rank": diff.previous_rank,
            "dx_score": diff.previous_dx_score,
            "fc": diff.previous_fc,
            "fs": diff.previous_fs,
        }
    return {
        "nth": diff.nth,
        "first_play": diff.first_play,
        "status": diff.status,
        "outcome": diff.outcome,
        "improved": diff.improved,
        "previous_best": previous,
        "achievement_delta": percent(diff.achievement_delta),
        "achievement_delta_raw": diff.achievement_delta,
        "dx_score_delta": diff.dx_score_delta,
        "rank_up": diff.rank_up,
        "new_fc": diff.new_fc,
        "new_fs": diff.new_fs,
    }


def cursor_link(url: Optional[str], name: str, value: Optional[int]) -> Any:
    """Return a neighbouring page as {cursor name: value, "url": ...}, or None."""
    if url is None:
        return None
    return {name: value, "url": url}


def page_json(
    endpoint: str,
    player_name: str,
    items: List[Dict[str, Any]],
    wanted: Any,
    page: Any,
    **kept: Any,
) -> Dict[str, Any]:
    """Return a page of plays with its neighbours' cursors; kept: arguments the links keep."""
    links = queries.pager_links(endpoint, wanted, page, name=player_name, **kept)
    return {
        "player": player_name,
        "size": wanted.size,
        "plays": items,
        "next": cursor_link(links["older"], "before", page.older),
        "prev": cursor_link(links["newer"], "after", page.newer),
    }


@bp.route("/players/<name>/plays")
@player_page
def plays(name: str) -> Any:
    """Return a page of a player's plays, newest first, with the page's filters."""
    session = db.session()
    player = player_or_404(name, session)
    wanted = queries.page_request()
    statement = (
        select(Play, PlayDetail, Chart.level, Chart.constant_tenths)
        .outerjoin(PlayDetail, PlayDetail.play_id == Play.id)
        .outerjoin(Chart, Play.chart_id == Chart.id)
    )
    page = queries.fetch_page(
        session, statement, player.id, wanted.filters, wanted.cursor, wanted.size
    )
    body = page_json(
        "api.plays",
        player.name,
        [play_json(*row) for row in page.rows],
        wanted,
        page,
    )
    body["total"] = queries.count_plays(session, player.id, wanted.filters)
    return jsonify(body)


@bp.route("/players/<name>/diff")
@player_page
def diff(name: str) -> Any:
    """Return a page of a player's plays, each against the chart's earlier best."""
    session = db.session()
    player = player_or_404(name, session)
    wanted = queries.page_request()
    improved_only = improved_only_asked()
    statement = diff_select(lateral_joins(session), improved_only).add_columns(PlayDetail)
    statement = statement.outerjoin(PlayDetail, PlayDetail.play_id == Play.id)
    page = queries.fetch_page(
        session, statement, player.id, wanted.filters, wanted.cursor, wanted.size
    )
    items = []
    for row in page.rows:
        diff = play_diff(row)
        item = play_json(row[0], row[-1], diff.chart_level, diff.constant_tenths)
        item["diff"] = diff_json(diff)
        items.append(item)
    kept = {"improved": 1} if improved_only else {}
    return jsonify(page_json("api.diff", player.name, items, wanted, page, **kept))


def chart_bests(entity: Any, player_id: int, filters: queries.PlayFilters) -> Any:
    """Select one player's best per chart from plays or from best-score readings."""
    is_play = entity is Play
    chart = (entity.title, entity.kind, entity.difficulty)
    return (
        select(
            *chart,
            func.max(entity.level).label("level"),
            func.max(entity.achievement).label("achievement"),
            (func.max(entity.achievement) if is_play else cast(null(), Integer)).label(
                "play_achievement"
            ),
            func.max(entity.dx_score).label("dx_score"),
            func.max(entity.dx_score_max).label("dx_score_max"),
            func.max(entity.fc).label("fc"),
            func.max(entity.fs).label("fs"),
            (func.count(entity.id) if is_play else literal(0, Integer)).label("play_count"),
            (func.max(Play.played_at) if is_play else cast(null(), Play.played_at.type)).label(
                "last_played_at"
            ),
        )
        .where(entity.player_id == player_id, *queries.chart_conditions(filters, entity))
        .group_by(*chart)
    )


def best_rows(session: Session, player_id: int, filters: queries.PlayFilters) -> List[Any]:
    """Return the best per chart of the plays and the best-score readings, in one query."""
    # Each side is grouped first (plays along their chart index), so the union is small.
    both = union_all(
        chart_bests(Play, player_id, filters), chart_bests(Score, player_id, filters)
    ).subquery()
    best_achievement = func.max(both.c.achievement)
    statement = (
        select(
            both.c.title,
            both.c.kind,
            both.c.difficulty,
            func.max(both.c.level).label("level"),
            best_achievement.label("achievement"),
            func.max(both.c.play_achievement).label("play_achievement"),
            func.max(both.c.dx_score).label("dx_score"),
            func.max(both.c.dx_score_max).label("dx_score_max"),
            func.max(both.c.fc).label("fc"),
            func.max(both.c.fs).label("fs"),
            func.sum(both.c.play_count).label("play_count"),
            func.max(both.c.last_played_at).label("last_played_at"),
        )
        .group_by(both.c.title, both.c.kind, both.c.difficulty)
        .order_by(both.c.title, both.c.kind, both.c.difficulty)
    )
    conditions = best_conditions(filters, best_achievement, both)
    if conditions:
        statement = statement.having(and_(*conditions))
    return session.execute(statement).all()


def best_conditions(filters: queries.PlayFilters, achievement: Any, both: Any) -> List[Any]:
    """Return the rank, FC and FS filters as conditions on a chart's best."""
    conditions = []  # type: List[Any]
    if filters.rank:
        thresholds = [lowest for code, _, lowest in game.RANKS]
        position = [code for code, _, _ in game.RANKS].index(filters.rank)
        conditions.append(achievement >= thresholds[position])
        if filters.rank_exact and position > 0:
            conditions.append(achievement < thresholds[position - 1])
    if filters.fc:
        conditions.append(func.max(both.c.fc) >= filters.fc)
    if filters.fs:
        conditions.append(func.max(both.c.fs) >= filters.fs)
    return conditions


def best_json(row: Any) -> Dict[str, Any]:
    """Return one chart's best."""
    rank = game.rank_for(row.achievement)
    return {
        "title": row.title,
        "kind": row.kind,
        "difficulty": row.difficulty,
        "difficulty_name": game.DIFFICULTY_NAMES.get(row.difficulty),
        "level": row.level,
        "achievement": percent(row.achievement),
        "achievement_raw": row.achievement,
        "rank": rank,
        "rank_label": game.RANK_LABELS[rank],
        "dx_score": row.dx_score,
        "dx_score_max": row.dx_score_max,
        "fc": row.fc,
        "fc_label": game.FC_LABELS.get(row.fc, ""),
        "fs": row.fs,
        "fs_label": game.FS_LABELS.get(row.fs, ""),
        "play_count": int(row.play_count or 0),
        "last_played_at": row.last_played_at,
        "achievement_from_score_list": row.play_achievement is None
        or row.achievement > row.play_achievement,
    }


@bp.route("/players/<name>/best")
@player_page
def best(name: str) -> Any:
    """Return the best per chart (title, kind, difficulty) from plays and best-score readings."""
    session = db.session()
    player = player_or_404(name, session)
    wanted = queries.page_request()
    if wanted.filters.date_from or wanted.filters.date_to:
        abort(400, description="最佳成绩不支持按日期筛选（from/to）。")
    paging = [
        parameter
        for parameter in ("before", "after", "size")
        if any(value.strip() for value in request.args.getlist(parameter))
    ]
    if paging:
        abort(400, description="最佳成绩一次全部列出，不分页（%s）。" % "/".join(paging))
    charts = [best_json(row) for row in best_rows(session, player.id, wanted.filters)]
    return jsonify({"player": player.name, "count": len(charts), "charts": charts})
