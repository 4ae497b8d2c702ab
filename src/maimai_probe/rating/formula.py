"""DX rating in exact integers: per chart, best 35 old + best 15 new, and the next rank step."""

import bisect
import heapq
from typing import Dict, Iterable, List, NamedTuple, Optional, Tuple

from .. import game

#: (lowest achievement in 1/10000 %, factor in tenths), best first: 100.5 % -> 22.4.
FACTORS = (
    (1005000, 224),
    (1004999, 222),
    (1000000, 216),
    (999999, 214),
    (995000, 211),
    (990000, 208),
    (989999, 206),
    (980000, 203),
    (970000, 200),
    (969999, 176),
    (940000, 168),
    (900000, 152),
    (800000, 136),
    (799999, 128),
    (750000, 120),
    (700000, 112),
    (600000, 96),
    (500000, 80),
    (400000, 64),
    (300000, 48),
    (200000, 32),
    (100000, 16),
    (0, 0),
)
#: Achievement counts up to 100.5 % and no further.
ACHIEVEMENT_CAP = 1005000
#: constant (tenths) x factor (tenths) x achievement (1/10000 %) / 100 % -> this divisor.
RATING_DIVISOR = 10 * 10 * 10000 * 100

OLD_FRAME_SIZE = 35  # songs of earlier versions
NEW_FRAME_SIZE = 15  # songs of the current version


def factor_tenths(achievement: int) -> int:
    """Return the rating factor, in tenths, an achievement (1/10000 %) earns."""
    for lowest, factor in FACTORS:
        if achievement >= lowest:
            return factor
    return 0


def chart_rating(constant_tenths: int, achievement: int) -> int:
    """Return a chart's rating: floor(constant x factor x min(achievement, 100.5) / 100)."""
    capped = min(max(achievement, 0), ACHIEVEMENT_CAP)
    return constant_tenths * factor_tenths(capped) * capped // RATING_DIVISOR


class Step(NamedTuple):
    """The next rank that would raise a chart's rating, and by how much."""

    rank: str  # game.RANKS code
    achievement: int  # the lowest achievement of that rank
    rating: int
    gain: int


def next_step(constant_tenths: int, achievement: int) -> Optional[Step]:
    """Return the lowest rank above an achievement that gives the chart more rating."""
    current = chart_rating(constant_tenths, achievement)
    for code, _label, lowest in reversed(game.RANKS):
        if lowest <= achievement:
            continue
        rating = chart_rating(constant_tenths, lowest)
        if rating > current:
            return Step(code, lowest, rating, rating - current)
    return None


class ChartBest(NamedTuple):
    """A chart's best achievement across a player's plays and score readings."""

    chart_id: int
    title: str
    kind: str
    difficulty: int
    level: Optional[str]
    constant_tenths: Optional[int]  # None: the catalog does not know it
    achievement: int
    is_new: bool  # the song belongs to the current version


class RatedChart(NamedTuple):
    """A chart in a best-50 frame with its rating and the next step up."""

    chart: ChartBest
    rating: int
    rank: str
    next: Optional[Step]


class Best50(NamedTuple):
    """A player's rating: the two frames and the charts that cannot be rated."""

    old: List[RatedChart]  # best 35 of earlier versions
    new: List[RatedChart]  # best 15 of the current version
    unknown: List[ChartBest]  # constant unknown: shown apart

    @property
    def old_total(self) -> int:
        """Return the sum of the old frame."""
        return sum(entry.rating for entry in self.old)

    @property
    def new_total(self) -> int:
        """Return the sum of the new frame."""
        return sum(entry.rating for entry in self.new)

    @property
    def total(self) -> int:
        """Return the player's rating."""
        return self.old_total + self.new_total


def _frame_order(pair: Tuple[int, ChartBest]) -> Tuple[int, int, int, int]:
    """Order a frame: rating, then achievement, then constant, best first; then chart id."""
    rating, chart = pair
    return (-rating, -chart.achievement, -(chart.constant_tenths or 0), chart.chart_id)


def _kept(pairs: List[Tuple[int, ChartBest]], size: int) -> List[RatedChart]:
    """Keep a frame's best charts, each with its rank and next step."""
    return [
        RatedChart(
            chart,
            rating,
            game.rank_for(chart.achievement),
            next_step(chart.constant_tenths or 0, chart.achievement),
        )
        for rating, chart in heapq.nsmallest(size, pairs, key=_frame_order)
    ]


def best50(charts: Iterable[ChartBest]) -> Best50:
    """Split charts into the two frames and keep the best of each; UTAGE never counts."""
    old: List[Tuple[int, ChartBest]] = []
    new: List[Tuple[int, ChartBest]] = []
    unknown: List[ChartBest] = []
    for chart in charts:
        if chart.difficulty == game.UTAGE:
            continue
        if chart.constant_tenths is None:
            unknown.append(chart)
            continue
        # Only the kept charts need a rank and a next step: rate the others alone.
        pair = (chart_rating(chart.constant_tenths, chart.achievement), chart)
        (new if chart.is_new else old).append(pair)
    unknown.sort(key=lambda chart: (-chart.achievement, chart.title, chart.difficulty))
    return Best50(_kept(old, OLD_FRAME_SIZE), _kept(new, NEW_FRAME_SIZE), unknown)


class TopFrame:
    """The sum of the best `size` ratings, kept up to date as charts' ratings rise."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.total = 0
        self._members: Dict[int, int] = {}
        self._ordered: List[Tuple[int, int]] = []  # (rating, chart id), lowest first

    def offer(self, chart_id: int, rating: int) -> None:
        """Take a chart's new rating; a chart's rating only ever rises (its best improves)."""
        held = self._members.get(chart_id)
        if held is not None:
            if rating <= held:
                return
            self._remove(chart_id, held)
        elif len(self._ordered) >= self.size:
            lowest, lowest_chart = self._ordered[0]
            if rating <= lowest:
                return
            self._remove(lowest_chart, lowest)
        self._members[chart_id] = rating
        bisect.insort(self._ordered, (rating, chart_id))
        self.total += rating

    def _remove(self, chart_id: int, rating: int) -> None:
        """Drop a member."""
        del self._members[chart_id]
        del self._ordered[bisect.bisect_left(self._ordered, (rating, chart_id))]
        self.total -= rating
