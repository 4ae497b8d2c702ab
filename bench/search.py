"""Time jieba's first use, the search index, mixed queries and the song list, on the catalog.

    .venv/bin/python -m bench.search [--runs 5] [--plays 5000]

jieba's first use is timed in fresh processes: with an empty temp dir (no cache: jieba builds
its prefix dictionary and writes jieba.cache) and again with the cache in place, as a warm
serverless instance after a cold one. Queries are timed against the plain substring scan the
search falls back to. The song list is timed through the app (queries and rendering) on SQLite
with the shared Diving-Fish catalog (a made-up one of the same size without ../shared).
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable, Dict, List, Tuple

from sqlalchemy import func, select

from bench.common import ROOT, SHARED_CATALOG, Table, catalog_data, show
from maimai_probe import create_app, db, game
from maimai_probe.catalog import linking, search, sync
from maimai_probe.importing import tokens
from maimai_probe.models import Chart, Play, Song

QUERIES = (
    "ヒバナ",
    "チルノ",
    "幻想",
    "初音ミク",
    "ナイト",
    "の",
    "星",
    "花",
    "桜",
    "舞萌",
    "world",
    "bad apple",
    "re:unknown",
    "link",
    "deco*27",
    "sega",
    "c",
    "Ｏｓｈａｍａ",
    "love you",
    "zzzz",
)

FIRST_USE = """
import time
from maimai_probe.catalog import search
started = time.perf_counter()
jieba = search.load_jieba()
imported = time.perf_counter()
jieba.initialize()
loaded = time.perf_counter()
jieba.lcut("舞萌DX 查分器")
first = time.perf_counter()
jieba.lcut("星之卡比 ヒバナ Oshama Scramble!")
warm = time.perf_counter()
print("%f %f %f %f" % (imported - started, loaded - imported, first - loaded, warm - first))
"""

ANALYSE_FIRST_USE = """
import time
from maimai_probe.web import samples
from maimai_probe.catalog import search
search.load_jieba().initialize()
started = time.perf_counter()
samples.keywords(samples.DEFAULT_TEXT)
first = time.perf_counter()
samples.keywords(samples.DEFAULT_TEXT)
print("%f %f" % (first - started, time.perf_counter() - first))
"""


def run_fresh(code: str, temp_dir: str) -> List[float]:
    """Run code in a new interpreter whose temp dir is the one given; return its numbers."""
    environ = dict(os.environ, TMPDIR=temp_dir, PYTHONPATH=str(ROOT / "src"))
    started = time.perf_counter()
    output = subprocess.run(
        [sys.executable, "-c", code],
        env=environ,
        stdout=subprocess.PIPE,
        check=True,
        text=True,
    ).stdout
    wall = time.perf_counter() - started
    return [float(value) * 1000 for value in output.split()] + [wall * 1000]


def first_use(runs: int) -> Table:
    """Time jieba's dictionary load in fresh processes, without and with its cache."""
    rows = []
    cold, cached = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as empty:
            cold.append(run_fresh(FIRST_USE, empty))
            cached.append(run_fresh(FIRST_USE, empty))
    for label, timings in (("fresh process, no cache", cold), ("fresh process, cache", cached)):
        columns = list(zip(*timings))
        rows.append([label] + [statistics.median(column) for column in columns])
    with tempfile.TemporaryDirectory() as folder:
        run_fresh(FIRST_USE, folder)
        analyse = [run_fresh(ANALYSE_FIRST_USE, folder) for _ in range(runs)]
    columns = list(zip(*analyse))
    rows.append(
        ["jieba.analyse (/jieba/): TF-IDF + TextRank", None, statistics.median(columns[0]), None]
        + [statistics.median(columns[1]), statistics.median(columns[2])]
    )
    return show(
        Table(
            "jieba first use (median of %d, ms)" % runs,
            ["what", "import", "dictionary", "first cut", "warm cut", "process wall"],
            rows,
            [
                "import = search.load_jieba(); dictionary = jieba.initialize(), which builds"
                " the prefix dictionary (and writes jieba.cache) or reads the cache;",
                "process wall = the whole interpreter, imports of the app included.",
                "jieba.analyse row: dictionary = importing jieba.analyse (IDF table, POS model)"
                " and the first call on the sample text; warm cut = the next call.",
            ],
        )
    )


