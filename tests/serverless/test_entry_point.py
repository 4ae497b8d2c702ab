"""serverless_handler: the app built once per container, cheap to import and to keep warm."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

from .serverless_demo import load_event

pytest.importorskip("maimai_probe.db", reason="the app's own dependencies are not installed")

ROOT = pathlib.Path(__file__).resolve().parents[2]

#: Runs in a fresh interpreter, as a container would: import once, then invoke.
CONTAINER = """
import json, os, sys

import maimai_probe

builds = []
original = maimai_probe.create_app


def counting_create_app(*args, **kwargs):
    builds.append(1)
    return original(*args, **kwargs)


maimai_probe.create_app = counting_create_app

import serverless_handler

report = {
    "jieba_after_import": "jieba" in sys.modules,
    "database_after_import": os.path.exists(os.environ["DATABASE_FILE"]),
}
with open(sys.argv[1], encoding="utf-8") as file:
    report["timer"] = serverless_handler.handler(json.load(file), {"request_id": "timer-1"})
report["jieba_after_timer"] = "jieba" in sys.modules
report["database_after_timer"] = os.path.exists(os.environ["DATABASE_FILE"])
with open(sys.argv[2], encoding="utf-8") as file:
    event = json.load(file)
report["pages"] = [
    serverless_handler.handler(event, {"request_id": "page-%d" % n}) for n in range(3)
]
report["builds"] = len(builds)
print(json.dumps(report))
"""


@pytest.fixture(scope="module")
def container(tmp_path_factory):
    """Import the entry point in a fresh interpreter, send a timer, then a page three times."""
    folder = tmp_path_factory.mktemp("container")
    timer = folder / "timer.json"
    timer.write_text(json.dumps(load_event("tencent-timer.json")), encoding="utf-8")
    page = load_event("tencent-apigw-get.json")
    page.update(path="/robots.txt", queryString={}, queryStringParameters={})
    page_file = folder / "page.json"
    page_file.write_text(json.dumps(page), encoding="utf-8")
    database = folder / "probe.sqlite3"
    environment = dict(
        os.environ,
        PYTHONPATH=str(ROOT / "src"),
        APP_ENV="production",
        SECRET_KEY="a-long-random-secret-for-the-entry-point-test",
        DATABASE_URL="sqlite:///%s" % database,
        DATABASE_FILE=str(database),
    )
    result = subprocess.run(
        [sys.executable, "-c", CONTAINER, str(timer), str(page_file)],
        cwd=str(folder),
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # the report is the last line; logs come before it
        timeout=120,
        check=False,
    )
    output = result.stdout.decode("utf-8")
    assert result.returncode == 0, output
    return json.loads(output.strip().splitlines()[-1])


def test_the_app_is_built_once_per_container(container):
    assert container["builds"] == 1
    assert [page["statusCode"] for page in container["pages"]] == [200, 200, 200]


def test_importing_loads_neither_jieba_nor_the_database(container):
    assert container["jieba_after_import"] is False
    assert container["database_after_import"] is False


def test_a_timer_keeps_the_container_warm_without_waking_the_app(container):
    assert container["timer"] == {"status": "warm", "event": "timer", "request_id": "timer-1"}
    assert container["jieba_after_timer"] is False
    assert container["database_after_timer"] is False


def test_the_site_root_static_files_are_served_with_compression_headers(container):
    page = container["pages"][0]
    robots = (ROOT / "static" / "robots.txt").read_bytes()

    assert page["headers"]["Content-Type"].startswith("text/plain")
    assert page["body"].encode("utf-8") == robots
    assert page["headers"]["Uncompressed-Content-Length"] == str(len(robots))
    assert page["headers"]["Response-Time"].endswith("ms")
    assert page["headers"]["Vary"].endswith("Accept-Encoding")
