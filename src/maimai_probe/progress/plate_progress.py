"""A player's plates from the archive: the best of each chart over plays and score readings."""

from typing import Any, Dict, List, NamedTuple, Optional, Tuple

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from .. import game
from ..models import Chart, Song
from ..rating.bests import kept_bests
from .plates import (
    AP,
    CLEAR,
    CLEAR_ACHIEVEMENT,
    FC,
    FSD,
    KNOWN_VERSIONS,
    LEFT_OUT,
    PLATES,
    SSS,
    SSS_ACHIEVEMENT,
    Best,
    Plate,
    meets,
)


class VersionCount(NamedTuple):
    """The charts of one version and difficulty, and how many meet each requirement."""

    version: Optional[str]
    difficulty: int
    total: int
    done: Dict[str, int]


class PlateProgress(NamedTuple):
    """A plate's progress: charts that meet its requirement out of all it covers."""

    plate: Plate
    done: int
    total: int

    @property
    def complete(self) -> bool:
        """Tell whether every chart meets the requirement."""
        return self.total > 0 and self.done >= self.total


class Overview(NamedTuple):
    """Every plate's progress, and the songs whose version no plate covers."""

    plates: List[PlateProgress]
    unknown_versions: List[Tuple[Optional[str], int]]  # (version as the catalog has it, charts)


class MissingChart(NamedTuple):
    """A chart a plate still needs, with the player's best on it (None: never played)."""

    chart_id: int
    song_id: int
    title: str
    kind: str
    difficulty: int
    level: Optional[str]
    constant_tenths: Optional[int]
    version: str
    achievement: Optional[int]
    fc: Optional[int]
    fs: Optional[int]


def chart_bests(player_id: int) -> Any:
    """Return a subquery of the player's best achievement, combo and sync mark per chart."""
    return kept_bests(player_id)


def _counted() -> Any:
    """Return the condition on a chart that any plate could count it."""
    return and_(
        Chart.difficulty <= game.REMASTER,
        or_(Song.catalog_id.is_(None), Song.catalog_id.notin_(sorted(LEFT_OUT))),
    )


def _met(best: Any) -> Dict[str, Any]:
    """Return, per requirement, the SQL condition a chart's best meets it."""
    return {
        CLEAR: best.c.achievement >= CLEAR_ACHIEVEMENT,
        FC: best.c.fc >= game.FC,
        SSS: best.c.achievement >= SSS_ACHIEVEMENT,
        AP: best.c.fc >= game.AP,
        FSD: best.c.fs >= game.FDX,
    }


def version_counts(session: Session, player_id: int) -> List[VersionCount]:
    """Count, per version and difficulty, the charts and those meeting each requirement."""
    best = chart_bests(player_id)
    met = _met(best)
    requirements = list(met)
    rows = (
        session.connection()
        .execute(
            select(
                Song.version,
                Chart.difficulty,
                func.count(Chart.id),
                *[func.sum(case((met[name], 1), else_=0)) for name in requirements],
            )
            .select_from(Chart)
            .join(Song, Chart.song_id == Song.id)
            .outerjoin(best, best.c.chart_id == Chart.id)
            .where(_counted())
            .group_by(Song.version, Chart.difficulty)
        )
        .all()
    )
    return [
        VersionCount(
            version,
            difficulty,
            total,
            {name: int(done or 0) for name, done in zip(requirements, dones)},
        )
        for version, difficulty, total, *dones in rows
    ]


def overview(session: Session, player_id: int, plates: Optional[List[Plate]] = None) -> Overview:
    """Return the progress of every plate (or of the ones given) in one query."""
    counts = version_counts(session, player_id)
    by_version = {}  # type: Dict[Tuple[Optional[str], int], VersionCount]
    unknown = {}  # type: Dict[Optional[str], int]
    for count in counts:
        by_version[(count.version, count.difficulty)] = count
        if count.version not in KNOWN_VERSIONS:
            unknown[count.version] = unknown.get(count.version, 0) + count.total
    progress = []
    for plate in PLATES if plates is None else plates:
        done = total = 0
        for version in plate.group.versions:
            for difficulty in plate.difficulties:
                count = by_version.get((version, difficulty))
                if count is not None:
                    total += count.total
                    done += count.done[plate.requirement]
        progress.append(PlateProgress(plate, done, total))
    ordered = sorted(unknown.items(), key=lambda item: (item[0] is None, item[0] or ""))
    return Overview(progress, ordered)


def charts_with_bests(best: Any, *conditions: Any) -> Any:
    """Select the charts that meet the conditions with the player's best on each, hardest first."""
    return (
        select(
            Chart.id,
            Song.id,
            Song.title,
            Song.kind,
            Chart.difficulty,
            Chart.level,
            Chart.constant_tenths,
            Song.version,
            best.c.achievement,
            best.c.fc,
            best.c.fs,
        )
        .select_from(Chart)
        .join(Song, Chart.song_id == Song.id)
        .outerjoin(best, best.c.chart_id == Chart.id)
        .where(_counted(), *conditions)
        .order_by(
            Chart.constant_tenths.is_(None),  # unknown constants last, on every database
            Chart.constant_tenths.desc(),
            Chart.difficulty.desc(),
            Song.title,
            Song.kind,
        )
    )


def missing_charts(session: Session, player_id: int, plate: Plate) -> List[MissingChart]:
    """Return the charts of a plate whose best does not meet its requirement, hardest first."""
    best = chart_bests(player_id)
    met = _met(best)[plate.requirement]
    statement = charts_with_bests(
        best,
        Song.version.in_(plate.group.versions),
        Chart.difficulty.in_(plate.difficulties),
        or_(best.c.chart_id.is_(None), ~met),
    )
    # Core rows, not the ORM's: a plate over the old versions misses a thousand charts.
    return [MissingChart(*row) for row in session.connection().execute(statement)]


class PlateDetail(NamedTuple):
    """A plate's progress with the charts it still needs."""

    plate: Plate
    done: int
    total: int
    missing: List[MissingChart]


def counted_charts(session: Session, player_id: int) -> List[MissingChart]:
    """Return every chart some plate could count, with the player's best on it, in one query."""
    best = chart_bests(player_id)
    statement = charts_with_bests(best, Song.version.in_(sorted(KNOWN_VERSIONS)))
    rows = session.connection().execute(statement).all()
    return [MissingChart(*row) for row in rows]


def details(plates: List[Plate], charts: List[MissingChart]) -> List[PlateDetail]:
    """Work out each plate's progress and missing charts from the counted charts."""
    found = []
    for plate in plates:
        versions = frozenset(plate.group.versions)
        difficulties = frozenset(plate.difficulties)
        covered = [
            chart
            for chart in charts
            if chart.version in versions and chart.difficulty in difficulties
        ]
        missing = [chart for chart in covered if not meets(plate.requirement, best_of(chart))]
        found.append(PlateDetail(plate, len(covered) - len(missing), len(covered), missing))
    return found


def best_of(chart: MissingChart) -> Optional[Best]:
    """Return a chart's best, or None when the player has no reading of it."""
    if chart.achievement is None:
        return None
    return Best(chart.achievement, chart.fc or 0, chart.fs or 0)
