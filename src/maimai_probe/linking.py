"""Link a player's plays to catalog charts where the catalog leaves no doubt."""

from collections import defaultdict
from typing import Dict, List, Tuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .models import Chart, Play, Song

ChartKey = Tuple[str, str, int]  # (title, kind, difficulty)


def link_plays(session: Session, player_id: int) -> int:
    """Set chart_id on unlinked plays whose title, kind and difficulty name exactly one chart."""
    keys = session.execute(
        select(Play.title, Play.kind, Play.difficulty)
        .where(Play.player_id == player_id, Play.chart_id.is_(None))
        .distinct()
    ).all()
    if not keys:
        return 0
    charts = unique_charts(session, {title for title, _, _ in keys})
    linked = 0
    for title, kind, difficulty in keys:
        chart_id = charts.get((title, kind, difficulty))
        if chart_id is None:  # unknown or ambiguous: left for a person to decide
            continue
        linked += session.execute(
            update(Play)
            .where(
                Play.player_id == player_id,
                Play.chart_id.is_(None),
                Play.title == title,
                Play.kind == kind,
                Play.difficulty == difficulty,
            )
            .values(chart_id=chart_id)
            .execution_options(synchronize_session=False)
        ).rowcount
    return linked


def unique_charts(session: Session, titles: set) -> Dict[ChartKey, int]:
    """Return the chart id of each (title, kind, difficulty) that exactly one chart has."""
    found: Dict[ChartKey, List[int]] = defaultdict(list)
    rows = session.execute(
        select(Chart.id, Song.title, Song.kind, Chart.difficulty)
        .join(Song, Chart.song_id == Song.id)
        .where(Song.title.in_(sorted(titles)))
    ).all()
    for chart_id, title, kind, difficulty in rows:
        found[(title, kind, difficulty)].append(chart_id)
    return {key: ids[0] for key, ids in found.items() if len(ids) == 1}
