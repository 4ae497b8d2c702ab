"""A play's card, as the record, diff and home pages show it, written by string formatting.

A page shows up to 200 cards. As a Jinja macro each card cost some 50 µs (a macro call, 30
expressions, a dozen filters, each value escaped on its own): most of a page rendered anew.
Here each card is a few format strings filled with values escaped once: the same markup
at a tenth of the cost. Every text from the database goes through escape(); numbers are
formatted with %d, which cannot hold markup. The views hand play_card to their templates.
"""

import datetime
import functools
from typing import Any, Iterable, NamedTuple, Optional

from markupsafe import Markup, escape

from .. import game, tables
from ..jackets.drawing import Kept, draw_from, kept_jackets
from ..web.chart_links import chart_path, chart_query
from ..web.formatting import (
    mark_spans,
    signed,
    signed_achievement,
    thousands,
    time_zone,
    trend,
)


class CardPlay(NamedTuple):
    """The columns of a play its card shows: a row, cheaper to read than an ORM object."""

    played_at: int  # first: queries.fetch_page pages by it
    utc_offset: int
    track: Optional[int]
    title: str
    kind: str
    difficulty: int
    level: Optional[str]
    achievement: int
    rank: str
    dx_score: int
    dx_score_max: int
    dx_stars: int
    fc: int
    fs: int
    achievement_new_record: bool
    dx_score_new_record: bool
    place: Optional[int]
    jacket: Optional[str]
    chart_id: Optional[int]


#: Those columns, to select.
CARD_COLUMNS = tuple(tables.play.c[name] for name in CardPlay._fields)
#: How many they are: a row's first CARD_WIDTH values make its CardPlay.
CARD_WIDTH = len(CARD_COLUMNS)


#: The card's head, title, jacket and score; %s are escaped or made here.
CARD = (
    '<article class="play diff-%s">\n'
    '  <header class="play-head">\n'
    '    <span class="play-diff">%s%s</span>\n'
    "    %s\n"
    '    <span class="kind kind-%s">%s</span>\n'
    '    <span class="play-when">%s<time datetime="%s">%s</time></span>\n'
    "  </header>\n"
    '  <h3 class="play-title"><a href="%s">%s</a></h3>\n'
    '  <div class="play-body">\n'
    "    %s\n"
    '    <div class="play-result">\n'
    '      <div class="play-score">\n'
    '        <span class="achievement">%s</span>\n'
    '        <span class="rank rank-%s">%s</span>\n'
    "        %s\n"
    "      </div>\n"
    '      <div class="play-marks">\n'
    '        <span class="dx-score"><span class="dx-label">DX</span> %s / %s</span>\n'
    "        %s\n"
    "        %s\n"
    "        %s\n"
    "        %s\n"
    "        %s\n"
    "      </div>\n"
    "    </div>\n"
    "  </div>\n"
    "  %s\n"
    "</article>\n"
)
NEW_RECORD = '<span class="new-record">新纪录</span>'
NEW_DX_RECORD = '<span class="new-record">DX 新纪录</span>'
#: Each outcome of a play against the earlier best, as the diff line names it.
OUTCOME_LABELS = {
    "first": "首次游玩",
    "record": "新纪录",
    "dx-record": "分数更新",
    "drop": "下降",
    "same": "持平",
}
DIFF_LINE = (
    '\n\n<div class="diff-line outcome-%s">\n'
    '  <span class="diff-tag">%s</span>\n'
    "  %s\n"
    '  <span class="nth">第 %d 次</span>\n'
    "</div>\n"
)
DIFF_VALUES = (
    '\n  <span class="diff-value"><span class="diff-old">%s</span> → '
    '<span class="diff-new">%s</span>%s</span>\n'
    '  <span class="diff-value">DX <span class="diff-old">%s</span> → '
    '<span class="diff-new">%s</span>%s</span>\n'
    "  %s\n  %s\n  %s\n  "
)


@functools.lru_cache(maxsize=8192)
def _text(value: str) -> str:
    """Return text escaped for HTML, as Jinja's autoescape writes it; titles come up again."""
    return str(escape(value))


def _marks(play: Any) -> tuple:
    """Return the stars, DX record, FC, FS and place spans of a play ('' where it has none)."""
    stars = play.dx_stars
    return (
        '<span class="stars stars-%d" title="%d 星">%s</span>' % (stars, stars, "★" * stars)
        if stars
        else "",
        NEW_DX_RECORD if play.dx_score_new_record else "",
        *mark_spans(play.fc, play.fs),
        '<span class="place place-%d">第 %d 名</span>' % (play.place, play.place)
        if play.place
        else "",
    )


