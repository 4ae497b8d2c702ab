"""Serverless handler: per-invocation overhead against serverless-wsgi and apig-wsgi; cold start.

    .venv/bin/python bench/handler.py [--quick] [--only overhead,cold,web] [--python36 PYTHON]

Overhead: one app on a temp SQLite file answers the same AWS events (API Gateway REST v1 and
HTTP API v2, from tests/fixtures/events) through flask_serverless.make_handler,
serverless_wsgi.handle_request and apig_wsgi.make_lambda_handler, and, as the baseline, as a
direct app(environ, start_response) call on Werkzeug's environ for the same request (body read
and closed, as a WSGI server would). Each figure is the median of interleaved repeats of a
timed loop, after a warm-up; overhead is the handler's time less the baseline's.

Web function against event function: both served over loopback HTTP, cold start (spawn to
the first answer) and per-request cost, on CPython 3.6 with the layer and on the current Python.

Cold start: a fresh interpreter runs a tiny driver that imports serverless_handler (the
deployed entry point) and answers one Tencent API Gateway event; on CPython 3.6 with the built
layer unpacked (no site-packages, PYTHONPATH=<layer>:src, as layer/smoke.py runs it) and on
the current Python's .venv. The baseline is a driver that imports only Flask and
flask_serverless and answers one request of a one-route app through the same handler.
"""

import argparse
import base64
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
from typing import Any, Callable, Dict, List, NamedTuple, Sequence, Tuple

ROOT = pathlib.Path(__file__).resolve().parents[1]
for _path in (str(ROOT), str(ROOT / "src")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from bench import common  # noqa: E402 - after the path is set, as a script
from bench.cold_start import DRIVER  # noqa: E402
from layer import smoke  # noqa: E402

EVENTS = ROOT / "tests" / "fixtures" / "events"
LAYER_ZIP = ROOT / "layer" / "dist" / "maimai-probe-layer-py36-tencent.zip"
SECTIONS = ("overhead", "cold", "web")

#: (what the row is, the path asked for, whether the real app answers it)
REQUESTS = (
    ("adapter alone: bare WSGI callable", "/hello/bench", False),
    ("trivial: /hello/<name>", "/hello/bench", True),
    ("static: /robots.txt", "/robots.txt", True),
    ("HTML: / (front page)", "/", True),
)
BARE_BODY = b"Hello, bench!"


def bare_app(environ: Dict[str, Any], start_response: Callable) -> List[bytes]:
    """Answer 13 bytes of text without a framework: what is left is the adapter's own time."""
    start_response(
        "200 OK",
        [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(BARE_BODY)))],
    )
    return [BARE_BODY]


class LambdaContext:
    """The few attributes of AWS Lambda's context object the adapters may read."""

    function_name = "maimai-probe"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    aws_request_id = "bench-request"
    log_group_name = "/aws/lambda/maimai-probe"
    log_stream_name = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 30000


class Variant(NamedTuple):
    """One way of answering an event: its name and a call that answers once."""

    name: str
    call: Callable[[], Any]


# --- per-invocation overhead ---------------------------------------------------------------


def load_event(name: str) -> Dict[str, Any]:
    with open(str(EVENTS / name), encoding="utf-8") as handle:
        return json.load(handle)


def rest_event(path: str) -> Dict[str, Any]:
    """Return the API Gateway REST (payload 1.0) fixture, asking for path with no query."""
    event = load_event("aws-rest.json")
    event["path"] = path
    event["pathParameters"] = {"proxy": path.lstrip("/")}
    event["requestContext"]["path"] = "/" + event["requestContext"]["stage"] + path
    event["queryStringParameters"] = None
    event["multiValueQueryStringParameters"] = None
    return event


def http_event(path: str) -> Dict[str, Any]:
    """Return the HTTP API (payload 2.0) fixture, asking for path with no query."""
    event = load_event("aws-http-v2.json")
    event["rawPath"] = path
    event["rawQueryString"] = ""
    event["requestContext"]["http"]["path"] = path
    event.pop("queryStringParameters", None)
    return event


