"""Run every benchmark and write docs/benchmarks.md: ``bash bench/run [--quick]``.

    .venv/bin/python -m bench [--quick] [--only load,queries,...] [--keep-databases]

Needs BENCH_DATABASE_URL: a PostgreSQL server whose role may create databases (bench/run
finds or starts the machine's cluster when it is unset). The bench creates probe_bench
(100,000 plays) and probe_bench_small (1,000 plays) there and drops them at the end.
Without a server the benchmarks that need one are skipped, loudly, and said so in the report.
"""

import argparse
import os
import pathlib
import subprocess
import sys
import time
import traceback
from typing import Any, Callable, List, Optional, Tuple

from bench import common

SECTIONS = (
    "archive",
    "load",
    "queries",
    "compression",
    "memory",
    "profile",
    "imports",
    "handler",
)
DOC = common.ROOT / "docs" / "benchmarks.md"
#: Everything from this line on in docs/benchmarks.md is written by hand and kept by each run.
KEPT_MARKER = "<!-- analysis below is written by hand; bench/run keeps it -->"
#: The serverless benchmarks, written separately; run when present.
HANDLER_GLOB = "handler*.py"
#: Benchmarks with a command line of their own, run after the handler's.
STANDALONE = ("search.py", "rating_trend.py", "cold_start.py", "progress.py")


class Run:
    """The options of one run and what it measured."""

    def __init__(self, options: argparse.Namespace) -> None:
        self.options = options
        self.quick = options.quick
        self.tables = []  # type: List[common.Table]
        self.failures = []  # type: List[str]
        self.skipped = []  # type: List[str]
        self.handler_output = []  # type: List[str]

    def wanted(self, section: str) -> bool:
        return section in self.options.only

    def section(self, name: str, step: Callable[[], Optional[List[common.Table]]]) -> None:
        """Run one benchmark, keeping its tables, or its failure, and going on."""
        if not self.wanted(name):
            return
        print("\n### %s (load average %.2f)" % (name, os.getloadavg()[0]), flush=True)
        started = time.perf_counter()
        try:
            for table in step() or []:
                self.tables.append(common.show(table))
        except Exception:  # noqa: BLE001 - one failed benchmark must not hide the others
            traceback.print_exc()
            self.failures.append("%s: %s" % (name, traceback.format_exc().splitlines()[-1]))
        print("--- %s took %.0f s" % (name, time.perf_counter() - started), flush=True)


def loud(message: str) -> None:
    """Print a message no one can miss."""
    bar = "!" * 78
    print("\n%s\n!!! %s\n%s" % (bar, message, bar), file=sys.stderr, flush=True)


def archive_table(summaries: List[Tuple[str, Any]]) -> common.Table:
    """Describe the generated archives."""
    rows = []
    for name, summary in summaries:
        rows.append(
            (
                name,
                summary.plays,
                summary.players,
                summary.details,
                summary.distinct_charts,
                summary.most_plays_on_a_chart,
                summary.songs,
                summary.charts,
                summary.seconds,
            )
        )
    notes = [
        "Catalog: `%s` through catalog.py; plays by COPY, seed 2025 (the same rows every run)."
        % os.path.relpath(summaries[0][1].catalog, str(common.ROOT))
    ]
    columns = (
        "database",
        "plays",
        "players",
        "with detail",
        "(player, chart) pairs",
        "most plays of one chart",
        "songs",
        "charts",
        "seconds to build",
    )
    return common.Table("The archives", columns, rows, notes)


