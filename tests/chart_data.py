"""Catalog and play history for the song and chart tests, written straight to the database."""

import json
import pathlib
import random
from typing import Any, List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from maimai_probe import game
from maimai_probe.catalog.linking import link_plays
from maimai_probe.catalog.sync import read_catalog, sync_catalog
from maimai_probe.models import Chart, Play, PlayDetail, Player, ProfileSnapshot, Song

SMALL_CATALOG = pathlib.Path(__file__).resolve().parent / "fixtures" / "catalog_small.json"
#: 2025-10-03 13:06 China time, the newest play of the real record page.
BASE_TIME = 1759467960
DAY = 86400


def load_catalog(session: Session, path: pathlib.Path = SMALL_CATALOG) -> int:
    """Sync a music_data file into the database and commit; return how many songs it has."""
    songs = read_catalog(json.loads(path.read_text(encoding="utf-8")))
    sync_catalog(session, songs)
    session.commit()
    return len(songs)


def add_player(session: Session, name: str = "alice") -> Player:
    """Add a player and commit."""
    player = Player(name=name, created_at=BASE_TIME - 365 * DAY)
    session.add(player)
    session.commit()
    return player


def play_row(player: Player, played_at: int, title: str, kind: str, difficulty: int, **fields: Any):
    """Return a Play with believable defaults for the chart and time given."""
    achievement = fields.pop("achievement", 990000)
    values = dict(
        player_id=player.id,
        played_at=played_at,
        utc_offset=game.CHINA_UTC_OFFSET,
        track=1,
        title=title,
        kind=kind,
        difficulty=difficulty,
        level=None,
        achievement=achievement,
        rank=game.rank_for(achievement),
        dx_score=2000,
        dx_score_max=2400,
        dx_stars=0,
        fc=game.FC_NONE,
        fs=game.FS_NONE,
        achievement_new_record=False,
        dx_score_new_record=False,
        service="cn",
        imported_at=played_at + 600,
    )
    values.update(fields)
    return Play(**values)


def add_history(
    session: Session,
    player: Player,
    days: int = 90,
    seed: int = 7,
    end: int = BASE_TIME,
    charts: Optional[List[Any]] = None,
) -> List[Play]:
    """Add a few months of plays on the catalog's charts, with ratings and profile readings."""
    rnd = random.Random(seed)
    if charts is None:
        charts = session.execute(
            select(Song.title, Song.kind, Chart.difficulty, Chart.level, Chart.constant_tenths)
            .join(Song, Chart.song_id == Song.id)
            .where(Chart.difficulty >= game.EXPERT, Chart.difficulty != game.UTAGE)
            .order_by(Song.title, Song.kind, Chart.difficulty)
        ).all()
    plays = []
    rating = 12000
    start = end - days * DAY
    for day in range(days):
        if rnd.random() < 0.45:
            continue
        when = start + day * DAY + 10 * 3600
        for _ in range(rnd.randint(3, 16)):
            title, kind, difficulty, level, constant = rnd.choice(charts)
            achievement = min(1010000, max(800000, int(rnd.gauss(985000, 12000))))
            mark = game.AP if achievement > 1005000 else game.FC if achievement > 1000000 else 0
            play = play_row(
                player,
                when,
                title,
                kind,
                difficulty,
                level=level,
                achievement=achievement,
                dx_score=int(2400 * achievement / 1010000),
                fc=mark,
                fs=game.SYNC if rnd.random() < 0.5 else game.FS_NONE,
            )
            rating += rnd.randint(0, 12)
            play.detail = PlayDetail(rating=rating)
            plays.append(play)
            when += rnd.randint(200, 600)
        session.add(
            ProfileSnapshot(
                player_id=player.id,
                observed_at=when + 60,
                page="home",
                name=player.name,
                rating=rating,
                fingerprint="%s-%d" % (player.name, when),
            )
        )
    session.add_all(plays)
    session.flush()
    link_plays(session, player.id)
    session.commit()
    return plays