def direct_environ(event: Dict[str, Any]) -> Dict[str, Any]:
    """Return Werkzeug's environ for the request an event carries, mounted where it is."""
    from werkzeug.test import EnvironBuilder

    headers = dict(event["headers"])
    if event.get("cookies"):
        headers["cookie"] = "; ".join(event["cookies"])
    headers.pop("content-length", None)
    host = headers.get("Host") or headers["host"]
    stage = event["requestContext"].get("stage", "")
    prefix = "" if stage in ("", "$default") else "/" + stage
    path = event.get("rawPath") or event["path"]
    builder = EnvironBuilder(path=path, base_url="https://" + host + prefix, headers=headers)
    try:
        return builder.get_environ()
    finally:
        builder.close()


def direct_call(app: Any, template: Dict[str, Any]) -> Callable[[], Tuple[str, bytes]]:
    """Return a call of app(environ, start_response) that reads the body and closes it."""
    import io

    def call() -> Tuple[str, bytes]:
        environ = dict(template)
        environ["wsgi.input"] = io.BytesIO(b"")
        started = []

        def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
            started.append(status)
            return None

        iterable = app(environ, start_response)
        try:
            body = b"".join(iterable)
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()
        return started[0], body

    return call


def answer_body(answer: Dict[str, Any]) -> bytes:
    """Return the bytes of a Lambda proxy answer's body."""
    body = answer.get("body") or ""
    return base64.b64decode(body) if answer.get("isBase64Encoded") else body.encode("utf-8")


def time_variants(variants: Sequence[Variant], repeats: int, target: float) -> Dict[str, float]:
    """Return each variant's median µs per call over interleaved repeats of a timed loop."""
    loops = {}
    for variant in variants:
        for _ in range(20):  # warm-up: caches, compiled templates, the static cache
            variant.call()
        started = time.perf_counter()
        count = 0
        while time.perf_counter() - started < target / 4 or count < 3:
            variant.call()
            count += 1
        per_call = (time.perf_counter() - started) / count
        loops[variant.name] = max(3, int(target / per_call))
    samples = {variant.name: [] for variant in variants}  # type: Dict[str, List[float]]
    for repeat in range(repeats):
        # CPU time, so other work on the machine is not counted; the order rotates.
        shift = repeat % len(variants)
        for variant in list(variants[shift:]) + list(variants[:shift]):
            number = loops[variant.name]
            call = variant.call
            started = time.process_time()
            for _ in range(number):
                call()
            samples[variant.name].append((time.process_time() - started) / number * 1e6)
    return {name: statistics.median(values) for name, values in samples.items()}