def run_handlers(run: Run) -> None:
    """Run the benchmarks that are scripts of their own: the handler's, search, rating trend."""
    here = pathlib.Path(__file__).parent
    scripts = sorted(here.glob(HANDLER_GLOB)) + [
        here / name for name in STANDALONE if (here / name).exists()
    ]
    if not scripts:
        message = (
            "no bench/%s yet: the serverless handler's per-invocation overhead and cold "
            "start are measured there once it lands (bench/run runs it)" % HANDLER_GLOB
        )
        print(message)
        run.skipped.append(message)
        return
    for script in scripts:
        command = [sys.executable, "-m", "bench." + script.stem]
        environ = dict(os.environ, PYTHONPATH="%s:%s" % (common.ROOT, common.ROOT / "src"))
        helped = subprocess.run(
            command + ["--help"],
            cwd=str(common.ROOT),
            env=environ,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if run.quick and "--quick" in helped.stdout:
            command.append("--quick")
        print("$ %s" % " ".join([".venv/bin/python"] + command[1:]))
        done = subprocess.run(
            command,
            cwd=str(common.ROOT),
            env=dict(os.environ, PYTHONPATH="%s:%s" % (common.ROOT, common.ROOT / "src")),
            capture_output=True,
            text=True,
            timeout=150 if run.quick else 300,
            check=False,
        )
        print(done.stdout)
        if done.returncode != 0:
            print(done.stderr[-3000:], file=sys.stderr)
            run.failures.append("%s exited %d" % (script.name, done.returncode))
        run.handler_output.append(
            "$ %s\n%s" % (" ".join([".venv/bin/python"] + command[1:]), done.stdout)
        )


def write_doc(run: Run, machine: dict, elapsed: float) -> None:
    """Write docs/benchmarks.md: how to run, the machine, every table; keep the analysis."""
    kept = ""
    if DOC.exists():
        text = DOC.read_text(encoding="utf-8")
        if KEPT_MARKER in text:
            kept = text[text.index(KEPT_MARKER) :]
    mode = "quick run (`--quick`)" if run.quick else "full run"
    out = [
        "# Benchmarks",
        "",
        "Written by `bash bench/run` (%s, %.0f s). Run it again to refresh every table below:"
        % (mode, elapsed),
        "",
        "```sh",
        "bash bench/run            # everything, about 4 minutes",
        "bash bench/run --quick    # shorter load cells and fewer repeats, under 3 minutes",
        "BENCH_DATABASE_URL=postgresql://user:pass@127.0.0.1:5432/postgres bash bench/run",
        "```",
        "",
        "`bench/run` installs `bench/requirements.txt` (gunicorn, serverless-wsgi, apig-wsgi, "
        "pyinstrument, py-spy) into `.venv`, and wrk from Debian when it can. "
        "`BENCH_DATABASE_URL` names a PostgreSQL server whose role may create databases; "
        "unset, bench/run uses the machine's cluster as root (starting it if it is down, "
        "adding a role `probe_bench`, stopping the cluster again if it started it), and "
        "without any server the database benchmarks are skipped loudly. The bench creates "
        "`probe_bench` (100,000 plays) and `probe_bench_small` (1,000 plays) and drops them "
        "at the end (`--keep-databases` keeps them). Each part also runs alone: "
        "`.venv/bin/python -m bench.load --url …`, `bench.queries`, `bench.compression`, "
        "`bench.memory`, "
        "`bench.profiling`, `bench.archive`, `bench.imports` (a record page and a 10,000-play "
        "archive export: parse, import into an empty archive, re-import; SQLite too). "
        "The serverless handler's benchmarks "
        "(`bench/handler*.py`) run last when present, with `--quick` when they take it.",
        "",
        "Other engineers' commands share this machine's two cores, so the load average is "
        "recorded: numbers taken while it is high are lower than on a quiet machine.",
        "",
        "## Machine",
        "",
        "| what | value |",
        "| --- | --- |",
    ]
    machine = dict(machine, **{"load average at end": "%.2f %.2f %.2f" % os.getloadavg()})
    out.extend("| %s | %s |" % (name, value) for name, value in machine.items())
    out.append("")
    out.append("## Results")
    for table in run.tables:
        out.extend(["", common.markdown_table(table)])
    if run.handler_output:
        out.extend(["", "### Serverless handler, search and rating trend (own scripts)", ""])
        for output in run.handler_output:
            out.extend(["```", output.rstrip(), "```", ""])
    if run.skipped or run.failures:
        out.extend(["", "### Skipped or failed", ""])
        out.extend("- skipped: %s" % message for message in run.skipped)
        out.extend("- **failed**: %s" % message for message in run.failures)
    out.append("")
    if kept:
        out.append(kept.rstrip() + "\n")
    else:
        out.extend([KEPT_MARKER, ""])
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text("\n".join(out), encoding="utf-8")
    print("\nwrote %s" % os.path.relpath(str(DOC)))


def wait_for_quiet(seconds: float) -> None:
    """Wait, at most so long, until the machine's 1-minute load average is below half its cores."""
    if seconds <= 0:
        return
    limit = (os.cpu_count() or 2) / 2.0
    deadline = time.monotonic() + seconds
    while os.getloadavg()[0] >= limit and time.monotonic() < deadline:
        print("waiting for a quieter machine: load average %.2f" % os.getloadavg()[0], flush=True)
        time.sleep(min(15.0, max(0.0, deadline - time.monotonic())))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short cells, fewer repeats")
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help="comma-separated sections (default all): %s" % ",".join(SECTIONS),
    )
    parser.add_argument("--keep-databases", action="store_true")
    parser.add_argument("--no-doc", action="store_true", help="print only; leave the doc")
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0,
        metavar="SECONDS",
        help="first wait up to this long for the load average to fall below half the cores",
    )
    options = parser.parse_args()
    options.only = [name.strip() for name in options.only.split(",") if name.strip()]
    unknown = sorted(set(options.only) - set(SECTIONS))
    if unknown:
        parser.error("unknown sections: %s" % ", ".join(unknown))
    run = Run(options)
    wait_for_quiet(options.wait_quiet)
    started = time.perf_counter()
    machine = common.machine()
    for name, value in machine.items():
        print("%-36s %s" % (name, value))

    admin_url = os.environ.get("BENCH_DATABASE_URL", "").strip()
    large = small = None
    if not admin_url:
        loud(
            "BENCH_DATABASE_URL is unset: the benchmarks that need PostgreSQL are SKIPPED "
            "(bash bench/run finds or starts the machine's cluster as root)"
        )
        for name in ("archive", "load", "queries", "compression", "memory", "profile"):
            if run.wanted(name):
                run.skipped.append("%s: no PostgreSQL server (BENCH_DATABASE_URL)" % name)
    else:
        print("PostgreSQL: %s" % common.describe_url(admin_url))
        large = common.recreate_database(admin_url, common.LARGE_DATABASE)
        small = common.recreate_database(admin_url, common.SMALL_DATABASE)
    try:
        if large and small:
            from bench import archive, compression, load, memory, profiling, queries

            summaries = []

            def build() -> List[common.Table]:
                summaries.append((common.LARGE_DATABASE, archive.build(large, 100000)))
                summaries.append((common.SMALL_DATABASE, archive.build(small, 1000)))
                return [archive_table(summaries)]

            # Every other benchmark reads the archives, so they are always built.
            run.options.only = sorted(set(run.options.only) | {"archive"})
            run.section("archive", build)
            if len(summaries) == 2:
                seconds, warmup = (2.0, 0.5) if run.quick else (5.0, 1.0)
                run.section("load", lambda: load.run(large, seconds, warmup))
                repeats = 3 if run.quick else 7
                run.section("queries", lambda: queries.run(small, large, repeats))
                run.section("compression", lambda: compression.run(large, repeats))
                run.section("memory", lambda: memory.run(large))
                requests = 15 if run.quick else 40
                run.section("profile", lambda: profiling.run(large, requests))
        if run.wanted("imports"):
            from bench import imports

            # Its own database (or SQLite alone without a server): it needs no archive.
            runs = (5, 2) if run.quick else (20, 5)
            run.section("imports", lambda: imports.run(admin_url or None, *runs))
        if run.wanted("handler"):
            print("\n### handler", flush=True)
            try:
                run_handlers(run)
            except Exception:  # noqa: BLE001
                traceback.print_exc()
                run.failures.append("handler: %s" % traceback.format_exc().splitlines()[-1])
    finally:
        if admin_url and not options.keep_databases:
            for name in (common.LARGE_DATABASE, common.SMALL_DATABASE):
                common.drop_database(admin_url, name)
    elapsed = time.perf_counter() - started
    if not options.no_doc:
        write_doc(run, machine, elapsed)
    print("bench: %.0f s; %d failed, %d skipped" % (elapsed, len(run.failures), len(run.skipped)))
    for message in run.failures:
        print("FAILED: %s" % message, file=sys.stderr)
    return 1 if run.failures else 0


if __name__ == "__main__":
    sys.exit(main())