def median_ms(runs: int, step: Callable[..., Any], *args: Any) -> float:
    """Return the median milliseconds of a call."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        step(*args)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def substring_scan(songs: List[Tuple[str, str]]) -> Callable[[str], List[str]]:
    """Return the baseline: normalised query inside the normalised title or artist, in order."""
    texts = [(title, search.normalise(title), search.normalise(artist)) for title, artist in songs]

    def scan(query: str) -> List[str]:
        wanted = search.normalise(query)
        return sorted({title for title, low, artist in texts if wanted in low or wanted in artist})

    return scan


def index_and_queries(runs: int, data: List[Dict[str, Any]]) -> Tuple[Table, Table]:
    """Time building the index and each query, beside the substring scan."""
    songs = [(song["title"], song["basic_info"].get("artist") or "") for song in data]
    search.load_jieba().initialize()
    built = median_ms(runs, search.SearchIndex, songs)
    index = search.SearchIndex(songs)
    build = show(
        Table(
            "search index build (median of %d, ms)" % runs,
            ["catalog", "songs", "titles", "title terms", "ms"],
            [
                [
                    "shared" if SHARED_CATALOG.exists() else "made up",
                    len(songs),
                    len(index.titles),
                    len(index.title.terms),
                    built,
                ]
            ],
            ["jieba already loaded; a first request pays jieba's load (above) plus this."],
        )
    )
    scan = substring_scan(songs)
    rows = []
    for query in QUERIES:
        rows.append(
            [
                query,
                len(index.search(query)),
                median_ms(runs, index.search, query),
                len(scan(query)),
                median_ms(runs, scan, query),
                (index.search(query) or ["—"])[0],
            ]
        )
    search_times = [row[2] for row in rows]
    scan_times = [row[4] for row in rows]
    rows.append(
        ["(mean)", None, statistics.mean(search_times), None, statistics.mean(scan_times), ""]
    )
    queries = show(
        Table(
            "query latency (median of %d, ms)" % runs,
            ["query", "found", "search ms", "substring found", "substring ms", "first result"],
            rows,
            ["search = SearchIndex.search (ranked, up to 200 titles); substring = a plain scan."],
        )
    )
    return build, queries


def add_plays(session: Any, player_id: int, count: int) -> None:
    """Insert plays on random EXPERT to Re:MASTER charts, one second apart at least."""
    rnd = random.Random(2)
    charts = session.execute(
        select(Song.title, Song.kind, Chart.difficulty)
        .join(Chart, Chart.song_id == Song.id)
        .where(Chart.difficulty.in_([game.EXPERT, game.MASTER, game.REMASTER]))
    ).all()
    rows = []
    for number in range(count):
        title, kind, difficulty = rnd.choice(charts)
        achievement = min(1010000, max(0, int(rnd.gauss(975000, 20000))))
        rows.append(
            {
                "player_id": player_id,
                "played_at": 1727712000 + number * 600,
                "utc_offset": game.CHINA_UTC_OFFSET,
                "title": title,
                "kind": kind,
                "difficulty": difficulty,
                "achievement": achievement,
                "rank": game.rank_for(achievement),
                "dx_score": 1000,
                "dx_score_max": 1200,
                "service": "cn",
                "imported_at": 1727712000,
            }
        )
    db.insert_ignore(session, Play.__table__, rows, ["player_id", "played_at"])
    session.commit()


def song_list(runs: int, plays: int, data: List[Dict[str, Any]]) -> Table:
    """Time the song list pages through the app, first request and warm."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "APP_ENV": "development",
                "SECRET_KEY": "bench-secret-0123456789abcdef",
                "DATABASE_URL": "sqlite:///%s/bench.sqlite3" % folder,
                "AUTO_MIGRATE": True,
                "PAGE_CACHE_BYTES": 0,  # every request renders; bench.load measures kept pages
            }
        )
        database = app.extensions["maimai_probe.db"]
        with database.session() as session:
            sync.sync_catalog(session, sync.read_catalog(data))
            session.commit()
            player, _ = tokens.create_player(session, "bench", now=1727712000)
            add_plays(session, player.id, plays)
            linking.link_all(session, player.id)
            session.commit()
            charts = session.scalar(select(func.count(Chart.id)))
        client = app.test_client()
        pages = [
            "/songs",
            "/songs?sort=level&page=40",
            "/songs?sort=title&order=desc",
            "/songs?version=maimai でらっくす PRiSM&difficulty=master&min=13.0",
            "/songs?q=ヒバナ",
            "/songs?q=の",
            "/players/bench/songs",
            "/players/bench/songs?sort=achievement",
            "/players/bench/songs?sort=plays&difficulty=master",
        ]
        rows = []
        for page in pages:
            started = time.perf_counter()
            status = client.get(page).status_code
            first = (time.perf_counter() - started) * 1000
            rows.append([page, status, first, median_ms(runs, client.get, page)])
        database.dispose()
    return show(
        Table(
            "song list through the app on SQLite (%d charts, %d plays; ms)" % (charts, plays),
            ["page", "status", "first request", "warm median"],
            rows,
            [
                "50 rows a page, rendered every time (PAGE_CACHE_BYTES=0); the first search"
                " request builds the index (jieba already loaded in this process).",
            ],
        )
    )


def main() -> None:
    """Run every measurement and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--plays", type=int, default=5000)
    arguments = parser.parse_args()
    first_use(arguments.runs)
    data = catalog_data()
    index_and_queries(arguments.runs, data)
    song_list(arguments.runs, arguments.plays, data)


if __name__ == "__main__":
    main()
