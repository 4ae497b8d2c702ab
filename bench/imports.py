"""Time imports: the real record page and a 10,000-play archive, each against parsing alone.

    .venv/bin/python -m bench.imports [--url POSTGRES_ADMIN_URL] [--runs 20] [--archive-runs 5]

For each file: parse only (the baseline: decode, detect, read, check every value), then
parse and store into an empty archive (a new player each run) and a re-import where every
row is known, on SQLite (a temp file) and on PostgreSQL. The PostgreSQL server is
--url, else BENCH_DATABASE_URL (bench/run sets it), else TEST_DATABASE_URL; the bench
creates the database probe_bench_imports there and drops it afterwards.

The record page is ../shared/fixtures/maimai-mobile/record.html, or the hand-made
tests/fixtures/pages/record_cn.html where that is absent. The archive is one player's
10,000 plays from bench/archive.py's generator (one in ten with its detail, a profile
snapshot a month) written in the export's format, about 5 MB of JSON.
"""

import argparse
import json
import os
import statistics
import tempfile
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from sqlalchemy import delete

from bench import archive, common
from maimai_probe import config, db
from maimai_probe.importing import exporting, store, tokens
from maimai_probe.models import Player
from maimai_probe.parsing.detect import parse_page

SHARED_PAGE = common.ROOT.parent / "shared" / "fixtures" / "maimai-mobile" / "record.html"
OWN_PAGE = common.ROOT / "tests" / "fixtures" / "pages" / "record_cn.html"
DATABASE = "probe_bench_imports"
ARCHIVE_PLAYS = 10000


def record_page() -> Tuple[str, bytes]:
    """Return the record page to time: the real one when present, else our hand-made one."""
    path = SHARED_PAGE if SHARED_PAGE.exists() else OWN_PAGE
    return os.path.relpath(str(path), str(common.ROOT)), path.read_bytes()


def archive_document(plays: int = ARCHIVE_PLAYS, seed: int = 2025) -> Dict[str, Any]:
    """Return an archive export of one generated player with this many plays."""
    with tempfile.TemporaryDirectory() as folder:
        database = db.Database("sqlite:///%s" % os.path.join(folder, "catalog.sqlite3"))
        database.migrate()
        session = database.session()
        try:
            archive.load_catalog(session, archive.catalog_path())
            charts = archive.playable_charts(session)
        finally:
            session.close()
            database.dispose()
    rnd = archive.random.Random("%d-1" % seed)
    rows, details, profiles = archive.player_rows(rnd, 1, charts, plays, 1)
    internal = exporting.INTERNAL_COLUMNS
    by_play = {detail[0]: detail for detail in details}
    entries = []
    for row in rows:
        entry = {
            name: value for name, value in zip(archive.PLAY_COLUMNS, row) if name not in internal
        }
        detail = by_play.get(row[0])
        if detail is not None:
            found = dict(zip(archive.DETAIL_COLUMNS, detail))
            del found["play_id"]
            found["judgements"] = json.loads(found["judgements"])
            if found["matching_players"] is not None:
                found["matching_players"] = json.loads(found["matching_players"])
            detail = found
        entry["detail"] = detail
        entries.append(entry)
    snapshots = []
    for profile in profiles:
        snapshot = {name: None for name in ("friend_code", "icon")}
        snapshot.update((k, v) for k, v in profile.items() if k not in internal)
        snapshots.append(snapshot)
    return {
        "format": exporting.ARCHIVE_FORMAT,
        "version": exporting.ARCHIVE_VERSION,
        "exported_at": int(time.time()),
        "player": {"name": "player01", "created_at": archive.START},
        "plays": entries,
        "scores": [],
        "snapshots": snapshots,
    }


def timed(
    runs: int, step: Callable[[], Any], setup: Optional[Callable[[], Any]] = None
) -> List[float]:
    """Return the milliseconds of each run of a step, setup excluded."""
    times = []
    for _ in range(runs):
        if setup is not None:
            setup()
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    return times


class Subject:
    """One file to import: its name, its bytes and how many plays it holds."""

    def __init__(self, label: str, data: bytes, plays: int, runs: int) -> None:
        self.label = label
        self.data = data
        self.plays = plays
        self.runs = runs

    def parse(self) -> store.Upload:
        upload = store.read_upload(self.label, self.data)
        assert upload.page is not None, upload.error
        assert len(upload.page.plays) == self.plays
        return upload


