"""Serve a page from the built layer on its CPython (3.6 or 3.10), as the cloud function runs it.

    python layer/smoke.py [--python-version 3.6|3.10] [--python PYTHON] [--dist-dir layer/dist]

Unpacks each layer zip (Tencent: packages at the root; AWS: under python/) into a temp folder
and runs the real CPython 3.6 with no venv and no site-packages (-S), PYTHONPATH=<layer>:src:

- every locked distribution imports from the layer, at its locked version, C extensions too;
- no source in the layer has stale bytecode: each __pycache__/*.cpython-36.pyc is stamped with
  its source's mtime and size as unpacked, so CPython loads it instead of compiling the source;
- pip finds the layer's dependency closure complete for Python 3.6;
- serverless_handler.handler answers a Tencent API Gateway event for the home page: 200, HTML,
  Brotli-compressed. On TEST_DATABASE_URL's PostgreSQL when set (psycopg2 from the layer),
  else on SQLite.

Exit status: 0 passed, 1 failed, 75 skipped (src/serverless_handler.py absent; a failure
under CI=true). Standard library only, Python 3.6 syntax: the same file runs the checks inside.
"""

import argparse
import base64
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SRC = os.path.join(ROOT, "src")
LOCK = os.path.join(HERE, "requirements.lock")
#: Each runtime's lock: the 3.6 layer keeps the historical name.
LOCKS = {"3.6": LOCK, "3.10": os.path.join(HERE, "requirements-py310.lock")}
DIST = os.path.join(HERE, "dist")
FLAVOURS = (("tencent", ""), ("aws", "python"))
SKIPPED = 75

# Modules whose import proves a distribution (and its compiled parts) loads from the layer.
MODULES = [
    "flask",
    "werkzeug",
    "jinja2",
    "markupsafe._speedups",
    "itsdangerous",
    "click",
    "sqlalchemy",
    "greenlet",
    "psycopg2",
    "psycopg2._psycopg",
    "brotli",
    "_brotli",
    "flask_compress",
    "jieba",
    "alembic",
    "mako",
    "bs4",
    "soupsieve",
    "typing_extensions",
]
#: Modules only one runtime's closure has: the back-ports 3.6 needs, SQLAlchemy 1.4's or
#: 2.0's compiled parts, the newer Flask's and Flask-Compress's dependencies.
MODULES_OF = {
    "3.6": [
        "sqlalchemy.cprocessors",
        "importlib_metadata",
        "importlib_resources",
        "dataclasses",
        "zipp",
    ],
    "3.10": ["sqlalchemy.cyextension.processors", "blinker", "backports.zstd"],
}


def target_version():
    """Return the runtime the layer is for ("3.6", "3.10"), as the outside passes it on."""
    return os.environ.get("LAYER_PYTHON_VERSION") or "3.6"


def locked_versions():
    """Return {name: version} of every distribution in the runtime's lock."""
    with open(LOCKS[target_version()], encoding="utf-8") as f:
        return dict(re.findall(r"^([A-Za-z0-9._-]+)==(\S+)", f.read(), re.M))


def in_ci():
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


# --- inside: CPython 3.6, -S, PYTHONPATH=<layer>:src ----------------------------------------


def tencent_event(path):
    """Return a Tencent API Gateway event for GET path, asking for Brotli."""
    return {
        "requestContext": {
            "serviceId": "service-smoke",
            "path": "/",
            "httpMethod": "ANY",
            "requestId": "smoke-request",
            "identity": {},
            "sourceIp": "127.0.0.1",
            "stage": "release",
        },
        "headers": {
            "accept": "text/html",
            "accept-encoding": "br",
            "host": "service-smoke.gz.apigw.tencentcs.com",
            "user-agent": "layer-smoke",
        },
        "body": "",
        "pathParameters": {},
        "queryStringParameters": {},
        "headerParameters": {},
        "stageVariables": {"stage": "release"},
        "path": path,
        "queryString": {},
        "httpMethod": "GET",
    }


def check(condition, message):
    if not condition:
        raise AssertionError(message)
    print("  ok  " + message)