def diff_line(diff: Any) -> str:
    """Return the line under a card: the play against the chart's earlier best."""
    play = diff.play
    values = ""
    if diff.previous_achievement is not None:
        delta = play.achievement - diff.previous_achievement
        dx_delta = play.dx_score - diff.previous_dx_score
        values = DIFF_VALUES % (
            game.achievement_text(diff.previous_achievement),
            game.achievement_text(play.achievement),
            ' <span class="delta delta-achievement %s">%s</span>'
            % (trend(delta), signed_achievement(delta))
            if delta
            else "",
            thousands(diff.previous_dx_score),
            thousands(play.dx_score),
            ' <span class="delta %s">%s</span>' % (trend(dx_delta), signed(dx_delta))
            if dx_delta
            else "",
            '<span class="diff-mark">%s → %s</span>'
            % (_rank_label(diff.previous_rank), _rank_label(play.rank))
            if diff.rank_up
            else "",
            '<span class="diff-mark">首次 %s</span>' % game.FC_LABELS.get(play.fc, "")
            if play.fc > diff.previous_fc
            else "",
            '<span class="diff-mark">首次 %s</span>' % game.FS_LABELS.get(play.fs, "")
            if play.fs > diff.previous_fs
            else "",
        )
    outcome = diff.outcome
    return DIFF_LINE % (outcome, OUTCOME_LABELS[outcome], values, diff.nth)


def _rank_label(code: Optional[str]) -> str:
    """Return a rank's label, escaped."""
    return _text(game.RANK_LABELS.get(code, code or ""))


def play_card(
    player: Any,
    play: Any,
    diff: Any = None,
    level: Optional[str] = None,
    constant: Optional[int] = None,
) -> Markup:
    """Return a play's card: chart, time, jacket, score and marks, and the diff line if given."""
    card = _card(chart_path(player.name), kept_jackets(), play, diff, level, constant)
    return Markup(card)  # noqa: S704 - see _card


def play_cards(player: Any, shown: Iterable[Any], diffs: bool = False) -> Markup:
    """Return the cards of a day's plays, each a ShownPlay, or a PlayDiff when diffs is true.

    One call a day: Jinja's call of a global costs as much as half a card.
    """
    path = chart_path(player.name)
    found = kept_jackets()
    return Markup(  # noqa: S704 - see _card
        "".join(
            _card(
                path,
                found,
                one.play,
                one if diffs else None,
                one.chart_level,
                one.constant_tenths,
            )
            for one in shown
        )
    )


def _card(
    chart_pages: str,
    found: Kept,
    play: Any,
    diff: Any,
    level: Optional[str],
    constant: Optional[int],
) -> str:
    """Write a card's markup. Every text from the database is escaped by _text; the rest is
    numbers and this module's own markup, so the card is safe to mark as such."""
    difficulty = play.difficulty
    level = play.level or level
    when = datetime.datetime.fromtimestamp(play.played_at, time_zone(play.utc_offset))
    kind = play.kind
    title = play.title
    values = (
        game.DIFFICULTY_SLUGS.get(difficulty, "unknown"),
        game.DIFFICULTY_NAMES.get(difficulty, str(difficulty)),
        " " + _text(level) if level else "",
        '<span class="play-constant" title="定数">%.1f</span>' % (constant / 10)
        if constant
        else "",
        _text(kind.lower()),
        _text(game.KIND_LABELS.get(kind, kind)),
        '<span class="track">曲目 %02d</span>' % play.track if play.track else "",
        # As strftime's %Y-%m-%dT%H:%M and %Y/%m/%d %H:%M write them, at a fifth of the cost.
        "%04d-%02d-%02dT%02d:%02d" % (when.year, when.month, when.day, when.hour, when.minute),
        "%04d/%02d/%02d %02d:%02d" % (when.year, when.month, when.day, when.hour, when.minute),
        _text(chart_pages + "?" + chart_query(title, kind, difficulty)),
        _text(title),
        draw_from(found, title, difficulty, name=play.jacket, chart=play.chart_id),
        game.achievement_text(play.achievement),
        _text(play.rank),
        _rank_label(play.rank),
        NEW_RECORD if play.achievement_new_record else "",
        thousands(play.dx_score),
        thousands(play.dx_score_max),
    )
    marks = _marks(play) + (diff_line(diff) if diff else "",)
    return CARD % (values + marks)
