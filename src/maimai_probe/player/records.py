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
from .cards import CARD_COLUMNS, CARD_WIDTH, CardPlay, play_cards
from .home import player_or_404, player_page

bp = Blueprint("records", __name__, url_prefix="/players", template_folder="templates")


class ShownPlay(NamedTuple):
    """A play with its linked catalog chart's level and constant (None when not linked)."""

    play: CardPlay
    chart_level: Optional[str]
    constant_tenths: Optional[int]


class DayOfPlays(NamedTuple):
    """The plays of one local day on a page, newest first."""

    date: datetime.date
    plays: List[ShownPlay]

    @property
    def records(self) -> int:
        """Count the plays the game marked as a new achievement record."""
        return sum(1 for shown in self.plays if shown.play.achievement_new_record)


def shown_play(row: Sequence[Any]) -> ShownPlay:
    """Turn a row of the card's columns, the chart's level and constant into a ShownPlay."""
    return ShownPlay(CardPlay._make(row[:CARD_WIDTH]), row[CARD_WIDTH], row[CARD_WIDTH + 1])


def by_day(shown: Sequence[ShownPlay]) -> List[DayOfPlays]:
    """Group a page's plays by the local day they were played on."""
    days = []  # type: List[DayOfPlays]
    for one in shown:
        date = local_date(one.play.played_at, one.play.utc_offset)
        if not days or days[-1].date != date:
            days.append(DayOfPlays(date, []))
        days[-1].plays.append(one)
    return days


#: The page's select: built once, as building it costs more than compiling it from the cache.
PAGE_SELECT = select(*CARD_COLUMNS, Chart.level, Chart.constant_tenths).outerjoin(
    Chart, Play.chart_id == Chart.id
)


@bp.route("/<name>/plays")
@player_page
def plays(name: str) -> str:
    """Show one page of a player's plays."""
    session = db.session()
    player = player_or_404(name, session)
    wanted = queries.page_request()
    page = queries.fetch_page(
        session, PAGE_SELECT, player.id, wanted.filters, wanted.cursor, wanted.size
    )
    shown = [shown_play(row) for row in page.rows]
    plays = [one.play for one in shown]
    show_for_plays(session, plays)
    return render_template(
        "records/plays.html",
        player=player,
        wanted=wanted,
        plays=plays,
        play_cards=play_cards,
        days=by_day(shown),
        applied=queries.applied_filters(wanted.filters),
        total=queries.count_plays(session, player.id, wanted.filters),
        links=queries.pager_links("records.plays", wanted, page, name=player.name),
    )
