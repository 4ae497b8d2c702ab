"""Throughput and latency of the pages under gunicorn, against /hello/<name> on the same server.

    .venv/bin/python -m bench.load --url postgresql://.../probe_bench [--seconds 5]

The load generator is wrk (Debian's package) when installed, else a bounded Python client.
Every cell runs for a fixed time at a fixed number of connections on 127.0.0.1 and stops by
itself. Requests carry a browser's Accept-Encoding, so pages go out compressed as they would
to a player; the ratio column is each page's requests per second over the baseline's at the
same concurrency.

The app keeps rendered pages per process (page_cache), so a page loaded again and again is
a warm-cache figure; the "cache miss" rows add a query parameter unique to each request
(?miss=<n>, which the page ignores), so every request renders, compresses and stores anew.
"""

import argparse
import http.client
import itertools
import os
import pathlib
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from typing import Dict, List, NamedTuple, Sequence, Tuple

from bench import common
from bench.server import Gunicorn, fetch

#: The player whose pages are loaded: the middle of the ten, 10,000 plays.
PLAYER = "player05"
#: A search that finds a handful of titles in the real catalog and the demo one alike.
SEARCH_QUERY = "love"
BROWSER_HEADERS = {"Accept-Encoding": "gzip, deflate, br", "Accept": "text/html,*/*"}
CONCURRENCY = (1, 8, 32)
#: Record and diff pages should reach this share of the baseline's throughput.
TARGET_RATIO = 0.40


class Page(NamedTuple):
    """A page under load: its name and path, and whether the client accepts compression."""

    name: str
    path: str
    compressed: bool = True
    unique: bool = False  # a fresh ?miss=<n> on every request: never answered from the cache

    def url(self, base: str, number: int = 0) -> str:
        """Return the page's URL, the nth one for a page of unique requests."""
        return base + self.path + ("?miss=%d" % number if self.unique else "")

    @property
    def headers(self) -> Dict[str, str]:
        """Return the request's headers: a browser's, or none for the uncompressed variant."""
        return BROWSER_HEADERS if self.compressed else {}


BASELINE = Page("baseline /hello/<name>", "/hello/bench")
PAGES = (
    Page("record page", "/players/%s/plays" % PLAYER),
    Page("diff page", "/players/%s/diff" % PLAYER),
    Page("record page, cache miss", "/players/%s/plays" % PLAYER, unique=True),
    Page("diff page, cache miss", "/players/%s/diff" % PLAYER, unique=True),
    Page("best 50", "/players/%s/best50" % PLAYER),
    Page("song list", "/songs"),
    Page("search", "/songs?q=%s" % SEARCH_QUERY),
    Page("API plays (JSON)", "/api/players/%s/plays" % PLAYER),
    # The record page again without Accept-Encoding: what compression costs under load.
    Page("record page, uncompressed", "/players/%s/plays" % PLAYER, compressed=False),
)


class Result(NamedTuple):
    """One cell: requests per second and latency percentiles, with the errors seen."""

    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


# --- wrk -----------------------------------------------------------------------------------

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def to_ms(text: str) -> float:
    """Read wrk's latency ("812.00us", "3.21ms", "1.02s") in milliseconds."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError("unreadable wrk latency %r" % text)
    return float(match.group(1)) * UNITS[match.group(2)]


def parse_wrk(output: str) -> Result:
    """Read requests, requests per second, p50, p99 and errors from wrk --latency's report."""
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.M))
    requests = re.search(r"^\s+(\d+) requests in", output, re.M)
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    if not (requests and rps and "50" in percentiles and "99" in percentiles):
        raise RuntimeError("unreadable wrk output:\n" + output)
    errors = 0
    socket_errors = re.search(r"Socket errors: (.*)$", output, re.M)
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    return Result(
        int(requests.group(1)),
        float(rps.group(1)),
        to_ms(percentiles["50"]),
        to_ms(percentiles["99"]),
        errors,
    )


#: Numbers each load, so no two loads (the warm-up, each cell) ask for the same URL.
RUNS = itertools.count(1)
#: wrk's script for unique requests: one thread, so one counter numbers every request.
UNIQUE_SCRIPT = """counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, "%s?miss=%s-" .. counter)
end
"""


def run_wrk(
    url: str, connections: int, seconds: float, headers: Dict[str, str], unique: bool = False
) -> Result:
    """Load a URL with wrk for a fixed time; one thread is plenty at these rates."""
    command = ["wrk", "--latency", "-t1", "-c%d" % connections, "-d%ds" % max(1, round(seconds))]
    command += ["--timeout", "10s"]
    if unique:
        path = re.sub(r"^http://[^/]+", "", url).split("?")[0]
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
        with script:
            script.write(UNIQUE_SCRIPT % (path, next(RUNS)))
        command += ["-s", script.name]
    for name, value in headers.items():
        command += ["-H", "%s: %s" % (name, value)]
    command.append(url)
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 30, check=False
        )
    finally:
        if unique:
            os.unlink(script.name)
    if done.returncode != 0:
        raise RuntimeError("wrk failed: %s" % (done.stderr or done.stdout))
    return parse_wrk(done.stdout)


