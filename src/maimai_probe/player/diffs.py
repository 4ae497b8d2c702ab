"""Each play against the player's best on the same chart before it."""

import datetime
from typing import Any, Dict, List, NamedTuple, Optional, Sequence

from flask import Blueprint, abort, render_template, request
from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from .. import db, game
from ..jackets.columns import kept_on_page, page_columns
from ..jackets.drawing import show
from ..models import Chart, Play
from ..play_days import local_date
from ..rating.rating_days import day_number, kept_day_span, kept_days
from ..web.navigation import note_unmatched
from . import queries
from .cards import CARD_COLUMNS, CARD_WIDTH, CardPlay, play_cards
from .filter_form import filter_form
from .lookup import player_page, shown_player

bp = Blueprint("diffs", __name__, url_prefix="/players", template_folder="templates")


class PlayDiff(NamedTuple):
    """A play and how it compares with the best of the same chart's earlier plays."""

    play: Play
    nth: int  # 1 for the chart's first play
    previous_achievement: Optional[int]  # None: no earlier play
    previous_dx_score: Optional[int]
    previous_fc: Optional[int]
    previous_fs: Optional[int]
    chart_level: Optional[str] = None  # the linked catalog chart's, where the play has none
    constant_tenths: Optional[int] = None

    @property
    def first_play(self) -> bool:
        """Tell whether no earlier play of the chart is kept."""
        return self.previous_achievement is None

    @property
    def achievement_delta(self) -> Optional[int]:
        """Return the achievement minus the earlier best, in 1/10000 %."""
        if self.first_play:
            return None
        return self.play.achievement - self.previous_achievement

    @property
    def dx_score_delta(self) -> Optional[int]:
        """Return the DX score minus the earlier best."""
        if self.first_play:
            return None
        return self.play.dx_score - self.previous_dx_score

    @property
    def previous_rank(self) -> Optional[str]:
        """Return the rank of the earlier best achievement."""
        if self.first_play:
            return None
        return game.rank_for(self.previous_achievement)

    @property
    def rank_up(self) -> bool:
        """Tell whether this play reached a rank no earlier play reached."""
        if self.first_play:
            return False
        return game.RANK_ORDER.get(self.play.rank, 0) > game.RANK_ORDER[self.previous_rank]

    @property
    def new_fc(self) -> bool:
        """Tell whether this play has a better combo mark than any earlier play."""
        return not self.first_play and self.play.fc > self.previous_fc

    @property
    def new_fs(self) -> bool:
        """Tell whether this play has a better sync mark than any earlier play."""
        return not self.first_play and self.play.fs > self.previous_fs

    @property
    def improved(self) -> bool:
        """Tell whether this play beat the earlier best in anything."""
        # From the fields, not the properties above: a page asks this of every play thrice.
        play = self.play
        return self.previous_achievement is not None and (
            play.achievement > self.previous_achievement
            or play.dx_score > self.previous_dx_score
            or play.fc > self.previous_fc
            or play.fs > self.previous_fs
        )

    @property
    def status(self) -> str:
        """Name the outcome: first, improved or same."""
        if self.first_play:
            return "first"
        return "improved" if self.improved else "same"

    @property
    def outcome(self) -> str:
        """Name the outcome as the strip shows it: first, record, dx-record, drop or same.

        A record beat the earlier best achievement; a dx-record beat only the DX score or a
        mark; a drop fell short of the earlier best achievement and beat nothing.
        """
        previous = self.previous_achievement
        if previous is None:
            return "first"
        achievement = self.play.achievement
        if achievement > previous:
            return "record"
        if self.improved:
            return "dx-record"
        return "drop" if achievement < previous else "same"


class PlayDay(NamedTuple):
    """The plays of one local day on a page, and how the day moved the rating."""

    date: datetime.date
    diffs: List[PlayDiff]
    rating_change: Optional[int]  # None: the day's rating is not known (no linked play)

    @property
    def improved(self) -> int:
        """Count the plays that beat the chart's earlier best in anything."""
        return sum(1 for diff in self.diffs if diff.improved)


