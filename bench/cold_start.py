"""Time the cold start: spawn to the first answer of serverless_handler, beside one-route Flask.

    .venv/bin/python -m bench.cold_start [--quick] [--runs N] [--python36 PATH] [--importtime]
        [--postgresql ADMIN_URL]

A fresh interpreter runs a tiny driver that imports serverless_handler (the deployed entry
point) and answers one Tencent API Gateway event: GET /hello/bench, and a player's record page
(/players/demo/plays) on a SQLite file migrated and seeded with the demo player beforehand.
The baseline is the same driver importing only Flask and flask_serverless and answering one
request of a one-route app through the same handler, started the same way in the same run.
Each interpreter runs every case in turn, so a busy machine slows them alike: on the current
Python's .venv, and on CPython 3.6 with the built layer unpacked (no site-packages,
PYTHONPATH=<layer>:<code>, as layer/smoke.py runs it), with the code as tencent/deploy.py
ships it (bytecode and templates compiled by that interpreter) and, on 3.6, as sources only.
With a CPython 3.13 it also starts the AWS zips aws/build.py writes (the layer built if
missing), unpacked as Lambda does: as built, with bytecode and compiled templates, and as
sources only, as they shipped before.
--importtime prints `python -X importtime`'s top contributors of `import serverless_handler`
on the current Python. --postgresql (default: $BENCH_DATABASE_URL) adds the record page on a
PostgreSQL database created on that server (probe_bench_cold), as a deployed site reads it.
"""

import argparse
import json
import os
import pathlib
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from typing import Any, Dict, List, NamedTuple, Sequence, Tuple

ROOT = pathlib.Path(__file__).resolve().parents[1]
for _path in (str(ROOT), str(ROOT / "src")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from tencent import deploy  # noqa: E402

from bench import common  # noqa: E402 - after the path is set, as a script
from flask_serverless.allocator import ALLOCATOR_ENVIRONMENT  # noqa: E402
from layer import smoke  # noqa: E402

LAYER_ZIP = ROOT / "layer" / "dist" / "maimai-probe-layer-py36-tencent.zip"
#: The goals of issue 17, as ratios of spawn → answer to the baseline's.
GOALS = {"/hello/bench": 2.0, "/players/demo/plays": 2.5}
#: CPython 3.6 with the layer: a record page within this many seconds.
GOAL_36_SECONDS = 0.4

#: (what the row is, driver mode, path)
CASES = (
    ("baseline: Flask + flask_serverless, one route", "bare", "/"),
    ("app: GET /hello/bench", "app", "/hello/bench"),
    ("app: a record page, GET /players/demo/plays", "app", "/players/demo/plays"),
)
#: The case added with --postgresql: the same page, the database PostgreSQL.
POSTGRESQL_CASE = ("app: the record page on PostgreSQL", "app-pg", "/players/demo/plays")
POSTGRESQL_DATABASE = "probe_bench_cold"

#: Runs in the fresh interpreter (Python 3.6 syntax): argv = mode, path.
DRIVER = r"""
import time
T0 = time.perf_counter()
import json
import sys

mode, path = sys.argv[1], sys.argv[2]
if mode.startswith("app"):
    import serverless_handler
    handler = serverless_handler.handler
else:
    from flask import Flask
    from flask_serverless import make_handler

    app = Flask("bare")

    @app.route("/")
    def index():
        return "Hello"

    handler = make_handler(app)
T1 = time.perf_counter()
event = {
    "requestContext": {"serviceId": "service-bench", "path": "/", "httpMethod": "ANY",
                       "requestId": "cold", "identity": {}, "sourceIp": "127.0.0.1",
                       "stage": "release"},
    "headers": {"accept": "text/html", "accept-encoding": "br",
                "host": "service-bench.gz.apigw.tencentcs.com", "user-agent": "bench"},
    "body": "", "pathParameters": {}, "queryStringParameters": {}, "headerParameters": {},
    "stageVariables": {"stage": "release"}, "path": path, "queryString": {},
    "httpMethod": "GET",
}
answer = handler(event, {"request_id": "cold"})
T2 = time.perf_counter()
CPU = time.process_time()
WALL = time.time()
heavy = [name for name in ("sqlalchemy", "sqlalchemy.orm", "jieba", "alembic", "bs4")
         if name in sys.modules]
print(json.dumps({"status": answer["statusCode"], "import_ms": (T1 - T0) * 1000,
                  "first_ms": (T2 - T1) * 1000, "cpu_ms": CPU * 1000, "answered_at": WALL,
                  "modules": len(sys.modules), "heavy": heavy}))
"""


class Interpreter(NamedTuple):
    """One interpreter to start cold: its name, command and environment."""

    name: str
    command: List[str]
    env: Dict[str, str]


def environment(work: str, database: str, pythonpath: Sequence[str]) -> Dict[str, str]:
    """Return a function's environment: production, SQLite already migrated, nothing else."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": work,
        "TMPDIR": work,
        "LANG": "C.UTF-8",
        "PYTHONPATH": os.pathsep.join(pythonpath),
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",  # /opt and the code folder are read-only there
        "APP_ENV": "production",
        "SECRET_KEY": common.BENCH_SECRET,
        "DATABASE_URL": "sqlite:///" + database,
        "AUTO_MIGRATE": "0",
        "STATIC_FOLDER": str(ROOT / "static"),
        **ALLOCATOR_ENVIRONMENT,  # as the deployments set it
    }


def prepare_database(path: str) -> None:
    """Migrate a SQLite file (or a database's URL) and seed the demo player, in this process."""
    from maimai_probe import create_app, demo_data

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": common.BENCH_SECRET,
            "DATABASE_URL": path if "://" in path else "sqlite:///" + path,
            "AUTO_MIGRATE": True,
        }
    )
    database = app.extensions["maimai_probe.db"]
    with app.app_context(), database.session() as session:
        demo_data.seed(session, 1760000000)
    database.dispose()