def bytecode_states(layer, tag=None, magic=None):
    """Sort the layer's sources by their bytecode: ([fresh], [missing], [stale]).

    Fresh is what the import system checks before it uses a .pyc: the magic number (this
    interpreter's unless given), then the source's mtime and size as the unpacked file's stat
    shows them. tag names the .pyc files (__pycache__/<name>.<tag>.pyc; this interpreter's).
    """
    import importlib.util

    tag = tag or sys.implementation.cache_tag
    magic = magic or importlib.util.MAGIC_NUMBER
    # The header of the pyc's own Python (cpython-36: magic, mtime, size; 3.7 on: a flags
    # word before them), whichever interpreter reads it.
    digits = tag.rpartition("-")[2]
    new_header = not (digits.isdigit() and digits.startswith("3") and int(digits[1:]) < 7)
    states = {"fresh": [], "missing": [], "stale": []}
    for folder, dirs, files in os.walk(layer):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            source = os.path.join(folder, name)
            relative = os.path.relpath(source, layer)
            cached = os.path.join(folder, "__pycache__", "%s.%s.pyc" % (name[:-3], tag))
            try:
                with open(cached, "rb") as f:
                    header = f.read(16)
            except FileNotFoundError:
                states["missing"].append(relative)
                continue
            info = os.stat(source)
            stamp = (int(info.st_mtime) & 0xFFFFFFFF, info.st_size & 0xFFFFFFFF)
            good = header[:4] == magic
            if new_header:  # a flags word, 0 for stamps, then the stamp
                good = good and header[4:8] == b"\0\0\0\0"
                good = good and struct.unpack("<II", header[8:16]) == stamp
            else:
                good = good and struct.unpack("<II", header[4:12]) == stamp
            states["fresh" if good else "stale"].append(relative)
    return states["fresh"], states["missing"], states["stale"]


def inside(layer):
    """Run the checks in the interpreter the outside started."""
    version = target_version()
    check("%d.%d" % sys.version_info[:2] == version, "CPython %s.%s" % sys.version_info[:2])
    check(not any("site-packages" in p for p in sys.path), "no site-packages on sys.path")

    import importlib

    for name in MODULES + MODULES_OF[version]:
        module = importlib.import_module(name)
        where = os.path.abspath(module.__file__)
        check(where.startswith(layer + os.sep), "import %s from the layer" % name)

    if sys.version_info >= (3, 8):
        import importlib.metadata as importlib_metadata
    else:
        import importlib_metadata

    for name, locked in sorted(locked_versions().items()):
        dist = importlib_metadata.distribution(name)
        found = os.path.abspath(str(dist.locate_file("")))
        check(
            dist.version == locked and found == layer,
            "%s %s from the layer (found %s in %s)" % (name, locked, dist.version, found),
        )

    fresh, missing, stale = bytecode_states(layer)
    check(
        not stale,
        "no stale bytecode in the layer" + (": %s" % ", ".join(stale[:5]) if stale else ""),
    )
    if fresh:
        check(
            len(fresh) > 10 * len(missing),
            "%d sources with bytecode CPython %s loads as is, %d without (%s)"
            % (len(fresh), version, len(missing), ", ".join(missing[:3])),
        )
    else:
        print("  --  the layer holds no bytecode: each cold start compiles it from source")

    import brotli
    import bs4
    import jieba

    check(brotli.decompress(brotli.compress(b"maimai" * 100)) == b"maimai" * 100, "brotli")
    words = jieba.lcut("舞萌DX查分器")
    check("".join(words) == "舞萌DX查分器" and len(words) > 1, "jieba cuts %s" % "/".join(words))
    soup = bs4.BeautifulSoup('<div class="music_name_block">系ぎて</div>', "html.parser")
    check(soup.select_one(".music_name_block").text == "系ぎて", "bs4 + soupsieve select")

    if not os.path.exists(os.path.join(SRC, "serverless_handler.py")):
        print("SKIPPED: src/serverless_handler.py does not exist yet: no page served")
        return SKIPPED
    import serverless_handler

    response = serverless_handler.handler(tencent_event("/"), {"request_id": "smoke"})
    status = response.get("statusCode")
    headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
    check(status == 200, "GET / through serverless_handler.handler: status %s" % status)
    encoding = headers.get("content-encoding")
    check(encoding == "br", "Content-Encoding %s, as the event asked" % encoding)
    check(response.get("isBase64Encoded") is True, "the compressed body is base64-encoded")
    page = brotli.decompress(base64.b64decode(response["body"])).decode("utf-8")
    check("<html" in page.lower(), "the body is an HTML page of %d characters" % len(page))
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        connection = sys.modules.get("psycopg2._psycopg")
        check(connection is not None, "the page was served from PostgreSQL through psycopg2")
    else:
        print("  --  served from SQLite: set TEST_DATABASE_URL to go through psycopg2")
    return 0


# --- outside: unpack, then run the inside on CPython 3.6 -------------------------------------


