"""Time the rating trend and the best 50 of a player with many plays, on SQLite.

    .venv/bin/python -m bench.rating_trend [--plays 10000] [--days 365] [--runs 5]

The catalog is the shared Diving-Fish music_data when present, else a made-up one of the
same size. Plays fall on random EXPERT, MASTER and Re:MASTER charts over the days, with
achievements that rise as the months go by. Each timing includes its database queries.
Pages read the days an import kept (rating.rating_days); the last rows time that.
"""

import argparse
import random
import statistics
import tempfile
import time
from typing import Any, List

from sqlalchemy import select

from bench.common import catalog_data
from maimai_probe import config, db, game
from maimai_probe.catalog import linking, sync
from maimai_probe.importing import tokens
from maimai_probe.models import Chart, Play, Song
from maimai_probe.rating.best50 import player_rating
from maimai_probe.rating.rating_days import kept_days, store_days
from maimai_probe.rating.trend import replay_trend, trend_points

START = 1727712000  # 2024-10-01 00:00 China time


def add_plays(session: Any, player_id: int, count: int, days: int) -> None:
    """Insert plays on random charts, spread over the days, in one transaction."""
    rnd = random.Random(2)
    charts = session.execute(
        select(Song.title, Song.kind, Chart.difficulty)
        .join(Chart, Chart.song_id == Song.id)
        .where(Chart.difficulty.in_([game.EXPERT, game.MASTER, game.REMASTER]))
    ).all()
    rows = []
    played_at = START
    for number in range(count):
        title, kind, difficulty = rnd.choice(charts)
        spread = START + int(days * 86400 * number / count) + rnd.randrange(600)
        played_at = max(played_at + 1, spread)  # each play has its own second
        achievement = min(1010000, int(rnd.gauss(960000 + 40000 * number / count, 20000)))
        rows.append(
            {
                "player_id": player_id,
                "played_at": played_at,
                "utc_offset": game.CHINA_UTC_OFFSET,
                "title": title,
                "kind": kind,
                "difficulty": difficulty,
                "achievement": max(0, achievement),
                "rank": game.rank_for(max(0, achievement)),
                "dx_score": 1000,
                "dx_score_max": 1200,
                "service": "cn",
                "imported_at": START,
            }
        )
    db.insert_ignore(session, Play.__table__, rows, ["player_id", "played_at"])
    session.commit()


def timed(runs: int, step: Any) -> List[float]:
    """Return the milliseconds of each run of a step."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    """Build the archive, then time the trend, its one pass alone, and the best 50."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plays", type=int, default=10000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = "sqlite:///%s/bench.sqlite3" % folder
        database = db.Database(config.normalise_database_url(url))
        database.migrate()
        with database.session() as session:
            sync.sync_catalog(session, sync.read_catalog(catalog_data()))
            session.commit()
            player, _ = tokens.create_player(session, "bench", now=START)
            add_plays(session, player.id, arguments.plays, arguments.days)
            linking.link_all(session, player.id)
            session.commit()

            points = replay_trend(session, player.id)
            plays = session.execute(
                select(
                    Play.played_at,
                    Play.utc_offset,
                    Play.chart_id,
                    Play.achievement,
                    Chart.constant_tenths,
                    Chart.difficulty,
                    Song.is_new,
                )
                .join(Chart, Play.chart_id == Chart.id)
                .join(Song, Chart.song_id == Song.id)
                .order_by(Play.played_at)
            ).all()
            store_days(session, player.id)
            session.commit()
            page_days = [day.day for day in kept_days(session, player.id)[-7:]]
            rows = [
                ("rating_trend (queries + one pass)", lambda: replay_trend(session, player.id)),
                ("trend_points (the pass alone)", lambda: trend_points(plays, [])),
                ("best 50 (query + frames)", lambda: player_rating(session, player.id)),
                # What pages pay now: the days kept by the import, read in one query.
                ("store_days (import: replay and keep)", lambda: store_days(session, player.id)),
                (
                    "kept_days (a diff page's 7 days)",
                    lambda: kept_days(session, player.id, page_days),
                ),
                (
                    "kept_days (the home's 60 newest)",
                    lambda: kept_days(session, player.id, latest=60),
                ),
            ]
            print(
                "%d plays (%d linked) over %d days, %d trend points, final rating %s"
                % (arguments.plays, len(plays), arguments.days, len(points), points[-1].rating)
            )
            for label, step in rows:
                times = timed(arguments.runs, step)
                print(
                    "%-36s median %7.1f ms  min %7.1f ms"
                    % (label, statistics.median(times), min(times))
                )
        database.dispose()


if __name__ == "__main__":
    main()
