"""Which jackets to fetch, keeping one, and finding the kept ones a page shows."""

import hashlib
import re
from typing import Iterable, List, NamedTuple, Optional

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from .. import game
from ..models import Chart, Jacket, Play, Song
from .drawing import NOTHING_KEPT, Kept
from .images import inspect

#: A jacket's name as the official pages give it (16 hex digits) or as we name a song's:
#: nothing else goes into a URL or a file name.
NAME = re.compile(r"[0-9A-Za-z_-]{1,64}\Z")
#: The official image of a jacket, on the site of the service whose page named it.
OFFICIAL_URL = "{site}/maimai-mobile/img/Music/{name}.png"
#: The catalog's song ids are numbers.
CATALOG_ID = re.compile(r"[0-9]{1,16}\Z")


class Target(NamedTuple):
    """One jacket to fetch: the name it is kept under, its song if known, where it comes from."""

    name: str
    song_id: Optional[int]
    url: str


def is_name(name: Optional[str]) -> bool:
    """Tell whether a jacket name is one we keep (no path, no markup, not too long)."""
    return bool(name) and NAME.match(name) is not None


def song_name(catalog_id: str) -> str:
    """Return the name a song's cover from the catalog source is kept under."""
    return "song-%s" % catalog_id


def official_targets(session: Session, url_template: str = OFFICIAL_URL) -> List[Target]:
    """Return the official images the players' saved pages name and the site does not keep."""
    kept = select(Jacket.name)
    rows = session.execute(
        select(Play.jacket, func.min(Play.service), func.max(Chart.song_id))
        .outerjoin(Chart, Chart.id == Play.chart_id)
        .where(Play.jacket.isnot(None), Play.jacket.notin_(kept))
        .group_by(Play.jacket)
        .order_by(Play.jacket)
    ).all()
    targets = []
    for name, service, song_id in rows:
        if not is_name(name):
            continue  # a hostile or broken name is never put into a URL
        site = game.JACKET_SITES.get(service, game.JACKET_SITES["cn"])
        url = url_template.format(site=site, service=service, name=name)
        targets.append(Target(name, song_id, url))
    return targets


def catalog_targets(session: Session, url_template: str) -> List[Target]:
    """Return each catalog song whose cover the site does not keep, by the source's template."""
    kept_songs = select(Jacket.song_id).where(Jacket.song_id.isnot(None))
    rows = session.execute(
        select(Song.id, Song.catalog_id)
        .where(Song.catalog_id.isnot(None), Song.id.notin_(kept_songs))
        .order_by(Song.id)
    ).all()
    return [
        Target(song_name(catalog_id), song_id, url_template.format(id=int(catalog_id)))
        for song_id, catalog_id in rows
        if CATALOG_ID.match(catalog_id)
    ]


def keep(session: Session, target: Target, data: bytes, now: int) -> Jacket:
    """Check a downloaded jacket is a small image and add it to the session."""
    info = inspect(data)
    jacket = Jacket(
        name=target.name,
        song_id=target.song_id,
        digest=hashlib.sha256(data).hexdigest(),
        media_type=info.media_type,
        width=info.width,
        height=info.height,
        data=data,
        source=target.url,
        fetched_at=now,
    )
    session.add(jacket)
    return jacket


#: The kept jackets of some image names, songs and charts (an empty list matches nothing):
#: one row per kept jacket and each of the charts of its song asked for. Built once, so
#: SQLAlchemy keeps its cache key; the lists go in as expanding parameters.
KEPT_SELECT = (
    select(Jacket.name, Jacket.song_id, Jacket.digest, Chart.id)
    .outerjoin(
        Chart,
        and_(
            Chart.song_id == Jacket.song_id,
            Chart.id.in_(bindparam("charts", expanding=True)),
        ),
    )
    .where(
        or_(
            Jacket.name.in_(bindparam("names", expanding=True)),
            Jacket.song_id.in_(bindparam("songs", expanding=True)),
            Chart.id.isnot(None),
        )
    )
    .order_by(Jacket.id)
)


def kept(
    session: Session,
    names: Iterable[Optional[str]] = (),
    songs: Iterable[Optional[int]] = (),
    charts: Iterable[Optional[int]] = (),
) -> Kept:
    """Find, in one query, the kept jackets of some image names, songs and charts."""
    names = sorted({name for name in names if is_name(name)})
    songs = sorted({song for song in songs if song is not None})
    charts = sorted({chart for chart in charts if chart is not None})
    if not (names or songs or charts):
        return NOTHING_KEPT
    found = Kept({}, {}, {})
    for name, song_id, digest, chart_id in session.execute(
        KEPT_SELECT, {"names": names, "songs": songs, "charts": charts}
    ):
        found.by_name[name] = digest
        if song_id is not None:
            found.by_song.setdefault(song_id, digest)
            if chart_id is not None:
                found.by_chart.setdefault(chart_id, digest)
    return found


def image(session: Session, digest: str) -> Optional[Jacket]:
    """Return the kept jacket with these bytes' digest."""
    return session.execute(
        select(Jacket).where(Jacket.digest == digest).order_by(Jacket.id).limit(1)
    ).scalar_one_or_none()
