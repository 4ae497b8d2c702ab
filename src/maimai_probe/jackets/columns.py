"""The kept jackets a page of plays reads with its rows, instead of a query of its own."""

from typing import Any, Iterable, Sequence, Tuple

from sqlalchemy import select

from .. import tables
from .drawing import Kept


def song_jacket(song_id: Any) -> Any:
    """Return a scalar subquery: the first kept jacket of a song, as kept() finds a chart's."""
    jacket = tables.jacket.c
    return (
        select(jacket.digest)
        .where(jacket.song_id == song_id)
        .order_by(jacket.id)
        .limit(1)
        .scalar_subquery()
    )


def page_columns() -> Tuple[Any, Any]:
    """Return two columns for a page of plays: its own image's kept jacket, its song's first.

    The page's select outer-joins the chart; read with the plays, they save the page the
    query of jackets.store.kept().
    """
    jacket = tables.jacket.c
    named = select(jacket.digest).where(jacket.name == tables.play.c.jacket).scalar_subquery()
    of_song = song_jacket(tables.chart.c.song_id)
    return named.label("named_jacket"), of_song.label("song_jacket")


def kept_on_page(plays: Iterable[Any], rows: Iterable[Sequence[Any]], at: int) -> Kept:
    """Gather the kept jackets of a page's plays from their rows, page_columns' two at `at`."""
    found = Kept({}, {}, {})
    for play, row in zip(plays, rows):
        named, of_song = row[at], row[at + 1]
        if named is not None:
            found.by_name[play.jacket] = named
        if of_song is not None and play.chart_id is not None:
            found.by_chart[play.chart_id] = of_song
    return found
