"""A player's plate progress and rating plan, as pages."""

import functools
import math
from typing import Any, Dict, List

from flask import Blueprint, abort, render_template, request, url_for

from .. import db, game
from ..player.home import player_or_404
from ..player.lookup import player_page
from . import filters as parse
from .planner import FRAME_LABELS, Target, by_distance, by_gain
from .plate_progress import MissingChart, PlateProgress, missing_charts, overview
from .plates import GROUPS, LACKS, PLATES, REQUIREMENT_LABELS, VersionGroup, find_plate
from .rating_plan import player_plan

bp = Blueprint("progress", __name__, url_prefix="/players", template_folder="templates")

#: Missing charts per page of one plate.
CARDS_PER_PAGE = 60
#: Lines of the plan a page shows at most.
PLAN_LINES = 50


def filters_or_400(read: Any) -> Any:
    """Read the query string's filters, answering 400 in Chinese when one is wrong."""
    try:
        return read(request.args)
    except parse.FilterError as error:
        abort(400, description=str(error))


@functools.lru_cache(maxsize=None)
def plate_segment(plate_name: str) -> str:
    """Return a plate's name as the last part of its page's path, as url_for writes it."""
    return url_for("progress.plate", name="-", plate_name=plate_name).rpartition("/")[2]


def plate_links(player_name: str) -> Dict[str, str]:
    """Return the link to each plate's page of a player, from one url_for."""
    base = url_for("progress.plates", name=player_name) + "/"
    return {plate.name: base + plate_segment(plate.name) for plate in PLATES}


@bp.route("/<name>/plates", endpoint="plates")
@player_page
def plates_page(name: str) -> str:
    """Show every plate's progress, grouped by version; versions the catalog lacks last."""
    session = db.session()
    player = player_or_404(name, session)
    found = overview(session, player.id)
    by_group: Dict[VersionGroup, List[PlateProgress]] = {}
    for progress in found.plates:
        by_group.setdefault(progress.plate.group, []).append(progress)
    groups = [(group, by_group.get(group, [])) for group in GROUPS]
    # A version the catalog has no chart of has nothing to show: named once, at the end.
    counted = [(group, found) for group, found in groups if any(p.total for p in found)]
    return render_template(
        "progress/plates.html",
        player=player,
        groups=counted,
        missing_versions=[group for group, found in groups if not any(p.total for p in found)],
        unknown_versions=found.unknown_versions,
        requirement_labels=REQUIREMENT_LABELS,
        plate_links=plate_links(player.name),
    )


def sorted_missing(charts: List[MissingChart], sort: str) -> List[MissingChart]:
    """Order missing charts: hardest first (as fetched), easiest first, or closest first."""
    if sort == "level_asc":
        return sorted(
            charts,
            key=lambda chart: (chart.constant_tenths is None, chart.constant_tenths or 0),
        )
    if sort == "closest":
        return sorted(charts, key=lambda chart: -(chart.achievement or -1))
    return charts


@bp.route("/<name>/plates/<plate_name>", endpoint="plate")
@player_page
def plate_page(name: str, plate_name: str) -> str:
    """Show the charts one plate still needs, as cards."""
    session = db.session()
    player = player_or_404(name, session)
    plate = find_plate(plate_name)
    if plate is None:
        abort(404, description="没有名为「%s」的牌子。" % plate_name[:20])
    chosen = filters_or_400(parse.plate_filters)
    progress = overview(session, player.id, [plate]).plates[0]
    every = missing_charts(session, player.id, plate)
    levels = sorted({chart.level for chart in every if chart.level}, key=level_order)
    shown = [
        chart
        for chart in every
        if (not chosen.difficulties or chart.difficulty in chosen.difficulties)
        and (chosen.level is None or chart.level == chosen.level)
        and (chosen.kind is None or chart.kind == chosen.kind)
    ]
    shown = sorted_missing(shown, chosen.sort)
    pages = max(1, int(math.ceil(len(shown) / float(CARDS_PER_PAGE))))
    page = min(chosen.page, pages)
    start = (page - 1) * CARDS_PER_PAGE

    def page_url(number: int) -> str:
        args = parse.pager_args(chosen, number)
        return url_for("progress.plate", name=player.name, plate_name=plate.name, **args)

    return render_template(
        "progress/plate.html",
        previous_url=page_url(page - 1) if page > 1 else None,
        next_url=page_url(page + 1) if page < pages else None,
        player=player,
        plate=plate,
        progress=progress,
        missing=every,
        shown=shown[start : start + CARDS_PER_PAGE],
        matching=len(shown),
        page=page,
        pages=pages,
        filters=chosen,
        levels=levels,
        lacks=LACKS[plate.requirement],
        requirement_label=REQUIREMENT_LABELS[plate.requirement],
        difficulties=plate.difficulties,
    )


def level_order(label: str) -> tuple:
    """Order level labels as the game does: 9, 9+, 10 ... 15."""
    number = label.rstrip("+")
    return (int(number) if number.isdigit() else 99, label.endswith("+"))


def filtered_plan(targets: List[Target], chosen: parse.PlanFilters) -> List[Target]:
    """Keep the plan's lines the filters ask for, in the chosen order."""
    kept = [
        target
        for target in targets
        if (not chosen.difficulties or target.chart.difficulty in chosen.difficulties)
        and (chosen.level is None or target.chart.level == chosen.level)
        and (chosen.frame is None or target.frame == chosen.frame)
    ]
    return sorted(kept, key=by_distance if chosen.sort == "closest" else by_gain)


@bp.route("/<name>/plan", endpoint="plan")
@player_page
def plan_page(name: str) -> str:
    """Show the charts whose next step would raise the player's rating."""
    session = db.session()
    player = player_or_404(name, session)
    chosen = filters_or_400(parse.plan_filters)
    found = player_plan(session, player.id)
    kept = filtered_plan(found.targets, chosen)
    levels = sorted({t.chart.level for t in found.targets if t.chart.level}, key=level_order)
    return render_template(
        "progress/plan.html",
        player=player,
        best=found.best50,
        lines=kept[:PLAN_LINES],
        matching=len(kept),
        every=len(found.targets),
        filters=chosen,
        levels=levels,
        frame_labels=FRAME_LABELS,
        difficulties=(game.BASIC, game.ADVANCED, game.EXPERT, game.MASTER, game.REMASTER),
    )