def overhead(quick: bool) -> common.Table:
    """Time each adapter and the direct call on the same app and events."""
    import apig_wsgi
    import serverless_wsgi

    import flask_serverless
    from maimai_probe import create_app

    repeats, target = (7, 0.01) if quick else (21, 0.02)
    work = tempfile.mkdtemp(prefix="bench-handler-")
    try:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": common.BENCH_SECRET,
                "DATABASE_URL": "sqlite:///" + os.path.join(work, "bench.sqlite3"),
                "AUTO_MIGRATE": True,
            }
        )
        context = LambdaContext()
        rows = []
        verdicts = []
        ratios = []  # type: List[Tuple[str, float]]
        for event_name, make_event in (("REST v1", rest_event), ("HTTP v2", http_event)):
            for label, path, real in REQUESTS:
                wsgi = app if real else bare_app
                ours = flask_serverless.make_handler(wsgi)
                apig = apig_wsgi.make_lambda_handler(wsgi, binary_support=True)
                event = make_event(path)
                direct = direct_call(wsgi, direct_environ(event))
                variants = [
                    Variant("direct", direct),
                    Variant("ours", lambda e=event, h=ours: h(e, context)),
                    Variant(
                        "serverless-wsgi",
                        lambda e=event, w=wsgi: serverless_wsgi.handle_request(w, e, context),
                    ),
                    Variant("apig-wsgi", lambda e=event, h=apig: h(e, context)),
                ]
                status, body = direct()
                if not status.startswith("200"):
                    raise RuntimeError("%s answered %s" % (path, status))
                for variant in variants[1:]:
                    answer = variant.call()
                    # The front page carries a fresh CSRF token: compare the others' bytes.
                    same = path == "/" or answer_body(answer) == body
                    if answer["statusCode"] != 200 or not same:
                        raise RuntimeError("%s answered %s differently" % (variant.name, path))
                times = time_variants(variants, repeats, target)
                base = times["direct"]
                over = {name: times[name] - base for name in times}
                verdicts.append(over["ours"] <= over["serverless-wsgi"])
                ratio = over["ours"] / over["apig-wsgi"] if over["apig-wsgi"] > 0 else float("nan")
                if not real:
                    ratios.append((event_name, ratio))
                rows.append(
                    (
                        event_name,
                        label,
                        len(body),
                        base,
                        times["ours"],
                        times["serverless-wsgi"],
                        times["apig-wsgi"],
                        over["ours"],
                        over["serverless-wsgi"],
                        over["apig-wsgi"],
                        ratio,
                        over["ours"] <= over["serverless-wsgi"],
                    )
                )
        app.extensions["maimai_probe.db"].dispose()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    notes = [
        "µs of CPU time (time.process_time) per invocation, median of %d interleaved repeats "
        "(order rotating) of a loop of ~%d ms each after 20 warm-up calls; overhead = the "
        "handler's µs − the direct call's. Python %s; serverless-wsgi %s, apig-wsgi %s "
        "(binary_support=True)."
        % (
            repeats,
            target * 1000,
            platform.python_version(),
            common.package_version("serverless-wsgi"),
            common.package_version("apig-wsgi"),
        ),
        "Same app (create_app on a temp SQLite file; the first rows a bare WSGI callable, "
        "so only the adapters' own work is left), same events (tests/fixtures/events "
        "aws-rest.json and aws-http-v2.json, path replaced, no query): each asks for "
        "gzip/deflate/br, so the front page goes out Brotli-compressed and base64 in every "
        "adapter. The direct call builds its environ once (Werkzeug's EnvironBuilder) and "
        "copies it per call.",
        "**Ours ≤ serverless-wsgi in %d of %d cells%s.**"
        % (
            sum(verdicts),
            len(verdicts),
            "" if all(verdicts) else " (the rest within noise: see the µs)",
        ),
        "**The handler's own cost on the bare WSGI callable, as a multiple of apig-wsgi's: %s "
        "(goal: at most 2×).**" % ", ".join("%s %.2f×" % (name, ratio) for name, ratio in ratios),
    ]
    columns = (
        "event",
        "request",
        "body bytes",
        "direct WSGI µs",
        "ours µs",
        "serverless-wsgi µs",
        "apig-wsgi µs",
        "ours overhead",
        "serverless-wsgi overhead",
        "apig-wsgi overhead",
        "ours ÷ apig-wsgi overhead",
        "ours ≤ serverless-wsgi",
    )
    return common.Table("Serverless handler: µs per invocation", columns, rows, notes)


# --- cold start ----------------------------------------------------------------------------

# Each fresh interpreter runs bench/cold_start.py's driver: the same start, timed alike.


class Interpreter(NamedTuple):
    """One interpreter to start cold: its name, command and environment."""

    name: str
    command: List[str]
    env: Dict[str, str]


def unpack_layer(folder: str) -> str:
    """Unpack the Tencent layer zip, building it first when layer/dist has none."""
    if not LAYER_ZIP.exists():
        subprocess.run([sys.executable, str(ROOT / "layer" / "build.py")], check=True)
    # As the platform unzips it, each file with its entry's time: its bytecode's stamp.
    return smoke.unpack(str(LAYER_ZIP), folder, "")


def layer_has_bytecode() -> bool:
    """Tell whether the built layer ships CPython 3.6 bytecode."""
    with zipfile.ZipFile(str(LAYER_ZIP)) as archive:
        return any(name.endswith(".cpython-36.pyc") for name in archive.namelist())