def entry_mtime(info):
    """Return the mtime Info-ZIP's unzip gives an entry: its extended timestamp (UTC), when it
    has one, else its DOS date and time read as local time."""
    extra = info.extra
    while len(extra) >= 4:
        tag, size = struct.unpack("<HH", extra[:4])
        body = extra[4 : 4 + size]
        if tag == 0x5455 and size >= 5 and body[0] & 1:
            return struct.unpack("<l", body[1:5])[0]
        extra = extra[4 + size :]
    return int(time.mktime(info.date_time + (0, 0, -1)))


def unpack(zip_path, folder, prefix):
    """Unpack a layer zip and return the folder its packages land in (its /opt entry).

    zipfile's extractall leaves every file with the time it was written; the platforms unzip
    the layer with the entries' times, which the stamps in the layer's bytecode rely on, so
    each file and folder gets its entry's mtime here, as unzip gives it.
    """
    with zipfile.ZipFile(zip_path) as archive:
        infos = archive.infolist()
        stray = [i.filename for i in infos if prefix and not i.filename.startswith(prefix + "/")]
        if stray:
            raise SystemExit("%s: entries outside %s/: %s" % (zip_path, prefix, stray[:5]))
        archive.extractall(folder)
        for info in sorted(infos, key=lambda i: i.filename, reverse=True):  # files, then folders
            mtime = entry_mtime(info)
            os.utime(os.path.join(folder, *info.filename.rstrip("/").split("/")), (mtime, mtime))
    return os.path.realpath(os.path.join(folder, prefix) if prefix else folder)


def environment(layer, data_dir):
    """Return the environment of the function: the layer and src on the path, and nothing else."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": data_dir,
        "TMPDIR": data_dir,
        "LANG": "C.UTF-8",
        "LAYER_PYTHON_VERSION": target_version(),
        "PYTHONPATH": os.pathsep.join([layer, SRC]),
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",  # /opt is read-only on the platforms
        "APP_ENV": "production",
        "SECRET_KEY": base64.b64encode(os.urandom(24)).decode(),
        "DATA_DIR": data_dir,
    }
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        env.update(DATABASE_URL=url, AUTO_MIGRATE="true")
    return env


def reset_test_database(url):
    """Empty the test database's schema, as the test suite does, so old revisions cannot linger."""
    import psycopg2  # the outside runs in the project's venv, which has it

    connection = psycopg2.connect(url)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    finally:
        connection.close()


def run_flavour(python, zip_path, prefix):
    """Check one zip; return the inside's exit status."""
    if os.environ.get("TEST_DATABASE_URL"):
        reset_test_database(os.environ["TEST_DATABASE_URL"])
    work = tempfile.mkdtemp(prefix="layer-smoke-")
    try:
        layer = unpack(zip_path, os.path.join(work, "opt"), prefix)
        data_dir = os.path.join(work, "tmp")
        os.makedirs(data_dir)
        env = environment(layer, data_dir)
        print("pip check of the layer's closure on %s" % python)
        # pip lives in the interpreter's own site-packages, so this one run keeps it (no -S).
        if subprocess.call([python, "-m", "pip", "check"], env=env, cwd=data_dir) != 0:
            return 1
        command = [python, "-S", os.path.abspath(__file__), "--inside", layer]
        return subprocess.call(command, env=env, cwd=data_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python-version", default="3.6", choices=sorted(LOCKS))
    parser.add_argument("--python", help="a CPython of that version (default: pythonX.Y)")
    parser.add_argument("--dist-dir", default=DIST, help="where the built zips are")
    parser.add_argument("--inside", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inside:
        try:
            return inside(args.inside)
        except AssertionError as error:
            print("FAILED: %s" % error)
            return 1
    python = args.python or "python" + args.python_version
    os.environ["LAYER_PYTHON_VERSION"] = args.python_version  # the inside's environment too
    results = []
    for flavour, prefix in FLAVOURS:
        digits = args.python_version.replace(".", "")
        zip_path = os.path.join(args.dist_dir, "maimai-probe-layer-py%s-%s.zip" % (digits, flavour))
        if not os.path.exists(zip_path):
            print("FAILED: %s does not exist: run python layer/build.py" % zip_path)
            return 1
        print("== %s layer: %s" % (flavour, zip_path))
        results.append(run_flavour(python, zip_path, prefix))
    if any(r not in (0, SKIPPED) for r in results):
        print("layer smoke test FAILED")
        return 1
    if SKIPPED in results:
        print("layer smoke test SKIPPED: src/serverless_handler.py does not exist yet")
        return 1 if in_ci() else SKIPPED
    print("layer smoke test passed: %s" % json.dumps([f for f, _ in FLAVOURS]))
    return 0


if __name__ == "__main__":
    if "--inside" in sys.argv:
        del sys.path[0]  # this folder (layer/) is not on the function's path
    sys.exit(main())
