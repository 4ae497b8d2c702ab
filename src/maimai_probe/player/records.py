"""Every play a player kept, newest first, filtered and paged by play time."""

import datetime
from typing import Any, List, NamedTuple, Optional, Sequence

from flask import Blueprint, render_template
from sqlalchemy import select
from sqlalchemy.sql import Select

from .. import tables
from ..jackets.columns import kept_on_page, page_columns
from ..jackets.drawing import show
from ..play_days import local_date
from ..web.navigation import note_unmatched
from . import queries
from .cards import CARD_COLUMNS, CARD_WIDTH, CardPlay, play_cards
from .filter_form import filter_form
from .lookup import player_page, shown_player

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


#: After the card's columns and the chart's two: the jackets, the total and the tabs' check.
JACKETS = CARD_WIDTH + 2
TOTAL = JACKETS + 2
UNLINKED = TOTAL + 1


def page_select(filters: queries.PlayFilters) -> Select:
    """Return the page's select: each play with its chart, jackets, the total and 未对应.

    Without filters it is built once, as building it costs more than compiling it from the
    cache; a page then reads it in one query after the player's row.
    """
    if not filters.is_active():
        return PAGE_SELECT
    return _select(queries.total_column(filters))


def _select(total: Any) -> Select:
    """Build the page's select with a total column."""
    chart = tables.chart.c
    return select(
        *CARD_COLUMNS,
        chart.level,
        chart.constant_tenths,
        *page_columns(),
        total,
        queries.UNLINKED,
    ).outerjoin(tables.chart, tables.play.c.chart_id == chart.id)


PAGE_SELECT = _select(queries.TOTAL_ALL)


@bp.route("/<name>/plays")
@player_page
def plays(name: str) -> str:
    """Show one page of a player's plays."""
    player = shown_player(name)
    wanted = queries.page_request()
    filters = wanted.filters
    page = queries.fetch_page(
        None, page_select(filters), player.id, filters, wanted.cursor, wanted.size
    )
    rows = page.rows
    shown = [shown_play(row) for row in rows]
    plays = [one.play for one in shown]
    show(kept_on_page(plays, rows, JACKETS))
    if rows:
        total = rows[0][TOTAL]
        note_unmatched(player.id, bool(rows[0][UNLINKED]))
    else:  # nothing on the page to read them with
        total = queries.count_plays(None, player.id, filters)
    return render_template(
        "records/plays.html",
        player=player,
        filter_form=filter_form,
        wanted=wanted,
        plays=plays,
        play_cards=play_cards,
        days=by_day(shown),
        applied=queries.applied_filters(filters),
        total=total,
        links=queries.pager_links("records.plays", wanted, page, name=player.name),
    )