def start(
    interpreter: Interpreter, driver: str, mode: str, path: str, postgresql: str = ""
) -> Dict[str, Any]:
    """Start the driver once; return what it said, with spawn → answer in ms."""
    env = dict(interpreter.env, DATABASE_URL=postgresql) if mode == "app-pg" else interpreter.env
    spawned = time.time()
    done = subprocess.run(
        interpreter.command + [driver, mode, path],
        env=env,
        cwd=interpreter.env["HOME"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError("%s %s %s: %s" % (interpreter.name, mode, path, done.stderr[-2000:]))
    said = json.loads(done.stdout.strip().splitlines()[-1])
    if said["status"] != 200:
        raise RuntimeError("%s %s %s answered %s" % (interpreter.name, mode, path, said))
    said["answer_ms"] = (said["answered_at"] - spawned) * 1000
    return said


def interpreters(work: str, database: str, python36: str) -> List[Interpreter]:
    """Return the current .venv, CPython 3.6 with the layer and 3.13 with AWS's, if at hand."""
    sources = deploy.write_code_root(os.path.join(work, "sources"))  # as zipped before
    found = []
    if os.path.exists(python36):
        if not LAYER_ZIP.exists():
            subprocess.run(
                [sys.executable, str(ROOT / "layer" / "build.py"), "--python36", python36],
                check=True,
            )
        layer = smoke.unpack(str(LAYER_ZIP), os.path.join(work, "opt"), "")
        # The code as tencent/deploy.py zips it: bytecode and templates compiled by 3.6.
        code = deploy.write_code_root(os.path.join(work, "code"))
        deploy.compile_code_root(code, python36, str(LAYER_ZIP))
        for name, folder in (("code as deployed", code), ("code as sources only", sources)):
            found.append(
                Interpreter(
                    "CPython 3.6 + layer (%s)" % name,
                    [python36, "-S"],
                    environment(work, database, [layer, folder]),
                )
            )
    else:
        print("!!! no CPython 3.6 at %s: its rows are skipped" % python36, file=sys.stderr)
    found.extend(lambda_interpreters(work, database))
    compiled = deploy.write_code_root(os.path.join(work, "code-venv"))
    deploy.compile_code_root(compiled, sys.executable)  # with the .venv's own Jinja
    found.append(
        Interpreter(
            "CPython %s .venv (code as deployed)" % platform.python_version(),
            [sys.executable],
            environment(work, database, [compiled]),
        )
    )
    return found


def lambda_interpreters(work: str, database: str) -> List[Interpreter]:
    """Return CPython 3.13 on the AWS zips aws/build.py writes: as built, and sources only.

    The layer is built (pip, the network) when it is missing; the function zip is built here.
    Without a CPython 3.13 or the layer the rows are skipped, loudly.
    """
    aws_build = load_aws_build()
    python = aws_build.find_python()
    if python is None:
        print(
            "!!! no CPython %s: the AWS rows are skipped" % aws_build.LAMBDA_PYTHON, file=sys.stderr
        )
        return []
    if not os.path.exists(aws_build.LAYER_ZIP):
        try:
            aws_build.build_layer(python=python)
        except (OSError, subprocess.CalledProcessError, aws_build.BuildError) as error:
            print(
                "!!! the AWS layer could not be built (%s): its rows are skipped" % error,
                file=sys.stderr,
            )
            return []
    function_zip = aws_build.build_function(
        os.path.join(work, "aws-function.zip"), python=python, layer_zip=aws_build.LAYER_ZIP
    )
    found = []
    for name, bytecode in (("zips as built", True), ("sources only", False)):
        root = os.path.join(work, "aws-" + name.split()[0])
        for archive, folder in ((function_zip, "task"), (aws_build.LAYER_ZIP, "opt")):
            with zipfile.ZipFile(archive) as opened:
                opened.extractall(os.path.join(root, folder))
        if not bytecode:  # the zips as they were before: no .pyc, no compiled templates
            for directory, subdirectories, _ in os.walk(root):
                for folder in [name for name in subdirectories if name in ("__pycache__",)]:
                    shutil.rmtree(os.path.join(directory, folder))
            shutil.rmtree(os.path.join(root, "task", "maimai_probe", "web", "compiled"))
        code = [os.path.join(root, "opt", "python"), os.path.join(root, "task")]
        found.append(
            Interpreter(
                "CPython %s + AWS layer (%s)" % (platform_version(python), name),
                [python, "-S"],
                environment(work, database, code),
            )
        )
    return found


def load_aws_build() -> Any:
    """Import aws/build.py, a script outside the packages."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("aws_build", str(ROOT / "aws" / "build.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def platform_version(python: str) -> str:
    """Return an interpreter's version, as platform.python_version() says it."""
    done = subprocess.run(
        [python, "-S", "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def measure(runs: int, python36: str, postgresql: str = "") -> common.Table:
    """Start every case runs times on each interpreter, interleaved; medians beside the baseline."""
    work = tempfile.mkdtemp(prefix="bench-cold-")
    cases = CASES + ((POSTGRESQL_CASE,) if postgresql else ())
    pg_url = ""
    try:
        database = os.path.join(work, "cold.sqlite3")
        prepare_database(database)
        if postgresql:
            pg_url = common.recreate_database(postgresql, POSTGRESQL_DATABASE)
            prepare_database(pg_url)
        driver = os.path.join(work, "driver.py")
        with open(driver, "w", encoding="utf-8") as handle:
            handle.write(DRIVER)
        rows = []
        for interpreter in interpreters(work, database, python36):
            for _, mode, path in cases:  # warm the file system cache, untimed
                start(interpreter, driver, mode, path, pg_url)
            said = {case: [] for case in cases}  # type: Dict[Tuple[str, str, str], List[Any]]
            for _ in range(runs):
                for case in cases:
                    said[case].append(start(interpreter, driver, case[1], case[2], pg_url))
            rows.extend(rows_of(interpreter, said))
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if pg_url:
            common.drop_database(postgresql, POSTGRESQL_DATABASE)
    notes = [
        "ms, median of %d fresh processes per case, the cases interleaved. *spawn → answer*: "
        "from just before the process starts to the handler's return (wall clock); *CPU*: "
        "the process's CPU time at that moment (time.process_time, interpreter start "
        "included), steadier than the wall clock on a shared machine; *import*: the "
        "driver's imports and create_app; *first response*: the handler's first call; "
        "*heavy modules*: which of SQLAlchemy (core, ORM), jieba, Alembic, bs4 were loaded "
        "once it answered." % runs,
        "Goals (issue 17): `/hello` ≤ %.1f× and a record page ≤ %.1f× the baseline's "
        "spawn → answer; on CPython 3.6 with the layer, a record page ≤ %.1f s."
        % (GOALS["/hello/bench"], GOALS["/players/demo/plays"], GOAL_36_SECONDS),
        "Each driver answers a Tencent API Gateway event (Accept-Encoding: br) with "
        "APP_ENV=production, AUTO_MIGRATE=0 on a SQLite file migrated and seeded with the "
        "demo player beforehand (the PostgreSQL case: PostgreSQL 15 on this machine, "
        "psycopg2), PYTHONDONTWRITEBYTECODE=1. 3.6: `%s -S`, "
        "PYTHONPATH=<unpacked %s>:<code>, unpacked with each entry's time as unzip does."
        % (os.path.relpath(python36, str(ROOT)), LAYER_ZIP.name),
    ]
    columns = (
        "interpreter",
        "driver",
        "spawn → answer ms",
        "× baseline",
        "CPU ms",
        "CPU × baseline",
        "import ms",
        "first response ms",
        "modules",
        "heavy modules",
    )
    return common.Table("Cold start: spawn → first answer", columns, rows, notes)


def rows_of(interpreter: Interpreter, said: Dict[Tuple[str, str, str], List[Any]]) -> List[Any]:
    """Return one row per case: medians, and ratios to the baseline's medians."""
    median = statistics.median
    base = said[CASES[0]]
    base_answer = median(run["answer_ms"] for run in base)
    base_cpu = median(run["cpu_ms"] for run in base)
    rows = []
    for case in said:
        runs = said[case]
        answer = median(run["answer_ms"] for run in runs)
        cpu = median(run["cpu_ms"] for run in runs)
        rows.append(
            (
                interpreter.name,
                case[0],
                answer,
                answer / base_answer,
                cpu,
                cpu / base_cpu,
                median(run["import_ms"] for run in runs),
                median(run["first_ms"] for run in runs),
                runs[-1]["modules"],
                ", ".join(runs[-1]["heavy"]) or "none",
            )
        )
    return rows


def importtime(top: int, runs: int) -> common.Table:
    """Return `python -X importtime`'s top contributors of importing serverless_handler."""
    work = tempfile.mkdtemp(prefix="bench-importtime-")
    seen = {}  # type: Dict[str, List[Tuple[int, int]]]
    totals = []
    try:
        database = os.path.join(work, "cold.sqlite3")
        prepare_database(database)
        env = environment(work, database, [str(ROOT / "src")])
        for _ in range(runs):
            done = subprocess.run(
                [sys.executable, "-X", "importtime", "-c", "import serverless_handler"],
                env=env,
                cwd=work,
                capture_output=True,
                text=True,
                check=True,
            )
            total = 0
            for line in done.stderr.splitlines():
                if not line.startswith("import time:") or "cumulative" in line:
                    continue
                own, cumulative, name = line[len("import time:") :].split("|")
                seen.setdefault(name.rstrip(), []).append((int(own), int(cumulative)))
                total += int(own)
            totals.append(total)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    median = statistics.median
    entries = [
        (name, median(own for own, _ in times), median(cumulative for _, cumulative in times))
        for name, times in seen.items()
    ]
    rows = [
        (name.strip(), (len(name) - len(name.lstrip())) // 2, own / 1000, cumulative / 1000)
        for name, own, cumulative in sorted(entries, key=lambda entry: -entry[2])[:top]
    ]
    notes = [
        "`python -X importtime -c 'import serverless_handler'` (create_app included), Python "
        "%s, median of %d runs per module: %d modules, %.0f ms of imports in all."
        % (platform.python_version(), runs, len(entries), median(totals) / 1000),
    ]
    return common.Table(
        "Cold start: top %d imports by cumulative time" % top,
        ("module", "depth", "self ms", "cumulative ms"),
        rows,
        notes,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs")
    parser.add_argument("--runs", type=int, default=0, help="processes per case (default 7)")
    parser.add_argument("--importtime", action="store_true", help="also -X importtime's top")
    parser.add_argument(
        "--postgresql",
        default=os.environ.get("BENCH_DATABASE_URL", ""),
        help="an admin URL of a PostgreSQL server: also the record page on it",
    )
    parser.add_argument(
        "--python36",
        default=str(ROOT / ".venv36" / "bin" / "python"),
        help="a CPython 3.6 interpreter (the .venv36 one; -S keeps its packages out)",
    )
    options = parser.parse_args()
    runs = options.runs or (3 if options.quick else 7)
    print("load average %.2f %.2f %.2f at start" % os.getloadavg(), flush=True)
    common.show(measure(runs, options.python36, options.postgresql))
    if options.importtime:
        common.show(importtime(25, runs))
    print("load average %.2f %.2f %.2f at end" % os.getloadavg(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
