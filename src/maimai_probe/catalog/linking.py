"""Link plays and score readings to catalog charts where nothing is left to guess."""

from collections import defaultdict
from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Set, Tuple

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from .. import game
from ..models import Chart, ChartAlias, Play, Score, Song, bump_revision
from ..rating.bests import refresh_bests

ChartKey = Tuple[str, str, int]  # (title, kind, difficulty)

#: Catalog titles the official pages show under another title. Diving-Fish names the second
#: of the two songs called "Link" (id 383) "Link(CoF)"; the pages show both as "Link".
SHOWN_TITLES = {"Link(CoF)": "Link"}


class LinkResult(NamedTuple):
    """How many plays and score readings a run linked."""

    plays: int
    scores: int


class Candidate(NamedTuple):
    """A chart that a shown title, kind and difficulty may stand for."""

    chart_id: int
    catalog_id: Optional[str]
    title: str
    kind: str
    difficulty: int
    level: Optional[str]
    constant_tenths: Optional[int]
    artist: Optional[str]
    version: Optional[str]


class Unmatched(NamedTuple):
    """A title, kind and difficulty whose plays no chart is linked to yet."""

    title: str
    kind: str
    difficulty: int
    plays: int
    scores: int
    candidates: List[Candidate]  # none: unknown to the catalog; several: ambiguous


class ResolveError(ValueError):
    """A choice of chart that does not fit, with the reason in Chinese."""


def catalog_titles(titles: Iterable[str]) -> Set[str]:
    """Return the catalog titles that the shown titles may stand for."""
    wanted = set(titles)
    return wanted | {title for title, shown in SHOWN_TITLES.items() if shown in wanted}


def chart_candidates(
    session: Session, titles: Optional[Iterable[str]] = None
) -> Dict[ChartKey, List[Candidate]]:
    """Return the charts each shown (title, kind, difficulty) may stand for."""
    statement = select(
        Chart.id,
        Song.catalog_id,
        Song.title,
        Song.kind,
        Chart.difficulty,
        Chart.level,
        Chart.constant_tenths,
        Song.artist,
        Song.version,
    ).join(Song, Chart.song_id == Song.id)
    if titles is not None:
        statement = statement.where(Song.title.in_(sorted(catalog_titles(titles))))
    found: Dict[ChartKey, List[Candidate]] = defaultdict(list)
    for row in session.execute(statement.order_by(Song.catalog_id, Chart.id)):
        candidate = Candidate(*row)
        shown = {candidate.title, SHOWN_TITLES.get(candidate.title, candidate.title)}
        # A UTAGE title is one of a kind; the pages do not always agree on its chart kind.
        kinds = game.KINDS if candidate.difficulty == game.UTAGE else (candidate.kind,)
        for title in shown:
            for kind in kinds:
                found[(title, kind, candidate.difficulty)].append(candidate)
    return found


def unique_charts(session: Session, titles: Set[str]) -> Dict[ChartKey, int]:
    """Return the chart id of each (title, kind, difficulty) that exactly one chart has."""
    return {
        key: charts[0].chart_id
        for key, charts in chart_candidates(session, titles).items()
        if len(charts) == 1
    }


def link_plays(session: Session, player_id: int) -> int:
    """Link a player's unlinked plays and score readings; return how many plays were linked."""
    return link_all(session, player_id).plays


def link_all(session: Session, player_id: Optional[int] = None) -> LinkResult:
    """Link the unlinked plays and score readings of one player, or of every player.

    Then bring their bests per chart in step with the archive: the caller may have added or
    changed rows on charts linked before (an import does), as well as those linked now.
    """
    result = LinkResult(
        _link_rows(session, Play.__table__, player_id),
        _link_rows(session, Score.__table__, player_id),
    )
    if result.plays or result.scores:
        bump_revision(session, player_id)
    refresh_bests(session, player_id)
    return result


def _link_rows(session: Session, table: Table, player_id: Optional[int]) -> int:
    """Set chart_id on a table's unlinked rows by the player's choice, else the only chart."""
    statement = (
        select(
            table.c.player_id,
            table.c.title,
            table.c.kind,
            table.c.difficulty,
            func.count(),
        )
        .where(table.c.chart_id.is_(None))
        .group_by(table.c.player_id, table.c.title, table.c.kind, table.c.difficulty)
    )
    if player_id is not None:
        statement = statement.where(table.c.player_id == player_id)
    keys = session.execute(statement).all()
    if not keys:
        return 0
    charts = unique_charts(session, {title for _, title, _, _, _ in keys})
    chosen = aliases(session, {player for player, _, _, _, _ in keys})
    changes = []
    linked = 0
    for player, title, kind, difficulty, count in keys:
        chart_id = chosen.get((player, title, kind, difficulty)) or charts.get(
            (title, kind, difficulty)
        )
        if chart_id is None:  # unknown or ambiguous: left for the player to decide
            continue
        changes.append(_link_values(player, (title, kind, difficulty), chart_id))
        linked += count
    if changes:
        session.execute(_set_chart(table).where(table.c.chart_id.is_(None)), changes)
    return linked