def bench_database(
    name: str, url: str, subjects: Sequence[Subject]
) -> List[Tuple[str, str, List[float], Dict[str, int]]]:
    """Time each subject's import into an empty archive and its re-import, on one database."""
    database = db.Database(config.normalise_database_url(url))
    database.migrate()
    session = database.session()
    players = []  # type: List[Any]
    rows = []
    prefix = "bench-%d-" % os.getpid()

    def fresh_player() -> None:
        player, _ = tokens.create_player(session, "%s%d" % (prefix, len(players)), 0)
        players.append(player)

    try:
        for subject in subjects:
            results = []  # type: List[store.ImportResult]

            def store_once(subject: Subject = subject, results: List[Any] = results) -> None:
                upload = subject.parse()
                results.append(
                    store.import_uploads(session, players[-1], [upload], int(time.time()))
                )

            empty = timed(subject.runs, store_once, fresh_player)
            first = results[-1].new
            assert first["plays"] == subject.plays, first
            known = timed(subject.runs, store_once)
            assert results[-1].known["plays"] == subject.plays
            assert not any(results[-1].new.values())
            rows.append((subject.label, "%s: parse + store, empty" % name, empty, first))
            rows.append((subject.label, "%s: parse + re-import, all known" % name, known, {}))
    finally:
        session.rollback()
        session.execute(delete(Player).where(Player.name.startswith(prefix)))
        session.commit()
        session.close()
        database.dispose()
    return rows


def run(admin_url: Optional[str], page_runs: int = 20, archive_runs: int = 5) -> List[common.Table]:
    """Measure both files on SQLite and, given a server, PostgreSQL; return one table."""
    page_label, page_data = record_page()
    page = parse_page(store.decode(page_data))
    started = time.perf_counter()
    document = archive_document()
    generated = time.perf_counter() - started
    archive_data = exporting.dumps(document).encode("utf-8")
    subjects = [
        Subject(page_label, page_data, len(page.plays), page_runs),
        Subject("archive of %d plays" % ARCHIVE_PLAYS, archive_data, ARCHIVE_PLAYS, archive_runs),
    ]
    measured = []  # type: List[Tuple[str, str, List[float], Dict[str, int]]]
    for subject in subjects:
        measured.append(
            (subject.label, "parse only (baseline)", timed(subject.runs, subject.parse), {})
        )
    with tempfile.TemporaryDirectory() as folder:
        url = "sqlite:///%s" % os.path.join(folder, "bench.sqlite3")
        measured += bench_database("SQLite", url, subjects)
    notes = []
    if admin_url:
        pg_url = common.recreate_database(admin_url, DATABASE)
        try:
            measured += bench_database("PostgreSQL", pg_url, subjects)
        finally:
            common.drop_database(admin_url, DATABASE)
    else:
        notes.append("**PostgreSQL SKIPPED**: no server (BENCH_DATABASE_URL or --url).")
    baselines = {
        label: min(times) for label, what, times, _ in measured if what.startswith("parse only")
    }
    rows = []
    for subject in subjects:
        for label, what, times, new in measured:
            if label != subject.label:
                continue
            best = min(times)
            stored = ", ".join("%d %s" % (n, kind) for kind, n in new.items() if n) or None
            rows.append(
                (
                    label,
                    what,
                    best,
                    statistics.median(times),
                    best / baselines[label],
                    subject.plays / best * 1000 if not what.startswith("parse only") else None,
                    stored,
                    len(times),
                )
            )
    notes += [
        "Best and median milliseconds; x parse = best / best of parse only for the same file. "
        "Each store is one transaction through store.import_uploads, as the API and the "
        "form run it: parse, check every value, insert-or-ignore, link to the catalog "
        "(empty here: no links), commit. The empty rows use a new player each run.",
        "`%s`: %d plays, %.0f KB. The archive: %d plays, %d details, %d snapshots, %.1f MB "
        "of JSON (generated in %.1f s)."
        % (
            page_label,
            len(page.plays),
            len(page_data) / 1024.0,
            ARCHIVE_PLAYS,
            sum(1 for play in document["plays"] if play["detail"] is not None),
            len(document["snapshots"]),
            len(archive_data) / 1024.0 / 1024.0,
            generated,
        ),
    ]
    columns = ("file", "step", "best ms", "median ms", "x parse", "plays/s", "new rows", "runs")
    return [common.Table("Imports: a record page and a 10,000-play archive", columns, rows, notes)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url",
        default=os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL"),
        help="a PostgreSQL server whose role may create databases",
    )
    parser.add_argument("--runs", type=int, default=20, help="runs of the record page")
    parser.add_argument("--archive-runs", type=int, default=5, help="runs of the archive")
    options = parser.parse_args()
    for table in run(options.url, options.runs, options.archive_runs):
        common.show(table)


if __name__ == "__main__":
    main()
