"""The JSON API's rating: a player's best 50 and the rating day by day.

As in the rest of the API, ``achievement`` is a percentage number (98.6484) and
``achievement_raw`` the stored integer in 1/10000 % (986484); ``constant`` is the chart
constant (14.6) and ``constant_tenths`` the stored integer (146).
"""

from typing import Any, Dict, List, Optional

from flask import Blueprint, Response, jsonify

from .. import db, game
from ..player.api import percent
from ..player.home import player_or_404
from ..player.lookup import player_page
from .best50 import player_rating
from .formula import NEW_FRAME_SIZE, OLD_FRAME_SIZE, ChartBest, RatedChart
from .rating_days import rating_trend

bp = Blueprint("api_rating", __name__, url_prefix="/api")


def chart_json(chart: ChartBest) -> Dict[str, Any]:
    """Return a chart and the player's best achievement on it."""
    constant = chart.constant_tenths
    return {
        "chart_id": chart.chart_id,
        "title": chart.title,
        "kind": chart.kind,
        "difficulty": chart.difficulty,
        "difficulty_name": game.DIFFICULTY_NAMES.get(chart.difficulty),
        "level": chart.level,
        "constant": None if constant is None else constant / 10,
        "constant_tenths": constant,
        "achievement": percent(chart.achievement),
        "achievement_raw": chart.achievement,
        "is_new": chart.is_new,
    }


def rated_json(entry: RatedChart) -> Dict[str, Any]:
    """Return a chart of a frame with its rating and the next rank step."""
    body = chart_json(entry.chart)
    body.update(rank=entry.rank, rank_label=game.RANK_LABELS.get(entry.rank), rating=entry.rating)
    step = entry.next
    body["next"] = (
        None
        if step is None
        else {
            "rank": step.rank,
            "rank_label": game.RANK_LABELS.get(step.rank),
            "achievement": percent(step.achievement),
            "achievement_raw": step.achievement,
            "rating": step.rating,
            "gain": step.gain,
        }
    )
    return body


def frame_json(entries: List[RatedChart], size: int) -> Dict[str, Any]:
    """Return one frame: its sum, its lowest rating, its charts best first."""
    floor: Optional[int] = entries[-1].rating if entries else None
    return {
        "size": size,
        "rating": sum(entry.rating for entry in entries),
        "floor": floor,
        "charts": [rated_json(entry) for entry in entries],
    }


@bp.route("/players/<name>/rating")
@player_page
def rating(name: str) -> Response:
    """Return the player's best 50 as the archive computes it, beside the official rating."""
    session = db.session()
    player = player_or_404(name, session)
    computed = player_rating(session, player.id)
    result = computed.best50
    official = computed.official
    return jsonify(
        {
            "player": player.name,
            "rating": result.total,
            "old": frame_json(result.old, OLD_FRAME_SIZE),
            "new": frame_json(result.new, NEW_FRAME_SIZE),
            "unknown_constant": [chart_json(chart) for chart in result.unknown],
            "unlinked_plays": computed.unlinked_plays,
            "official_rating": official.rating if official else None,
            "official_observed_at": official.observed_at if official else None,
        }
    )


@bp.route("/players/<name>/rating/trend")
@player_page
def trend(name: str) -> Response:
    """Return the player's rating after each day of play: [{date, rating, official_rating}]."""
    session = db.session()
    player = player_or_404(name, session)
    return jsonify([point._asdict() for point in rating_trend(session, player.id)])