def _set_chart(table: Table) -> Any:
    """Return an UPDATE of chart_id on a player's rows of one title, kind and difficulty."""
    return (
        update(table)
        .where(
            table.c.player_id == bindparam("k_player"),
            table.c.title == bindparam("k_title"),
            table.c.kind == bindparam("k_kind"),
            table.c.difficulty == bindparam("k_difficulty"),
        )
        .values(chart_id=bindparam("k_chart"))
    )


def _link_values(player_id: int, key: ChartKey, chart_id: int) -> Dict[str, Any]:
    """Return the parameters of _set_chart for one player, title, kind and difficulty."""
    title, kind, difficulty = key
    return {
        "k_player": player_id,
        "k_title": title,
        "k_kind": kind,
        "k_difficulty": difficulty,
        "k_chart": chart_id,
    }


def aliases(session: Session, player_ids: Set[int]) -> Dict[Tuple[int, str, str, int], int]:
    """Return the charts players chose, by (player, title, kind, difficulty)."""
    rows = session.execute(
        select(
            ChartAlias.player_id,
            ChartAlias.title,
            ChartAlias.kind,
            ChartAlias.difficulty,
            ChartAlias.chart_id,
        ).where(ChartAlias.player_id.in_(sorted(player_ids)))
    )
    return {
        (player, title, kind, difficulty): chart for player, title, kind, difficulty, chart in rows
    }


def link_chosen(session: Session, player_id: int, choices: Dict[ChartKey, int]) -> LinkResult:
    """Link every play and score reading of the chosen titles to their charts; count them.

    Rows linked to another chart move over too: a title linked while the catalog had one
    song of that name follows the choice once it has two. The counts are the driver's,
    exact for one choice (several go as one executemany).
    """
    changes = [_link_values(player_id, key, chart_id) for key, chart_id in sorted(choices.items())]
    if not changes:
        return LinkResult(0, 0)
    parameters = changes if len(changes) > 1 else changes[0]
    return LinkResult(
        *(
            session.execute(_set_chart(table), parameters).rowcount
            for table in (Play.__table__, Score.__table__)
        )
    )


def unmatched(session: Session, player_id: int) -> List[Unmatched]:
    """List a player's titles that no chart is linked to, with the charts they may be."""
    counts: Dict[ChartKey, List[int]] = defaultdict(lambda: [0, 0])
    for position, table in enumerate((Play.__table__, Score.__table__)):
        rows = session.execute(
            select(table.c.title, table.c.kind, table.c.difficulty, func.count())
            .where(table.c.player_id == player_id, table.c.chart_id.is_(None))
            .group_by(table.c.title, table.c.kind, table.c.difficulty)
        )
        for title, kind, difficulty, count in rows:
            counts[(title, kind, difficulty)][position] = count
    if not counts:
        return []
    candidates = chart_candidates(session, {title for title, _, _ in counts})
    found = [
        Unmatched(
            title, kind, difficulty, plays, scores, candidates.get((title, kind, difficulty), [])
        )
        for (title, kind, difficulty), (plays, scores) in counts.items()
    ]
    found.sort(key=lambda entry: (-entry.plays - entry.scores, entry.title, entry.difficulty))
    return found


def chosen(session: Session, player_id: int) -> List[Tuple[ChartAlias, List[Candidate]]]:
    """List the charts a player chose, each with the charts it was chosen from."""
    rows = (
        session.execute(
            select(ChartAlias)
            .where(ChartAlias.player_id == player_id)
            .order_by(ChartAlias.title, ChartAlias.kind, ChartAlias.difficulty)
        )
        .scalars()
        .all()
    )
    if not rows:
        return []
    candidates = chart_candidates(session, {alias.title for alias in rows})
    return [
        (alias, candidates.get((alias.title, alias.kind, alias.difficulty), [])) for alias in rows
    ]


def resolve(session: Session, player_id: int, key: ChartKey, chart_id: int, now: int) -> LinkResult:
    """Record the player's choice of chart for an ambiguous title and link its rows to it."""
    title, kind, difficulty = key
    candidates = chart_candidates(session, {title}).get(key, [])
    if len(candidates) < 2:
        raise ResolveError("「%s」不是有歧义的曲名，不需要选择谱面。" % title)
    if chart_id not in {candidate.chart_id for candidate in candidates}:
        raise ResolveError("所选的谱面不是「%s」的候选之一。" % title)
    alias = session.execute(
        select(ChartAlias).where(
            ChartAlias.player_id == player_id,
            ChartAlias.title == title,
            ChartAlias.kind == kind,
            ChartAlias.difficulty == difficulty,
        )
    ).scalar_one_or_none()
    if alias is None:
        session.add(
            ChartAlias(
                player_id=player_id,
                title=title,
                kind=kind,
                difficulty=difficulty,
                chart_id=chart_id,
                created_at=now,
            )
        )
    else:
        alias.chart_id = chart_id
    linked = link_chosen(session, player_id, {key: chart_id})
    bump_revision(session, player_id)
    refresh_bests(session, player_id)
    session.flush()
    return linked
