"""A best-50 frame's cards, written by string formatting.

A frame shows up to 35 cards. Written in a Jinja loop each card cost some 25 µs (a dozen
filters, a jacket and a link built by calls from the template, each value escaped on its own):
most of the page. Here each card is a format string filled with values escaped once: the same
markup. Every text from the database goes through escaping.text(); numbers are formatted
with %d, which cannot hold markup. The view hands b50_cards to its template.
"""

from typing import Any, Dict, List

from markupsafe import Markup

from .. import game
from ..jackets.drawing import draw
from ..web.chart_links import catalog_chart_url, chart_url
from ..web.escaping import text
from ..web.formatting import mark_spans, thousands

#: A card: its jacket and place, title, achievement and rank, marks and next step.
CARD = (
    '\n<li class="b50-card diff-%s%s">\n'
    '<a class="b50-link" href="%s">\n'
    '<span class="b50-art">%s<span class="b50-position">#%d</span>'
    '<span class="kind kind-%s">%s</span><span class="b50-diff">%s %s · %s</span></span>\n'
    '<span class="b50-title">%s</span>\n'
    '<span class="b50-score"><span class="b50-achievement">%s</span> '
    '<span class="rank rank-%s">%s</span><span class="b50-rating" title="Rating">%d</span></span>\n'
    '<span class="b50-marks">%s</span>\n'
    '<span class="b50-next">%s</span>\n'
    "</a>\n"
    "</li>"
)
#: The DX score and its stars, after the FC and FS marks.
DX_SCORE = '\n<span class="b50-dx">DX %s%s</span>'
STARS = ' <span class="stars" title="%d 星">%s</span>'
NEXT_STEP = '下一档 %s %s → %d（<span class="b50-gain">+%d</span>）'
TOP_STEP = "已是最高档"


def b50_cards(player: Any, entries: List[Any], marks: Dict[int, Any]) -> Markup:
    """Return a frame's cards, each a RatedChart with its ChartMarks found in marks."""
    last = len(entries)
    return Markup(  # noqa: S704 - every database text is escaped in _card
        "".join(
            _card(player.name, place, entry, marks.get(entry.chart.chart_id), place == last)
            for place, entry in enumerate(entries, 1)
        )
    )


def _card(player_name: str, place: int, entry: Any, mark: Any, floor: bool) -> str:
    """Return one card's markup."""
    chart = entry.chart
    slug = game.DIFFICULTY_SLUGS.get(chart.difficulty, "unknown")
    if mark and mark.catalog_id:
        link = catalog_chart_url(player_name, mark.catalog_id, slug)
    else:
        link = chart_url(player_name, chart.title, chart.kind, slug, "charts.chart")
    tenths = chart.constant_tenths
    step = entry.next
    return CARD % (
        slug,
        " b50-floor" if floor else "",
        text(link),
        draw(chart.title, chart.difficulty, chart=chart.chart_id, size=200),
        place,
        text(chart.kind.lower()),
        text(game.KIND_LABELS.get(chart.kind, chart.kind)),
        text(game.DIFFICULTY_NAMES.get(chart.difficulty, str(chart.difficulty))),
        text(chart.level or "?"),
        "?" if tenths is None else "%d.%d" % (tenths // 10, tenths % 10),
        text(chart.title),
        game.achievement_text(chart.achievement),
        text(entry.rank),
        text(game.RANK_LABELS.get(entry.rank, entry.rank or "")),
        entry.rating,
        _marks(mark) if mark else "",
        NEXT_STEP
        % (
            text(game.RANK_LABELS.get(step.rank, step.rank or "")),
            game.achievement_text(step.achievement),
            step.rating,
            step.gain,
        )
        if step
        else TOP_STEP,
    )


def _marks(mark: Any) -> str:
    """Return a card's FC and FS marks and its DX score with stars."""
    stars = mark.dx_stars
    return "%s%s%s" % (
        *mark_spans(mark.fc, mark.fs),
        DX_SCORE % (thousands(mark.dx_score), STARS % (stars, "★" * stars) if stars else ""),
    )
