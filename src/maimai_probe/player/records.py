"""Every play a player kept, newest first, filtered and paged by play time."""

import datetime
from typing import Any, List, NamedTuple, Optional, Sequence

from flask import Blueprint, render_template
from sqlalchemy import select

from .. import db
from ..jackets.serving import show_for_plays
from ..models import Chart, Play
from ..rating.trend import local_date
from . import queries
from .home import player_or_404, player_page

bp = Blueprint("records", __name__, url_prefix="/players", template_folder="templates")


class ShownPlay(NamedTuple):
    """A play with its linked catalog chart's level and constant (None when not linked)."""

    play: Play
    chart_level: Optional[str]
    constant_tenths: Optional[int]


class DayOfPlays(NamedTuple):
    """The plays of one local day on a page, newest first."""

    date: datetime.date
    plays: List[ShownPlay]


def by_day(rows: Sequence[Any]) -> List[DayOfPlays]:
    """Group a page's (play, level, constant) rows by the local day they were played on."""
    days = []  # type: List[DayOfPlays]
    for row in rows:
        shown = ShownPlay(*row[:3])
        date = local_date(shown.play.played_at, shown.play.utc_offset)
        if not days or days[-1].date != date:
            days.append(DayOfPlays(date, []))
        days[-1].plays.append(shown)
    return days


@bp.route("/<name>/plays")
@player_page
def plays(name: str) -> str:
    """Show one page of a player's plays."""
    session = db.session()
    player = player_or_404(name, session)
    wanted = queries.page_request()
    statement = select(Play, Chart.level, Chart.constant_tenths).outerjoin(
        Chart, Play.chart_id == Chart.id
    )
    page = queries.fetch_page(
        session, statement, player.id, wanted.filters, wanted.cursor, wanted.size
    )
    plays = [row[0] for row in page.rows]
    show_for_plays(session, plays)
    return render_template(
        "records/plays.html",
        player=player,
        wanted=wanted,
        plays=plays,
        days=by_day(page.rows),
        applied=queries.applied_filters(wanted.filters),
        total=queries.count_plays(session, player.id, wanted.filters),
        links=queries.pager_links("records.plays", wanted, page, name=player.name),
    )