# --- the Python client, when wrk is absent -------------------------------------------------


def run_python(
    url: str, connections: int, seconds: float, headers: Dict[str, str], unique: bool = False
) -> Result:
    """Load a URL from threads, each a keep-alive connection, for a fixed time."""
    match = re.match(r"http://([^/:]+):(\d+)(/.*)", url)
    assert match, url
    host, port, path = match.group(1), int(match.group(2)), match.group(3)
    deadline = time.monotonic() + seconds
    latencies = []  # type: List[float]
    errors = [0]
    lock = threading.Lock()
    numbers = itertools.count(1)
    run_number = next(RUNS)

    def worker() -> None:
        mine = []
        failed = 0
        connection = http.client.HTTPConnection(host, port, timeout=10)
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                wanted = path + "?miss=%d-%d" % (run_number, next(numbers)) if unique else path
                connection.request("GET", wanted, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status >= 400:
                    failed += 1
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=10)
                continue
            mine.append((time.perf_counter() - started) * 1000)
        connection.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    elapsed = time.monotonic() - started
    if not latencies:
        return Result(0, 0.0, 0.0, 0.0, errors[0])
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return Result(len(latencies), len(latencies) / elapsed, cuts[49], cuts[98], errors[0])


def generator() -> str:
    """Name the load generator this machine has."""
    if shutil.which("wrk"):
        return common.command_output(["wrk", "--version"]).split(" [")[0] or "wrk"
    return "Python threads (http.client; install wrk for lower client overhead)"


def load(
    url: str, connections: int, seconds: float, headers: Dict[str, str], unique: bool = False
) -> Result:
    """Load a URL with the best generator at hand (unique: a fresh ?miss=<n> each request)."""
    if shutil.which("wrk"):
        return run_wrk(url, connections, seconds, headers, unique)
    return run_python(url, connections, seconds, headers, unique)


# --- the benchmark -------------------------------------------------------------------------


def response_size(server: Gunicorn, page: Page, headers: Dict[str, str]) -> Tuple[int, str]:
    """Return the bytes and Content-Encoding of one answer, checking it is a 200."""
    status, answer, body = fetch(page.url(server.base), headers)
    if status != 200:
        raise RuntimeError("%s answered %d: %r" % (page.path, status, body[:300]))
    return len(body), answer.get("Content-Encoding", "identity")


TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pids: Sequence[int]) -> float:
    """Return the CPU seconds (user + system) the processes have used, from /proc."""
    total = 0
    for pid in pids:
        try:
            fields = pathlib.Path("/proc/%d/stat" % pid).read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / float(TICKS_PER_SECOND)