def diff_select(
    lateral: bool = False, improved_only: bool = False, shown: Sequence[Any] = (Play,)
) -> Select:
    """Select plays with their chart's earlier bests, by LATERAL join or correlated subqueries.

    shown: what of the play to select, the Play entity or the columns of its card.

    Either reads the (player_id, title, kind, difficulty, played_at) index, so a page costs
    one query whatever its size and however many plays the player has. The LATERAL form
    (PostgreSQL) reads the chart's earlier plays once per play; the five correlated
    subqueries SQLite needs, having no LATERAL, read them five times.
    """
    earlier = aliased(Play)
    same_chart_before = and_(
        earlier.player_id == Play.player_id,
        earlier.title == Play.title,
        earlier.kind == Play.kind,
        earlier.difficulty == Play.difficulty,
        earlier.played_at < Play.played_at,
    )

    def beats_earlier(achievement: Any, dx_score: Any, fc: Any, fs: Any) -> Any:
        return and_(
            achievement.isnot(None),
            or_(
                Play.achievement > achievement,
                Play.dx_score > dx_score,
                Play.fc > fc,
                Play.fs > fs,
            ),
        )

    if lateral:
        before = (
            select(
                func.count().label("earlier_plays"),
                func.max(earlier.achievement).label("previous_achievement"),
                func.max(earlier.dx_score).label("previous_dx_score"),
                func.max(earlier.fc).label("previous_fc"),
                func.max(earlier.fs).label("previous_fs"),
            )
            .select_from(earlier)
            .where(same_chart_before)
            .lateral("earlier")
        )
        statement = select(
            *shown,
            before.c.earlier_plays,
            before.c.previous_achievement,
            before.c.previous_dx_score,
            before.c.previous_fc,
            before.c.previous_fs,
            Chart.level,
            Chart.constant_tenths,
        ).join_from(Play, before, true())
        statement = statement.outerjoin(Chart, Play.chart_id == Chart.id)
        if improved_only:
            statement = statement.where(
                beats_earlier(
                    before.c.previous_achievement,
                    before.c.previous_dx_score,
                    before.c.previous_fc,
                    before.c.previous_fs,
                )
            )
        return statement

    def earlier_value(aggregate: Any) -> Any:
        return select(aggregate).select_from(earlier).where(same_chart_before).correlate(Play)

    values = [
        earlier_value(func.max(getattr(earlier, name)))
        for name in ("achievement", "dx_score", "fc", "fs")
    ]
    statement = select(
        *shown,
        earlier_value(func.count(earlier.id)).scalar_subquery().label("earlier_plays"),
        values[0].scalar_subquery().label("previous_achievement"),
        values[1].scalar_subquery().label("previous_dx_score"),
        values[2].scalar_subquery().label("previous_fc"),
        values[3].scalar_subquery().label("previous_fs"),
        Chart.level,
        Chart.constant_tenths,
    ).outerjoin(Chart, Play.chart_id == Chart.id)
    if improved_only:
        statement = statement.where(beats_earlier(*[value.scalar_subquery() for value in values]))
    return statement


#: diff_select's statements by (lateral, improved_only, card columns or the Play entity): built
#: once per process, as building one costs more than compiling it does from SQLAlchemy's cache.
_DIFF_SELECTS = {}  # type: Dict[Tuple[bool, bool, bool], Select]


def card_diff_select(lateral: bool, improved_only: bool) -> Select:
    """Return diff_select of the card's columns, with the jackets and 未对应, built once."""
    key = (lateral, improved_only, True)
    statement = _DIFF_SELECTS.get(key)
    if statement is None:
        statement = diff_select(lateral, improved_only, CARD_COLUMNS)
        statement = _DIFF_SELECTS[key] = statement.add_columns(*page_columns(), queries.UNLINKED)
    return statement


#: Where a card diff row's jackets and its 未对应 column are (see card_diff_select).
JACKETS = CARD_WIDTH + 7
UNLINKED = JACKETS + 2


