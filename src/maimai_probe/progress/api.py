"""The JSON API's progress: plates with the charts they still need, and the rating plan.

As in the rest of the API, ``achievement`` is a percentage number (98.6484) or null, and
``constant`` the chart constant (14.6); ``target`` is a percentage number too.
"""

from typing import Any, Dict, List

from flask import Blueprint, Response, abort, jsonify, request

from .. import db, game
from ..player.api import percent
from ..player.home import player_or_404
from ..player.lookup import player_page
from ..rating.api import chart_json
from . import filters as parse
from .planner import Target
from .plate_progress import MissingChart, PlateDetail, counted_charts, details
from .plates import PLATES, find_plate, plates_of_version
from .rating_plan import player_plan
from .views import filtered_plan, filters_or_400

bp = Blueprint("api_progress", __name__, url_prefix="/api")


def missing_json(chart: MissingChart) -> Dict[str, Any]:
    """Return a chart a plate still needs, with the player's best on it."""
    # An unfiltered list repeats these for every missing chart of every plate (about 4.8 MB
    # for a new player before compression): no field beyond these.
    return {
        "chart_id": chart.chart_id,
        "title": chart.title,
        "kind": chart.kind,
        "difficulty": chart.difficulty,
        "achievement": percent(chart.achievement),
        "fc": game.FC_CODES.get(chart.fc or 0) or None,
        "fs": game.FS_CODES.get(chart.fs or 0) or None,
    }


def plate_json(detail: PlateDetail, chosen: parse.PlateFilters) -> Dict[str, Any]:
    """Return one plate's progress and the missing charts the filters keep."""
    plate = detail.plate
    return {
        "version": plate.version,
        "version_group": plate.group.name,
        "plate": plate.name,
        "requirement": plate.requirement,
        "remaster": plate.group.remaster,
        "done": detail.done,
        "total": detail.total,
        "missing": [missing_json(chart) for chart in detail.missing if wanted(chart, chosen)],
    }


def wanted(chart: MissingChart, chosen: parse.PlateFilters) -> bool:
    """Tell whether a missing chart passes ?difficulty=, ?level= and ?kind=."""
    return (
        (not chosen.difficulties or chart.difficulty in chosen.difficulties)
        and (chosen.level is None or chart.level == chosen.level)
        and (chosen.kind is None or chart.kind == chosen.kind)
    )


def chosen_plates() -> List[Any]:
    """Return the plates ?plate= and ?version= ask for; 404 in Chinese for unknown ones."""
    chosen = list(PLATES)
    plate_name = request.args.get("plate", "").strip()
    if plate_name:
        plate = find_plate(plate_name)
        if plate is None:
            abort(404, description="没有名为「%s」的牌子。" % plate_name[:20])
        chosen = [plate]
    version = request.args.get("version", "").strip()
    if version:
        covering = plates_of_version(version)
        if not covering:
            abort(404, description="没有牌子覆盖版本「%s」。" % version[:40])
        chosen = [plate for plate in chosen if plate in covering]
    return chosen


@bp.route("/players/<name>/plates")
@player_page
def plates(name: str) -> Response:
    """Return each plate's progress with the charts it still needs."""
    session = db.session()
    player = player_or_404(name, session)
    chosen = chosen_plates()
    filters = filters_or_400(parse.plate_filters)
    charts = counted_charts(session, player.id) if chosen else []
    return jsonify([plate_json(detail, filters) for detail in details(chosen, charts)])


def target_json(target: Target) -> Dict[str, Any]:
    """Return one line of the rating plan: the chart as the rating API gives it, and its target."""
    body = chart_json(target.chart)
    body.update(
        frame=target.frame,
        rating=target.rating,
        target=percent(target.target),
        target_rank=game.RANK_LABELS.get(target.rank),
        rating_at_target=target.rating_at_target,
        gain=target.gain,
    )
    return body


@bp.route("/players/<name>/rating/plan")
@player_page
def rating_plan(name: str) -> Response:
    """Return the charts whose next useful step raises the player's rating, biggest gain first."""
    session = db.session()
    player = player_or_404(name, session)
    chosen = filters_or_400(parse.plan_filters)
    found = player_plan(session, player.id)
    return jsonify(
        {
            "player": player.name,
            "rating": found.best50.total,
            "plan": [target_json(target) for target in filtered_plan(found.targets, chosen)],
        }
    )
