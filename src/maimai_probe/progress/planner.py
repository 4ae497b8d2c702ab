"""The rating plan (推分): which charts would raise the total, to what, and by how much.

Pure integers, as the best 50 counts them (rating/formula.py). For every chart whose
constant is known, the target is the lowest rank step at which the player's total rises:
for a chart already in its frame, the next step that raises its own rating (it replaces its
own rating); for any other chart, the lowest step whose rating beats the frame's floor (it
replaces the floor), or any rating at all while the frame is not full.
"""

from typing import Dict, Iterable, List, NamedTuple, Optional, Tuple

from .. import game
from ..rating.formula import (
    ACHIEVEMENT_CAP,
    NEW_FRAME_SIZE,
    OLD_FRAME_SIZE,
    Best50,
    RatedChart,
    chart_rating,
    next_step,
)

B35, B15 = "b35", "b15"
FRAME_LABELS = {B35: "B35", B15: "B15"}
#: The rank steps a target can be, lowest first: (rank code, lowest achievement).
STEPS = tuple((code, lowest) for code, _label, lowest in reversed(game.RANKS) if lowest > 0)


class Candidate(NamedTuple):
    """A chart the plan may name: its catalog facts and the player's best (None: unplayed)."""

    chart_id: int
    title: str
    kind: str
    difficulty: int
    level: Optional[str]
    constant_tenths: int
    is_new: bool
    achievement: Optional[int]


class Target(NamedTuple):
    """One line of the plan."""

    chart: Candidate
    frame: str  # B35 or B15
    in_frame: bool  # already one of the frame's charts
    rating: int  # the chart's rating now (0 unplayed)
    rank: str  # the target's rank code
    target: int  # the lowest achievement of that rank, 1/10000 %
    rating_at_target: int
    gain: int  # to the player's total

    @property
    def distance(self) -> int:
        """Return how far the best is from the target, in 1/10000 % (unplayed: the target)."""
        return self.target - (self.chart.achievement or 0)


class Frame(NamedTuple):
    """What the plan needs to know of one frame of the best 50."""

    size: int
    members: Dict[int, int]  # chart id -> rating
    floor: Optional[int]  # the lowest rating, None while the frame is not full
    thresholds: Tuple[int, ...]  # per step of STEPS: the lowest constant that beats the floor

    def lowest_constant(self) -> int:
        """Return the lowest constant (tenths) whose best rating could raise this frame."""
        return self.thresholds[-1]


def frame_of(entries: List[RatedChart], size: int) -> Frame:
    """Describe a frame of the best 50, with the constant each step needs to beat its floor."""
    members = {entry.chart.chart_id: entry.rating for entry in entries}
    floor = entries[-1].rating if len(entries) >= size else None
    bar = 0 if floor is None else floor
    return Frame(size, members, floor, tuple(min_constant(bar, lowest) for _, lowest in STEPS))


def frames_of(best: Best50) -> Dict[str, Frame]:
    """Return both frames of a best 50, by name."""
    return {B35: frame_of(best.old, OLD_FRAME_SIZE), B15: frame_of(best.new, NEW_FRAME_SIZE)}


def min_constant(floor: int, achievement: int = ACHIEVEMENT_CAP) -> int:
    """Return the lowest constant (tenths) whose rating at an achievement beats a floor."""
    low, high = 1, 1
    while chart_rating(high, achievement) <= floor:
        high *= 2
    while low < high:  # ratings rise with the constant: search for the first above the floor
        middle = (low + high) // 2
        if chart_rating(middle, achievement) > floor:
            high = middle
        else:
            low = middle + 1
    return low


def plan_target(chart: Candidate, frame_name: str, frame: Frame) -> Optional[Target]:
    """Return the chart's line of the plan, or None when no step raises the total."""
    achievement = chart.achievement or 0
    current = chart_rating(chart.constant_tenths, achievement) if chart.achievement else 0
    if chart.chart_id in frame.members:
        step = next_step(chart.constant_tenths, achievement)
        if step is None:
            return None
        return Target(
            chart, frame_name, True, current, step.rank, step.achievement, step.rating, step.gain
        )
    found = entering_step_above(chart.constant_tenths, frame, achievement)
    if found is None:
        return None
    code, lowest, rating = found
    gain = rating - (frame.floor if frame.floor is not None else 0)
    return Target(chart, frame_name, False, current, code, lowest, rating, gain)


def entering_step_above(
    constant_tenths: int, frame: Frame, achievement: int
) -> Optional[Tuple[str, int, int]]:
    """Return the lowest step (rank, achievement, rating) above a best that beats the floor."""
    for (code, lowest), needed in zip(STEPS, frame.thresholds):
        if lowest > achievement and constant_tenths >= needed:
            return code, lowest, chart_rating(constant_tenths, lowest)
    return None


def plan(best: Best50, candidates: Iterable[Candidate]) -> List[Target]:
    """Return every chart whose next useful step raises the total, biggest gain first."""
    frames = frames_of(best)
    lowest = {name: frame.lowest_constant() for name, frame in frames.items()}
    targets = []
    for chart in candidates:
        if chart.difficulty == game.UTAGE:
            continue
        name = B15 if chart.is_new else B35
        frame = frames[name]
        if chart.chart_id not in frame.members and chart.constant_tenths < lowest[name]:
            continue  # even 100.5 % would not beat the floor
        target = plan_target(chart, name, frame)
        if target is not None and target.gain > 0:
            targets.append(target)
    targets.sort(key=by_gain)
    return targets


def by_gain(target: Target) -> Tuple[int, int, int]:
    """Order the plan by gain, then by how close the player already is."""
    return (-target.gain, target.distance, target.chart.chart_id)


def by_distance(target: Target) -> Tuple[int, int, int, int]:
    """Order the plan by how close the player already is (unplayed last), then by gain."""
    return (target.chart.achievement is None, target.distance, -target.gain, target.chart.chart_id)
