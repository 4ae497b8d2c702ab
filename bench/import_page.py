"""Time importing the real record page: parse only, then parse and store, on SQLite and PostgreSQL.

    .venv/bin/python bench/import_page.py [--runs 20] [--postgres URL] [--page FILE]

The baseline is parsing alone; "store" rows add the one-transaction insert-or-ignore into
an empty archive (a new player each run) and a re-import where all 50 plays are known.
PostgreSQL is timed when --postgres or TEST_DATABASE_URL names a server; the bench adds
its own players there and deletes them afterwards.
"""

import argparse
import os
import pathlib
import statistics
import sys
import tempfile
import time
from typing import Callable, List, Optional, Tuple

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sqlalchemy import delete  # noqa: E402

from maimai_probe import config, db, importing, tokens  # noqa: E402
from maimai_probe.models import Player  # noqa: E402
from maimai_probe.parsing.detect import parse_page  # noqa: E402

DEFAULT_PAGE = ROOT.parent / "shared" / "fixtures" / "maimai-mobile" / "record.html"


def timed(runs: int, step: Callable[[], object], setup: Optional[Callable] = None) -> List[float]:
    """Return the milliseconds of each run of a step, setup excluded."""
    times = []
    for _ in range(runs):
        if setup is not None:
            setup()
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    return times


def bench_database(name: str, url: str, data: bytes, runs: int) -> List[Tuple[str, List[float]]]:
    """Time storing the page into an empty archive and re-importing it."""
    database = db.Database(config.normalise_database_url(url))
    database.migrate()
    session = database.session()
    prefix = "bench-%d-" % os.getpid()
    players = []
    page = parse_page(importing.decode(data))

    def fresh_player() -> None:
        player, _ = tokens.create_player(session, "%s%d" % (prefix, len(players)), 0)
        players.append(player)

    try:
        rows = [
            (
                "store only, empty",
                timed(runs, lambda: store(session, players[-1], page), fresh_player),
            ),
            (
                "parse + store, empty",
                timed(runs, lambda: upload(session, players[-1], data), fresh_player),
            ),
            ("store only, all known", timed(runs, lambda: store(session, players[-1], page))),
            ("parse + store, all known", timed(runs, lambda: upload(session, players[-1], data))),
        ]
    finally:
        session.execute(delete(Player).where(Player.name.startswith(prefix)))
        session.commit()
        session.close()
        database.engine.dispose()
    return [("%s: %s" % (name, label), times) for label, times in rows]


def store(session, player, page) -> None:
    result = importing.import_pages(session, player, [page], int(time.time()))
    assert result.new["plays"] + result.known["plays"] == 50


def upload(session, player, data: bytes) -> None:
    uploads = [importing.read_upload("record.html", data)]
    result = importing.import_uploads(session, player, uploads, int(time.time()))
    assert result.new["plays"] + result.known["plays"] == 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--page", default=str(DEFAULT_PAGE))
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"))
    options = parser.parse_args()
    data = pathlib.Path(options.page).read_bytes()
    results = [
        ("parse only (baseline)", timed(options.runs, lambda: parse_page(importing.decode(data)))),
    ]
    with tempfile.TemporaryDirectory() as folder:
        url = "sqlite:///%s" % os.path.join(folder, "bench.sqlite3")
        results += bench_database("sqlite", url, data, options.runs)
    if options.postgres:
        results += bench_database("postgresql", options.postgres, data, options.runs)
    else:
        print("(no PostgreSQL: pass --postgres URL or set TEST_DATABASE_URL)")
    baseline = min(results[0][1])
    print(
        "%-38s %9s %9s %8s" % ("import of record.html (50 plays)", "best ms", "median", "x parse")
    )
    for label, times in results:
        best = min(times)
        print("%-38s %9.1f %9.1f %8.2f" % (label, best, statistics.median(times), best / baseline))
    print("best and median of %d runs each" % options.runs)


if __name__ == "__main__":
    main()
