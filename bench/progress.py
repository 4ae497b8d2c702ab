"""Time the plate and rating-plan pages on a 10,000-play, 1,000-score archive on PostgreSQL.

    BENCH_DATABASE_URL=postgresql://... .venv/bin/python -m bench.progress [--runs 15] [--quick]

Builds its own database (probe_bench_progress) with bench/archive.py: the catalog and one
player with 10,000 plays, then 1,000 score-list readings of that player on charts drawn from
the catalog (as a score list adds charts the record page never showed). Each page is timed
through the test client with the page cache off, so every GET renders anew: queries,
Python and the template. The budget of the two pages is 20 ms each. The database is dropped
at the end unless --keep-database.
"""

import argparse
import os
import random
import statistics
import sys
import time
from typing import Any, List, Tuple

from bench import archive, common

DATABASE = "probe_bench_progress"
PLAYER = "player01"
PLAYS = 10000
SCORES = 1000
#: Milliseconds a page may take rendered anew.
BUDGET_MS = 20.0

PAGES = (
    ("plates overview (page)", "/players/%s/plates" % PLAYER, True),
    ("plate 舞将: missing charts (page)", "/players/%s/plates/舞将" % PLAYER, True),
    ("rating plan (page)", "/players/%s/plan" % PLAYER, True),
    ("plates API, ?plate=舞将", "/api/players/%s/plates?plate=舞将" % PLAYER, False),
    ("plates API, every plate", "/api/players/%s/plates" % PLAYER, False),
    ("rating plan API", "/api/players/%s/rating/plan" % PLAYER, False),
    ("best 50 (page, for comparison)", "/players/%s/best50" % PLAYER, False),
)


def add_scores(url: str, count: int, seed: int = 14) -> int:
    """Add score-list readings of the player on random charts, linked as an import links them."""
    from sqlalchemy import insert, select, text

    from maimai_probe import config, db, game
    from maimai_probe.models import Chart, Player, Score, Song
    from maimai_probe.rating.bests import refresh_bests

    database = db.Database(config.normalise_database_url(url))
    try:
        with database.session() as session:
            player_id = session.scalar(select(Player.id).where(Player.name == PLAYER))
            charts = session.execute(
                select(Chart.id, Song.title, Song.kind, Chart.difficulty, Chart.level)
                .join(Song, Chart.song_id == Song.id)
                .where(Chart.difficulty <= game.REMASTER)
                .order_by(Chart.id)
            ).all()
            rnd = random.Random(seed)
            rows = []
            for chart_id, title, kind, difficulty, level in rnd.sample(charts, count):
                achievement = min(1010000, int(rnd.gauss(985000, 15000)))
                rows.append(
                    {
                        "player_id": player_id,
                        "title": title,
                        "kind": kind,
                        "difficulty": difficulty,
                        "level": level,
                        "achievement": achievement,
                        "rank": game.rank_for(achievement),
                        "dx_score": 1000,
                        "fc": rnd.choice((0, 0, 1, 2, 3)),
                        "fs": rnd.choice((0, 0, 1, 2, 4)),
                        "chart_id": chart_id,
                        "source": "score_list",
                        "observed_at": archive.START,
                    }
                )
            session.execute(insert(Score), rows)
            refresh_bests(session, player_id)  # as an import of a score list does
            session.commit()
        with database.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("VACUUM ANALYZE")
            )
    finally:
        database.dispose()
    return len(rows)


def measure(app: Any, path: str, repeats: int) -> Tuple[int, float, float, int]:
    """Return statements, least and median milliseconds of GETs rendered anew, and the bytes.

    The least of the runs is the one other work on the machine disturbed least.
    """
    client = app.test_client()
    response = client.get(path)  # warm: compiled statements and templates cached
    if response.status_code != 200:
        raise RuntimeError("%s answered %d" % (path, response.status_code))
    with app.extensions["maimai_probe.db"].recorded_statements() as statements:
        client.get(path)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    return len(statements), min(times), statistics.median(times), len(response.get_data())


def run(admin_url: str, repeats: int = 7, keep: bool = False) -> List[common.Table]:
    """Build the archive, time each page, and drop the database."""
    from maimai_probe import create_app

    url = common.recreate_database(admin_url, DATABASE)
    try:
        summary = archive.build(url, plays=PLAYS, players=1)
        scores = add_scores(url, SCORES)
        app = create_app(common.app_settings(url, PAGE_CACHE_BYTES=0))
        rows = []
        for name, path, budgeted in PAGES:
            count, least, median, size = measure(app, path, repeats)
            verdict = ("yes" if median <= BUDGET_MS else "NO") if budgeted else ""
            rows.append([name, count, least, median, size, verdict])
        app.extensions["maimai_probe.db"].dispose()
    finally:
        if not keep:
            common.drop_database(admin_url, DATABASE)
    return [
        common.show(
            common.Table(
                "Plates and rating plan, rendered anew (ms, %d runs)" % repeats,
                ["page", "statements", "least ms", "median ms", "bytes", "median within 20 ms"],
                rows,
                [
                    "One player, %d plays (%d distinct charts) and %d score readings; the "
                    "catalog of %d songs, %d charts. Page cache off: every GET runs its "
                    "queries and renders. Kept pages answer from the cache keyed by the "
                    "player's revision, which a catalog sync bumps."
                    % (PLAYS, summary.distinct_charts, scores, summary.songs, summary.charts)
                ],
            )
        )
    ]


def main() -> int:
    """Run the benchmark on BENCH_DATABASE_URL's server, or say loudly why not."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--keep-database", action="store_true")
    options = parser.parse_args()
    admin_url = os.environ.get("BENCH_DATABASE_URL", "").strip()
    if not admin_url:
        print("BENCH_DATABASE_URL is unset: the progress benchmark needs PostgreSQL, SKIPPED")
        return 0
    run(admin_url, 3 if options.quick else options.runs, options.keep_database)
    return 0


if __name__ == "__main__":
    sys.exit(main())
