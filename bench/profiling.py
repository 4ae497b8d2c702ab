"""Where a page's time goes: a timed breakdown per request, and pyinstrument's samples by part.

    .venv/bin/python -m bench.profiling --url postgresql://.../probe_bench [--requests 40]

In-process, through the test client, with a browser's Accept-Encoding: br. The breakdown
times the parts with hooks on the bench's own app object (SQLAlchemy cursor events, Flask's
template signals, the app's url_for and Flask-Compress's after_request); "other" is the rest
(Flask and Werkzeug, routing, ORM rows, the pool's checkout and the session's close).
The samples then say the same by library, from pyinstrument's call tree.
"""

import argparse
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

from bench import common

PLAYER = "player05"
HEADERS = {"Accept-Encoding": "br"}


class Page(NamedTuple):
    """A page profiled."""

    name: str
    path: str


PAGES = (
    Page("baseline /hello/<name>", "/hello/bench"),
    Page("record page", "/players/%s/plays" % PLAYER),
    Page("diff page", "/players/%s/diff" % PLAYER),
    Page("best 50", "/players/%s/best50" % PLAYER),
    Page("API plays (JSON)", "/api/players/%s/plays" % PLAYER),
    Page("plates", "/players/%s/plates" % PLAYER),
    Page("plate 舞将: missing charts", "/players/%s/plates/舞将" % PLAYER),
    Page("rating plan", "/players/%s/plan" % PLAYER),
)
#: The pages sampled by part as well (the progress pages are only broken down).
SAMPLED_PAGES = 5
#: Pages the breakdown gives as a multiple of the baseline's app CPU (issue #17's goals).
RATIO_PAGES = ("record page", "diff page", "best 50")

#: Round trips to PostgreSQL: the driver calls SQLAlchemy makes, where the wait is.
DRIVER_CALLS = frozenset(
    ("do_execute", "do_execute_no_params", "do_executemany", "do_ping", "do_rollback")
)
#: Raw reads on a pooled cursor (db.Database.read_row, read_rows): round trips too.
LIGHT_READ = "light read"
PARTS = (
    "PostgreSQL round trips (driver calls)",
    "SQLAlchemy in Python (compile, ORM, rows)",
    "Jinja2 rendering and markupsafe",
    "url_for (building links)",
    "template filters (formatting.py)",
    "app code (views, queries, JSON)",
    "compression (Flask-Compress, Brotli)",
    "Flask, Werkzeug and the rest",
    "gunicorn (HTTP, sockets)",
)


