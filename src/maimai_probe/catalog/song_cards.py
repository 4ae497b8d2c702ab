"""The song lists' cards: songs whose charts pass the filters, each with all its charts."""

import math
from collections import defaultdict
from typing import Any, List, NamedTuple, Optional

from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session

from .. import game
from ..models import Chart, Song
from . import search
from .songs import SongFilters, SongRow, chart_rows, conditions, level_labels, level_value


class SongCard(NamedTuple):
    """One song of the list with every chart of it, and the player's best on each."""

    song_id: int
    title: str
    kind: str
    artist: Optional[str]
    version: Optional[str]
    is_new: bool
    catalog_id: Optional[str]
    charts: List[SongRow]

    @property
    def played(self) -> bool:
        """Tell whether the player has a best on any of the song's charts."""
        return any(chart.achievement is not None for chart in self.charts)

    @property
    def top_difficulty(self) -> int:
        """Return the song's hardest chart's difficulty, for the placeholder's colour."""
        return max((chart.difficulty for chart in self.charts), default=game.MASTER)


class SongCardPage(NamedTuple):
    """One page of song cards and how many songs match in all."""

    cards: List[SongCard]
    total: int
    page: int
    pages: int


def song_order(filters: SongFilters, sort: str, best: Any, levels: List[str]) -> List[Any]:
    """Order songs as their first chart would come in the chart list: unknown values last."""
    most = func.min if filters.ascending else func.max
    if sort == "title":
        keys = [Song.title]
    elif sort == "level" and levels:
        scale = case(
            {label: level_value(label) for label in levels}, value=func.rtrim(Chart.level, "?")
        )
        keys = [most(scale), most(Chart.constant_tenths)]
    elif sort == "achievement":
        keys = [most(best.c.achievement), most(Chart.constant_tenths)]
    elif sort == "plays":
        keys = [func.sum(best.c.plays), most(best.c.achievement)]
    else:
        keys = [most(Chart.constant_tenths)]
    ordered = [] if sort == "title" else [keys[0].is_(None)]
    ordered.extend(key if filters.ascending else key.desc() for key in keys)
    return ordered + [Song.title, Song.kind, Song.id]


def song_ids_page(
    session: Session, filters: SongFilters, player_id: Optional[int], page_size: int
) -> SongCardPage:
    """Return the page's song ids (as cards without charts) and the count of matching songs."""
    titles = None  # type: Optional[List[str]]
    if filters.query:
        titles = search.search_titles(session, filters.query)
        if not titles:
            return SongCardPage([], 0, 1, 1)
    statement, best = chart_rows(player_id)
    matching = statement.with_only_columns(Song.id, Song.title, Song.kind).where(
        *conditions(filters, titles)
    )
    sort = filters.sort or "relevance"
    if sort == "relevance" and titles:
        place = {title: number for number, title in enumerate(titles)}
        found = sorted(
            set(session.execute(matching).all()),
            key=lambda row: (place[row.title], row.kind != game.DX, row.id),
        )
        ids = [row.id for row in found]
        total = len(ids)
        pages = max(1, math.ceil(total / float(page_size)))
        page = min(filters.page, pages)
        start = (page - 1) * page_size
        return SongCardPage(ids[start : start + page_size], total, page, pages)
    songs = matching.order_by(None).subquery()
    total = session.execute(select(func.count(distinct(songs.c.id)))).scalar_one()
    pages = max(1, math.ceil(total / float(page_size)))
    page = min(filters.page, pages)
    levels = level_labels(session) if sort == "level" else []
    ids = session.execute(
        matching.with_only_columns(Song.id)
        .group_by(Song.id, Song.title, Song.kind)
        .order_by(*song_order(filters, sort, best, levels))
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).scalars()
    return SongCardPage(list(ids), total, page, pages)


def list_songs(
    session: Session, filters: SongFilters, player_id: Optional[int], page_size: int
) -> SongCardPage:
    """Return one page of the songs whose charts pass the filters, each with all its charts."""
    found = song_ids_page(session, filters, player_id, page_size)
    if not found.cards:
        return found
    statement, _ = chart_rows(player_id)
    rows = session.execute(
        statement.add_columns(Song.id)
        .where(Song.id.in_(found.cards))
        .order_by(Song.id, Chart.difficulty)
    ).all()
    charts = defaultdict(list)  # song id -> its charts, easiest first
    for row in rows:
        charts[row[-1]].append(SongRow(*row[:-1]))
    cards = []
    for song_id in found.cards:
        first = charts[song_id][0]
        cards.append(
            SongCard(
                song_id,
                first.title,
                first.kind,
                first.artist,
                first.version,
                first.is_new,
                first.catalog_id,
                charts[song_id],
            )
        )
    return found._replace(cards=cards)