class BackendWatch:
    """Find the PostgreSQL backends serving the app's database, to read their CPU time."""

    def __init__(self, database_url: str) -> None:
        from sqlalchemy import create_engine

        from maimai_probe import config

        self.engine = create_engine(config.normalise_database_url(database_url), future=True)

    def pids(self) -> List[int]:
        """Return the pids of the database's other backends, when /proc shows them."""
        from sqlalchemy import text

        with self.engine.connect() as connection:
            pids = connection.execute(
                text(
                    "SELECT pid FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalars()
            return [pid for pid in pids if os.path.exists("/proc/%d/stat" % pid)]

    def close(self) -> None:
        self.engine.dispose()


def warm_up(server: Gunicorn, page: Page, seconds: float) -> None:
    """Bring every worker up to speed on a page (jieba and the search index load on first use).

    Rounds of concurrent requests, twice as many as workers, so each worker answers some,
    then the warm-up load itself.
    """
    for _ in range(3):
        threads = [
            threading.Thread(
                target=fetch,
                args=(page.url(server.base, -number), page.headers),
                kwargs={"timeout": 60},
            )
            for number in range(server.workers * 2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=90)
    load(server.base + page.path, 4, seconds, page.headers, page.unique)


def run(
    database_url: str,
    seconds: float = 5.0,
    warmup: float = 1.0,
    concurrency: Sequence[int] = CONCURRENCY,
    only: Sequence[str] = (),
) -> List[common.Table]:
    """Load every page at every concurrency; return the table and the target's verdict.

    `only` keeps the pages whose names contain one of its words (the baseline always runs).
    """
    pages = tuple(page for page in PAGES if not only or any(word in page.name for word in only))
    rows = []
    verdict = []  # type: List[str]
    backends = BackendWatch(database_url)
    cpu = {}  # type: Dict[Tuple[str, int], Tuple[float, float]]
    with Gunicorn(database_url) as server:
        served = server.describe()
        results = {}  # type: Dict[Tuple[str, int], Result]
        sizes = {}  # type: Dict[str, Tuple[int, str]]
        for page in (BASELINE,) + pages:
            sizes[page.name] = response_size(server, page, page.headers)
            warm_up(server, page, warmup)
            for connections in concurrency:
                workers, database = server.worker_pids(), backends.pids()
                before = cpu_seconds(workers), cpu_seconds(database)
                result = load(
                    server.base + page.path, connections, seconds, page.headers, page.unique
                )
                database = sorted(set(database) | set(backends.pids()))
                after = cpu_seconds(workers), cpu_seconds(database)
                served_requests = max(1, result.requests)
                cpu[(page.name, connections)] = (
                    1000 * (after[0] - before[0]) / served_requests,
                    1000 * (after[1] - before[1]) / served_requests,
                )
                results[(page.name, connections)] = result
                print(
                    "  %-26s c=%-3d %8.1f req/s  p50 %7.2f ms  p99 %7.2f ms  CPU %.2f + %.2f ms"
                    % (
                        (page.name, connections, result.rps, result.p50_ms, result.p99_ms)
                        + cpu[(page.name, connections)]
                    ),
                    flush=True,
                )
        peaks = server.worker_peak_rss_mb()
    backends.close()
    for page in (BASELINE,) + pages:
        size, encoding = sizes[page.name]
        for connections in concurrency:
            result = results[(page.name, connections)]
            baseline = results[(BASELINE.name, connections)].rps
            ratio = result.rps / baseline if baseline else None
            app_cpu, database_cpu = cpu[(page.name, connections)]
            base_cpu = sum(cpu[(BASELINE.name, connections)])
            rows.append(
                (
                    page.name,
                    connections,
                    result.rps,
                    result.p50_ms,
                    result.p99_ms,
                    "%.0f%%" % (100 * ratio) if ratio is not None else None,
                    app_cpu,
                    database_cpu,
                    "%.0f%%" % (100 * base_cpu / (app_cpu + database_cpu))
                    if app_cpu + database_cpu
                    else None,
                    "%s (%s)" % (common.cell(size), encoding),
                    result.requests,
                    result.errors,
                )
            )
    for page in (page for page in PAGES[:4] if page in pages):
        ratios = [
            results[(page.name, c)].rps / results[(BASELINE.name, c)].rps for c in concurrency
        ]
        by_cpu = [
            sum(cpu[(BASELINE.name, c)]) / max(1e-9, sum(cpu[(page.name, c)])) for c in concurrency
        ]
        reached = all(ratio >= TARGET_RATIO for ratio in ratios)
        verdict.append(
            "%s: %s of the baseline's throughput (%s), %s by CPU cost — target %.0f%% %s."
            % (
                page.name,
                " / ".join("%.0f%%" % (100 * ratio) for ratio in ratios),
                "c=" + "/".join(str(c) for c in concurrency),
                " / ".join("%.0f%%" % (100 * ratio) for ratio in by_cpu),
                100 * TARGET_RATIO,
                "reached" if reached else "NOT reached",
            )
        )
    notes = [
        "Served by %s; load from %s, %s s per cell after a %s s warm-up, on loopback."
        % (served, generator(), common.cell(seconds), common.cell(warmup)),
        "Pages of %s (10,000 plays of the 100,000), default page size; requests send "
        "`Accept-Encoding: gzip, deflate, br` (but the uncompressed row); bytes are one answer "
        "as sent. Each worker keeps rendered pages (PAGE_CACHE_BYTES, 32 MB by default), so "
        "a page requested again is answered from memory: the cache miss rows number every "
        "request (?miss=<n>) so each one renders, compresses and stores its answer." % PLAYER,
        "CPU ms/req: CPU time the gunicorn workers and the database's PostgreSQL backends "
        "spent per request (from /proc, 10 ms ticks), which the other processes on the "
        'machine do not inflate; "ratio by CPU" is the baseline\'s CPU per request over the '
        "page's, the throughput ratio a machine with nothing else running would approach.",
        "Workers' peak RSS after the load: %s MiB." % ", ".join("%.0f" % peak for peak in peaks),
    ] + verdict
    columns = (
        "page",
        "connections",
        "req/s",
        "p50 ms",
        "p99 ms",
        "ratio to baseline",
        "app CPU ms/req",
        "PostgreSQL CPU ms/req",
        "ratio by CPU",
        "bytes (encoding)",
        "requests",
        "errors",
    )
    return [common.Table("Load: pages under gunicorn vs /hello/<name>", columns, rows, notes)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="a database bench.archive filled")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument(
        "--only", default="", help="comma-separated words: load only the pages they name"
    )
    options = parser.parse_args()
    only = [word.strip() for word in options.only.split(",") if word.strip()]
    for table in run(options.url, options.seconds, options.warmup, only=only):
        common.show(table)


if __name__ == "__main__":
    main()