def base_environment(work: str, pythonpath: Sequence[str]) -> Dict[str, str]:
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
        "DATABASE_URL": "sqlite:///" + os.path.join(work, "cold.sqlite3"),
        "AUTO_MIGRATE": "0",
        "STATIC_FOLDER": str(ROOT / "static"),
    }


def cold_runs(interpreter: Interpreter, driver: str, mode: str, path: str, runs: int) -> Any:
    """Start the driver runs times; return the medians and what the last run said."""
    spawn_to_answer, wall, imports, first = [], [], [], []
    said = {}  # type: Dict[str, Any]
    for _ in range(runs):
        spawned = time.time()
        started = time.perf_counter()
        done = subprocess.run(
            interpreter.command + [driver, mode, path],
            env=interpreter.env,
            cwd=interpreter.env["HOME"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        wall.append((time.perf_counter() - started) * 1000)
        if done.returncode != 0:
            raise RuntimeError("%s %s %s: %s" % (interpreter.name, mode, path, done.stderr[-2000:]))
        said = json.loads(done.stdout.strip().splitlines()[-1])
        if said["status"] != 200:
            raise RuntimeError("%s %s %s answered %s" % (interpreter.name, mode, path, said))
        spawn_to_answer.append((said["answered_at"] - spawned) * 1000)
        imports.append(said["import_ms"])
        first.append(said["first_ms"])
    median = statistics.median
    return median(spawn_to_answer), median(imports), median(first), median(wall), said


def cold(quick: bool, python36: str) -> common.Table:
    """Start each interpreter cold for the baseline and the app; median of the runs."""
    runs = 3 if quick else 5
    work = tempfile.mkdtemp(prefix="bench-cold-")
    try:
        from maimai_probe import create_app

        database = os.path.join(work, "cold.sqlite3")
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": common.BENCH_SECRET,
                "DATABASE_URL": "sqlite:///" + database,
                "AUTO_MIGRATE": True,
            }
        )
        app.extensions["maimai_probe.db"].dispose()
        driver = os.path.join(work, "driver.py")
        with open(driver, "w", encoding="utf-8") as handle:
            handle.write(DRIVER)
        # The code as deployed: sources only, no bytecode beside them.
        code = os.path.join(work, "code")
        shutil.copytree(
            str(ROOT / "src"),
            code,
            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
        )
        interpreters = []
        if shutil.which(python36) or os.path.exists(python36):
            layer = unpack_layer(os.path.join(work, "opt"))
            env = base_environment(work, [layer, code])
            built = "with bytecode" if layer_has_bytecode() else "no bytecode"
            interpreters.append(
                Interpreter("CPython 3.6 + layer, as built (%s)" % built, [python36, "-S"], env)
            )
            compiled = os.path.join(work, "opt-compiled")
            shutil.copytree(layer, compiled)
            subprocess.run(
                [python36, "-m", "compileall", "-q", compiled, code],
                check=False,
                capture_output=True,
            )
            interpreters.append(
                Interpreter(
                    "CPython 3.6 + layer, layer and code compiled beforehand",
                    [python36, "-S"],
                    dict(env, PYTHONPATH=os.pathsep.join([compiled, code])),
                )
            )
        venv_code = os.path.join(work, "code-venv")
        shutil.copytree(code, venv_code, ignore=shutil.ignore_patterns("__pycache__"))
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", venv_code], check=False, capture_output=True
        )
        interpreters.append(
            Interpreter(
                "CPython %s .venv (bytecode compiled)" % platform.python_version(),
                [sys.executable],
                base_environment(work, [venv_code]),
            )
        )
        cases = (
            ("baseline: Flask + flask_serverless, one route", "bare", "/"),
            ("app: serverless_handler, GET /", "app", "/"),
            ("app: serverless_handler, GET /hello/bench", "app", "/hello/bench"),
        )
        rows = []
        for interpreter in interpreters:
            for label, mode, path in cases:
                answer, imports, first, wall, said = cold_runs(
                    interpreter, driver, mode, path, runs
                )
                rows.append(
                    (
                        interpreter.name,
                        label,
                        answer,
                        imports,
                        first,
                        wall,
                        said["modules"],
                        "jieba" in said["heavy"],
                    )
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    notes = [
        "ms, median of %d fresh processes each. *spawn → answer*: from just before the "
        "subprocess starts to the moment the handler returned (wall clock); *import*: the "
        "driver's imports and app from its first line (time.perf_counter); *first response*: "
        "the handler's first call; *process*: the whole subprocess, exit included." % runs,
        "Each driver answers a Tencent API Gateway event (Accept-Encoding: br) on a SQLite "
        "file migrated beforehand (AUTO_MIGRATE=0), APP_ENV=production, "
        "PYTHONDONTWRITEBYTECODE=1 and the code copied without __pycache__, as on the "
        "read-only function file system. 3.6: `%s -S`, PYTHONPATH=<unpacked %s>:<code>, "
        "unpacked with each entry's time as unzip does and as layer/smoke.py runs it; the "
        "second 3.6 row ran `compileall` on the layer and the code first (what the layer "
        "already holds is up to date and left as is), to show what bytecode still saves."
        % (os.path.relpath(python36, str(ROOT)), LAYER_ZIP.name),
    ]
    columns = (
        "interpreter",
        "driver",
        "spawn → answer ms",
        "import ms",
        "first response ms",
        "process ms",
        "modules",
        "jieba loaded",
    )
    return common.Table("Serverless handler: cold start", columns, rows, notes)


#: The event function as a loopback HTTP server: each request becomes a function URL event, as
#: Tencent's front sends it, answered by serverless_handler.handler. Python 3.6 syntax.
EVENT_FRONT = r"""
import base64, json, os, sys, time
from http.server import BaseHTTPRequestHandler, HTTPServer
from socketserver import ThreadingMixIn
from serverless_handler import handler

class Front(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go in separate writes

    def do_GET(self):
        path, _, query = self.path.partition("?")
        headers = {k.lower(): v for k, v in self.headers.items()}
        headers["x-scf-remote-addr"] = self.client_address[0]
        event = {"httpMethod": "GET", "path": path, "headers": headers, "body": "",
                 "queryString": dict(p.split("=", 1) for p in query.split("&") if "=" in p)}
        answer = handler(event, {"request_id": "bench"})
        body = answer.get("body", "").encode("utf-8")
        if answer.get("isBase64Encoded"):
            body = base64.b64decode(body)
        self.send_response(answer["statusCode"])
        for name, value in answer.get("headers", {}).items():
            for item in (value if isinstance(value, list) else [value]):
                if name.lower() not in ("content-length", "connection"):
                    self.send_header(name, item)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

class Server(ThreadingMixIn, HTTPServer):
    daemon_threads = True

Server(("127.0.0.1", int(os.environ["WEB_PORT"])), Front).serve_forever()
"""


def free_port() -> int:
    """Return a loopback port nobody listens on now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_and_time(command: List[str], env: Dict[str, str], paths: Sequence[str], n: int) -> Any:
    """Start a server, time spawn → first 200 on GET /, then n requests per path; stop it."""
    import http.client

    port = free_port()
    env = dict(env, WEB_PORT=str(port))
    spawned = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=env["HOME"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError("%s exited: %s" % (command, process.stderr.read()[-2000:]))
            if time.perf_counter() - spawned > 60:
                raise RuntimeError("%s did not answer within 60 s" % command)
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                connection.request("GET", "/", headers={"Accept-Encoding": "br"})
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    break
            except OSError:
                time.sleep(0.005)
        cold_ms = (time.perf_counter() - spawned) * 1000
        per_request = {}
        for path in paths:
            timings = []
            for index in range(n + 10):
                started = time.perf_counter()
                connection.request("GET", path, headers={"Accept-Encoding": "br"})
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    raise RuntimeError("%s answered %s for %s" % (command, response.status, path))
                if index >= 10:  # after a warm-up
                    timings.append((time.perf_counter() - started) * 1000)
            per_request[path] = statistics.median(timings)
        connection.close()
        return cold_ms, per_request
    finally:
        process.terminate()
        process.wait(20)


def web_vs_event(quick: bool, python36: str) -> common.Table:
    """Measure the Web function against the event function, both over loopback HTTP."""
    runs, n = (2, 100) if quick else (3, 300)
    paths = ("/hello/bench", "/")
    work = tempfile.mkdtemp(prefix="bench-web-")
    try:
        from maimai_probe import create_app

        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": common.BENCH_SECRET,
                "DATABASE_URL": "sqlite:///" + os.path.join(work, "cold.sqlite3"),
                "AUTO_MIGRATE": True,
            }
        )
        app.extensions["maimai_probe.db"].dispose()
        code = os.path.join(work, "code")
        shutil.copytree(
            str(ROOT / "src"), code, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
        )
        front = os.path.join(work, "event_front.py")
        with open(front, "w", encoding="utf-8") as handle:
            handle.write(EVENT_FRONT)
        interpreters = []
        if shutil.which(python36) or os.path.exists(python36):
            layer = unpack_layer(os.path.join(work, "opt"))
            env = base_environment(work, [layer, code])
            interpreters.append(("CPython 3.6 + layer", [python36, "-S"], env))
        interpreters.append(
            (
                "CPython %s .venv" % platform.python_version(),
                [sys.executable],
                base_environment(work, [code]),
            )
        )
        kinds = (
            ("Web function: waitress (src/web_function.py)", ["-m", "web_function"]),
            ("event function: handler behind a stdlib HTTP front", [front]),
        )
        rows = []
        for name, command, env in interpreters:
            env = dict(env, WEB_THREADS="4")
            for kind, arguments in kinds:
                colds, per = [], {path: [] for path in paths}
                for _ in range(runs):
                    cold_ms, per_request = serve_and_time(command + arguments, env, paths, n)
                    colds.append(cold_ms)
                    for path in paths:
                        per[path].append(per_request[path])
                rows.append(
                    [name, kind, statistics.median(colds)]
                    + [statistics.median(per[path]) for path in paths]
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    notes = [
        "*cold start*: from just before the process is spawned to the first 200 answer to "
        "GET / over loopback HTTP (the client polls every 5 ms), median of %d starts; "
        "*per request*: wall-clock ms of one GET (Accept-Encoding: br) on a kept-alive "
        "connection, client included, median of %d after 10 warm-up requests." % (runs, n),
        "The event function has no server of its own: SCF's front turns each request into an "
        "event. Here a stdlib HTTP server in the same process plays that part (the request as a "
        "function URL event, the answer back as HTTP), so its rows include that front's cost "
        "as well as the handler's. Same app, SQLite migrated beforehand, APP_ENV=production, "
        "the code without bytecode, 3.6 with the unpacked layer at -S as on the platform.",
    ]
    columns = (
        "interpreter",
        "function",
        "cold start ms",
        "per request ms: /hello/bench",
        "per request ms: / (front page)",
    )
    return common.Table("Web function against event function", columns, rows, notes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and runs")
    parser.add_argument("--only", default=",".join(SECTIONS), help="overhead,cold,web")
    parser.add_argument(
        "--python36",
        default=str(ROOT / ".venv36" / "bin" / "python"),
        help="a CPython 3.6 interpreter (the .venv36 one; -S keeps its packages out)",
    )
    options = parser.parse_args()
    wanted = [name.strip() for name in options.only.split(",") if name.strip()]
    print(
        "%s; %s cores, %s, %s; load average %.2f %.2f %.2f at start"
        % (
            (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), os.cpu_count())
            + (common.memory_total(), common.cpu_model())
            + os.getloadavg()
        ),
        flush=True,
    )
    if "overhead" in wanted:
        common.show(overhead(options.quick))
    if "cold" in wanted:
        common.show(cold(options.quick, options.python36))
    if "web" in wanted:
        common.show(web_vs_event(options.quick, options.python36))
    print("load average %.2f %.2f %.2f at end" % os.getloadavg(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