def lateral_joins(session: Any = None) -> bool:
    """Tell whether the database has LATERAL joins (PostgreSQL; SQLite has not)."""
    bind = session.get_bind() if session is not None else db.database().reading_engine
    return bind.dialect.name == "postgresql"


def play_diff(row: Sequence[Any]) -> PlayDiff:
    """Turn a row of diff_select() into a PlayDiff."""
    play, earlier_plays, achievement, dx_score, fc, fs, level, constant = row[:8]
    return PlayDiff(play, earlier_plays + 1, achievement, dx_score, fc, fs, level, constant)


def card_diff(row: Sequence[Any]) -> PlayDiff:
    """Turn a row of diff_select(shown=CARD_COLUMNS) into a PlayDiff of a CardPlay."""
    earlier_plays, achievement, dx_score, fc, fs, level, constant = row[CARD_WIDTH:JACKETS]
    play = CardPlay._make(row[:CARD_WIDTH])
    return PlayDiff(play, earlier_plays + 1, achievement, dx_score, fc, fs, level, constant)


def rating_changes(player_id: int, diffs: Sequence[PlayDiff]) -> Dict[str, int]:
    """Return how much each day of the page moved the rating, by local date ("2025-10-30")."""
    if not diffs:
        return {}
    shown = {day_number(local_date(diff.play.played_at, diff.play.utc_offset)) for diff in diffs}
    days = kept_day_span(player_id, min(shown), max(shown))
    if days is None:  # not kept at the archive's revision: replayed once, through a session
        days = kept_days(db.session(), player_id, days=sorted(shown))
    return {
        day.date: day.rating_change
        for day in days
        if day.day in shown and day.rating_change is not None
    }


def play_days(diffs: Sequence[PlayDiff], changes: Dict[str, int]) -> List[PlayDay]:
    """Group a page's plays, newest first, by the local day they were played on."""
    days = []  # type: List[PlayDay]
    for diff in diffs:
        date = local_date(diff.play.played_at, diff.play.utc_offset)
        if not days or days[-1].date != date:
            days.append(PlayDay(date, [], changes.get(date.isoformat())))
        days[-1].diffs.append(diff)
    return days


#: What ?improved= may say, either way; anything else is refused.
IMPROVED_ON = ("1", "on", "true", "yes")
IMPROVED_OFF = ("", "0", "off", "false", "no")


def improved_only_asked() -> bool:
    """Tell whether the page asks for only the plays that beat the earlier best (400: junk)."""
    asked = request.args.get("improved", "").strip().lower()
    if asked not in IMPROVED_ON + IMPROVED_OFF:
        abort(400, description="improved 只能是 1（只看有进步的游玩）或 0。")
    return asked in IMPROVED_ON


@bp.route("/<name>/diff")
@player_page
def plays(name: str) -> str:
    """Show one page of a player's plays, each against the earlier best, day by day."""
    player = shown_player(name)
    wanted = queries.page_request()
    improved_only = improved_only_asked()
    page = queries.fetch_page(
        None,
        card_diff_select(lateral_joins(), improved_only),
        player.id,
        wanted.filters,
        wanted.cursor,
        wanted.size,
    )
    rows = page.rows
    diffs = [card_diff(row) for row in rows]
    show(kept_on_page([diff.play for diff in diffs], rows, JACKETS))
    if rows:
        note_unmatched(player.id, bool(rows[0][UNLINKED]))
    changes = rating_changes(player.id, diffs)
    kept = {"improved": 1} if improved_only else {}
    return render_template(
        "diffs/plays.html",
        player=player,
        filter_form=filter_form,
        wanted=wanted,
        diffs=diffs,
        play_cards=play_cards,
        days=play_days(diffs, changes),
        improved=sum(1 for diff in diffs if diff.improved),
        improved_only=improved_only,
        filter_args=dict(wanted.filters.query_args(), name=player.name),
        applied=queries.applied_filters(wanted.filters, kept),
        links=queries.pager_links("diffs.plays", wanted, page, name=player.name, **kept),
    )