class Timers:
    """Hooks on one app that add up each part of a request: wall and CPU milliseconds."""

    def __init__(self, app: Any) -> None:
        from flask import before_render_template, template_rendered
        from sqlalchemy import event

        self.wall = {}  # type: Dict[str, float]
        self.cpu = {}  # type: Dict[str, float]
        self.statements = []  # type: List[Tuple[str, float]]
        self.url_for_calls = 0
        self._started = {}  # type: Dict[str, Tuple[float, float]]
        self.reset()
        for engine in app.extensions["maimai_probe.db"].engines():
            event.listen(engine, "before_cursor_execute", self._sql_start)
            event.listen(engine, "after_cursor_execute", self._sql_stop)
        self._time_raw_reads(app.extensions["maimai_probe.db"])
        before_render_template.connect(self._render_start, app, weak=False)
        template_rendered.connect(self._render_stop, app, weak=False)
        self._wrap_url_for(app)
        self._wrap_compression(app)

    def start(self, part: str) -> None:
        self._started[part] = (time.perf_counter(), time.thread_time())

    def stop(self, part: str) -> None:
        wall, cpu = self._started.pop(part)
        self.wall[part] += (time.perf_counter() - wall) * 1000
        self.cpu[part] += (time.thread_time() - cpu) * 1000

    def _sql_start(self, *_args: Any) -> None:
        self.start("sql")

    def _sql_stop(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        before = self.wall["sql"]
        self.stop("sql")
        self.statements.append((statement, self.wall["sql"] - before))

    def _time_raw_reads(self, database: Any) -> None:
        """Time the raw reads (Database.read_row, read_rows) as SQL: pool checkout included."""
        original = database._read

        def read(statement: Any, parameters: Any, one: bool, quiet: bool) -> Any:
            self._sql_start()
            try:
                return original(statement, parameters, one, quiet)
            finally:
                sql = database._prepared(statement)[0].string
                self._sql_stop(None, None, sql)

        database._read = read

    def _render_start(self, *_args: Any, **_kwargs: Any) -> None:
        self.start("render")

    def _render_stop(self, *_args: Any, **_kwargs: Any) -> None:
        self.stop("render")

    def _wrap_url_for(self, app: Any) -> None:
        original = app.url_for

        def url_for(*args: Any, **kwargs: Any) -> str:
            self.start("url_for")
            try:
                return original(*args, **kwargs)
            finally:
                self.url_for_calls += 1
                self.stop("url_for")

        # Templates reach url_for through the Jinja globals, bound when the app was made.
        app.url_for = url_for
        app.jinja_env.globals["url_for"] = url_for

    def _wrap_compression(self, app: Any) -> None:
        from maimai_probe.web import page_cache

        compress = app.extensions["compress"]
        functions = app.after_request_funcs.setdefault(None, [])
        for number, function in enumerate(functions):
            if getattr(function, "__self__", None) is compress:
                functions[number] = self._timed(function)
        # A player's page compresses its own body, at a quick level, before Flask-Compress.
        if not hasattr(page_cache.quickly_compressed, "__wrapped__"):
            page_cache.quickly_compressed = self._timed(page_cache.quickly_compressed)

    def _timed(self, function: Callable) -> Callable:
        def timed(response: Any) -> Any:
            self.start("compress")
            try:
                return function(response)
            finally:
                self.stop("compress")

        timed.__wrapped__ = function  # type: ignore[attr-defined]
        return timed

    def reset(self) -> None:
        for part in ("sql", "render", "url_for", "compress"):
            self.wall[part] = self.cpu[part] = 0.0
        self.statements = []
        self.url_for_calls = 0


class Sample(NamedTuple):
    """One request's parts, in milliseconds."""

    wall: float
    cpu: float
    sql_wall: float
    sql_cpu: float
    render_cpu: float
    url_for_cpu: float
    url_for_calls: int
    compress_cpu: float
    statements: List[Tuple[str, float]]
    size: int


def measure(app: Any, timers: Timers, page: Page, requests: int) -> List[Sample]:
    """Request a page again and again, timing each request's parts."""
    client = app.test_client()
    client.get(page.path, headers=HEADERS)  # warm
    samples = []
    for _ in range(requests):
        timers.reset()
        wall, cpu = time.perf_counter(), time.thread_time()
        response = client.get(page.path, headers=HEADERS)
        wall, cpu = (time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000
        if response.status_code != 200:
            raise RuntimeError("%s answered %d" % (page.path, response.status_code))
        samples.append(
            Sample(
                wall,
                cpu,
                timers.wall["sql"],
                timers.cpu["sql"],
                timers.cpu["render"] - timers.cpu["url_for"],
                timers.cpu["url_for"],
                timers.url_for_calls,
                timers.cpu["compress"],
                list(timers.statements),
                len(response.get_data()),
            )
        )
    return samples


def median(samples: List[Sample], field: str) -> float:
    """Return the median of one field over the samples."""
    return statistics.median(getattr(sample, field) for sample in samples)


def breakdown(measured: List[Tuple[Page, List[Sample]]], requests: int) -> common.Table:
    """Tabulate each page's parts: wall time, the app's CPU time and its share by part."""
    rows = []
    for page, samples in measured:
        cpu = median(samples, "cpu")
        parts = [median(samples, name) for name in ("render_cpu", "url_for_cpu", "compress_cpu")]
        sql_cpu = median(samples, "sql_cpu")
        rows.append(
            (
                page.name,
                median(samples, "wall"),
                median(samples, "sql_wall"),
                cpu,
                sql_cpu,
                max(0.0, parts[0]),
                parts[1],
                int(median(samples, "url_for_calls")),
                parts[2],
                max(0.0, cpu - sql_cpu - sum(parts)),
                samples[-1].size,
            )
        )
    columns = (
        "page",
        "wall ms",
        "SQL wall ms",
        "app CPU ms",
        "SQL CPU",
        "render CPU (w/o url_for)",
        "url_for CPU",
        "url_for calls",
        "compress CPU",
        "other CPU",
        "bytes sent",
    )
    notes = [
        "Median of %d requests each, in-process (test client), `Accept-Encoding: br`. "
        "Wall: what the request took; SQL wall: inside cursor.execute, the round trips to "
        "PostgreSQL on loopback (a raw read whole, its pool checkout included). CPU: this "
        "thread's CPU time (time.thread_time), which other "
        'processes on the machine do not inflate; "other" is Flask and Werkzeug, routing, '
        "SQLAlchemy building statements and ORM objects, the pool's checkout and return. "
        "Under gunicorn every worker pays app CPU + PostgreSQL's CPU per request, so with 2 "
        "cores the ceiling is about 2000 / (app CPU + PostgreSQL CPU + HTTP) requests per "
        "second." % requests
    ]
    baseline = rows[0][3] if rows and rows[0][0] == PAGES[0].name else None
    if baseline:
        notes.append(
            "App CPU over the baseline's, this run: "
            + ", ".join(
                "%s %.1f×" % (row[0], row[3] / baseline) for row in rows if row[0] in RATIO_PAGES
            )
            + "."
        )
    return common.Table("Where the time goes: parts of one request", columns, rows, notes)


#: Issue 17's goals for pages rendered anew: app CPU at most this many times /hello's.
GOALS = {"record page": 10.0, "diff page": 15.0, "best 50": 12.0}


def ratios_table(measured: List[Tuple[Page, List[Sample]]]) -> common.Table:
    """Tabulate each page's app CPU as a multiple of /hello's in the same run, beside its goal."""
    baseline = median(measured[0][1], "cpu")
    rows = []
    for page, samples in measured[1:]:
        cpu = median(samples, "cpu")
        ratio = cpu / baseline if baseline else None
        goal = GOALS.get(page.name)
        rows.append(
            (
                page.name,
                cpu,
                ratio,
                goal,
                None if goal is None or ratio is None else ratio <= goal,
                len(samples[0].statements),
            )
        )
    notes = [
        "App CPU (median, as in the parts table) over /hello's %.2f ms in the same run; the "
        "goal is issue 17's for a page rendered anew. SQL statements: those the page sent "
        "through SQLAlchemy or read raw (Database.read_rows; with the page cache on, a "
        "light read of the player's row takes the first one's place)." % baseline
    ]
    return common.Table(
        "Pages rendered anew against /hello",
        ("page", "app CPU ms", "× /hello", "goal ×", "met", "SQL statements"),
        rows,
        notes,
    )


def statements_table(measured: List[Tuple[Page, List[Sample]]]) -> common.Table:
    """Tabulate each page's statements: their median wall time, in order."""
    rows = []
    for page, samples in measured:
        if not samples[0].statements:
            continue
        for number, (statement, _) in enumerate(samples[0].statements):
            times = [
                sample.statements[number][1]
                for sample in samples
                if len(sample.statements) > number
            ]
            words = " ".join(statement.split())
            rows.append((page.name, number + 1, statistics.median(times), words[:90] + "…"))
    notes = [
        "Each statement's wall time inside cursor.execute (a raw read whole), median over "
        "the requests."
    ]
    return common.Table(
        "Where the time goes: each SQL statement", ("page", "#", "ms", "statement"), rows, notes
    )


def part_of(path: str, function: str, inherited: str) -> str:
    """Name the part of the app a sampled frame belongs to (else its caller's part)."""
    folders = path.replace("\\", "/").split("/")
    function = function.rsplit(".", 1)[-1]  # py-spy names methods Class.method
    if function in DRIVER_CALLS:
        return PARTS[0]
    if function in ("read_row", "read_rows", "_read") and folders[-2:] == ["maimai_probe", "db.py"]:
        return LIGHT_READ  # its own lines are the driver's C calls; its pool checkout is not
    if function == "url_for" and inherited != PARTS[0]:
        return PARTS[3]
    if "sqlalchemy" in folders or "psycopg2" in folders:
        return PARTS[1] if inherited != PARTS[0] else inherited
    if "flask_compress" in folders or "brotli" in folders or folders[-1] == "gzip.py":
        return PARTS[6]
    if inherited in (PARTS[0], PARTS[1], PARTS[3], PARTS[6]):
        return inherited
    if "templates" in folders or "jinja2" in folders or "markupsafe" in folders:
        return PARTS[2]
    if folders[-2:] == ["maimai_probe", "formatting.py"]:
        return PARTS[4]
    if "maimai_probe" in folders:
        return PARTS[5]
    if inherited == PARTS[8] and ("flask" in folders or "werkzeug" in folders):
        return PARTS[7]
    return inherited


def shares(root: Any) -> Dict[str, float]:
    """Add up the samples' self time by part over a pyinstrument call tree."""
    found = {part: 0.0 for part in PARTS}
    stack = [(root, PARTS[7])]
    while stack:
        frame, inherited = stack.pop()
        part = part_of(frame.file_path or "", frame.function or "", inherited)
        found[PARTS[0] if part == LIGHT_READ else part] += frame.total_self_time
        stack.extend((child, part) for child in frame.children if not child.is_synthetic)
    return found


def sampled(app: Any, pages: Sequence[Page], requests: int) -> common.Table:
    """Profile each page with pyinstrument and share its time out by part."""
    from pyinstrument import Profiler

    client = app.test_client()
    by_page = []
    for page in pages:
        client.get(page.path, headers=HEADERS)
        profiler = Profiler(interval=0.0002)
        profiler.start()
        for _ in range(requests):
            client.get(page.path, headers=HEADERS)
        profiler.stop()
        found = shares(profiler.last_session.root_frame())
        total = sum(found.values()) or 1.0
        by_page.append({part: 100.0 * seconds / total for part, seconds in found.items()})
    rows = [
        [part] + ["%.0f%%" % page_shares[part] for page_shares in by_page] for part in PARTS[:-1]
    ]
    notes = [
        "pyinstrument (wall time, 0.2 ms interval) over %d requests per page; each sample's "
        "time goes to the innermost part on its stack (a url_for inside a template counts "
        "as url_for; a query started by a view counts as SQL)." % requests
    ]
    return common.Table(
        "Where the time goes: sampled by part (share of wall time)",
        ["part"] + [page.name for page in pages],
        rows,
        notes,
    )


def py_spy() -> Optional[str]:
    """Return py-spy's path in this Python's environment, or on PATH."""
    beside = pathlib.Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


def stack_shares(raw: str) -> Dict[str, float]:
    """Add up py-spy's raw (collapsed) stacks by part: each stack's count to its leaf's part."""
    found = {part: 0.0 for part in PARTS}
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        part = PARTS[8]
        for frame in stack.split(";"):
            function, _, where = frame.partition(" (")
            part = part_of(where.rsplit(":", 1)[0], function, part)
        found[PARTS[0] if part == LIGHT_READ else part] += int(count)
    return found


def spied(url: str, pages: Sequence[Page], seconds: float) -> Optional[common.Table]:
    """Sample both gunicorn workers with py-spy while wrk loads each page."""
    from bench import load
    from bench.server import Gunicorn

    spy = py_spy()
    if spy is None or not shutil.which("wrk"):
        return None
    by_page = []
    with Gunicorn(url) as server, tempfile.TemporaryDirectory() as folder:
        for page in pages:
            load.warm_up(server, load.Page(page.name, page.path), 0.5)
            wrk = subprocess.Popen(
                ["wrk", "-t1", "-c8", "-d%ds" % (seconds + 1), "-H", "Accept-Encoding: br"]
                + [server.base + page.path],
                stdout=subprocess.DEVNULL,
            )
            time.sleep(0.3)
            outputs = []
            spies = []
            for pid in server.worker_pids():
                output = os.path.join(folder, "%d-%s.txt" % (pid, len(by_page)))
                outputs.append(output)
                command = [spy, "record", "--nonblocking", "-r", "250", "-f", "raw"]
                command += ["-d", str(int(seconds)), "-p", str(pid), "-o", output]
                spies.append(
                    subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                )
            for process in spies:
                process.wait(timeout=seconds + 30)
            wrk.wait(timeout=seconds + 30)
            found = {part: 0.0 for part in PARTS}
            for output in outputs:
                if os.path.exists(output):
                    for part, count in stack_shares(pathlib.Path(output).read_text()).items():
                        found[part] += count
            total = sum(found.values()) or 1.0
            by_page.append({part: 100.0 * count / total for part, count in found.items()})
    rows = [[part] + ["%.0f%%" % page_shares[part] for page_shares in by_page] for part in PARTS]
    notes = [
        "py-spy (250 Hz, non-blocking) on both gunicorn workers for %d s while wrk keeps 8 "
        "connections busy on the page; a worker waiting inside the driver for PostgreSQL "
        "counts as a round trip, a worker idle between requests is left out." % seconds
    ]
    return common.Table(
        "Where the time goes: gunicorn workers under load (share of CPU samples)",
        ["part"] + [page.name for page in pages],
        rows,
        notes,
    )


def run(url: str, requests: int = 40, spy_seconds: int = 3) -> List[common.Table]:
    """Break down and sample the pages."""
    from maimai_probe import create_app

    # Every request renders: these tables break a render down, not a kept page's answer.
    app = create_app(common.app_settings(url, PAGE_CACHE_BYTES=0))
    timers = Timers(app)
    measured = [(page, measure(app, timers, page, requests)) for page in PAGES]
    app.extensions["maimai_probe.db"].dispose()
    tables = [breakdown(measured, requests), statements_table(measured), ratios_table(measured)]
    plain = create_app(common.app_settings(url, PAGE_CACHE_BYTES=0))
    tables.append(sampled(plain, PAGES[1:SAMPLED_PAGES], requests))
    plain.extensions["maimai_probe.db"].dispose()
    under_load = spied(url, PAGES[:SAMPLED_PAGES], spy_seconds)
    if under_load is not None:
        tables.append(under_load)
    return tables


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="a database bench.archive filled")
    parser.add_argument("--requests", type=int, default=40)
    options = parser.parse_args()
    for table in run(options.url, options.requests):
        common.show(table)


if __name__ == "__main__":
    main()
