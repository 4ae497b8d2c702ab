"""aws/ as shipped: osls prints its config without warnings, serverless-offline serves the site.

Needs node and aws/node_modules (bash scripts/test runs npm ci there); without them these tests
are skipped loudly, and under CI=true they fail.
"""

import http.client
import os
import pathlib
import shutil
import subprocess
import sys
import time

import pytest

from .web_function_support import free_port, skip_or_fail

#: AWS runs python3.13: the current Python's pass covers it, the CPython 3.6 pass need not.
pytestmark = pytest.mark.skipif(
    sys.version_info < (3, 8), reason="aws/ deploys python3.13; run on the current Python"
)

AWS = pathlib.Path(__file__).resolve().parents[2] / "aws"
SLS = AWS / "node_modules" / ".bin" / "sls"


def sls_environment(tmp_path: pathlib.Path) -> dict:
    """Return the deployer's environment: secrets from the shell, this Python's venv on PATH."""
    if not shutil.which("node"):
        skip_or_fail("no node on PATH: install Node.js 20.19+ to run aws/ locally")
    if not SLS.exists():
        skip_or_fail("%s is missing: run npm ci in aws/ (bash scripts/test does)" % SLS)
    bin_dir = os.path.dirname(sys.executable)
    return {
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "VIRTUAL_ENV": sys.prefix,
        "SECRET_KEY": "offline-test-" + "s" * 32,
        "DATABASE_URL": "sqlite:///%s" % (tmp_path / "offline.db"),
        "AUTO_MIGRATE": "true",
        "SLS_TELEMETRY_DISABLED": "1",
        "SLS_NOTIFICATIONS_MODE": "off",
    }


def test_sls_print_resolves_the_config_without_warnings(tmp_path):
    env = sls_environment(tmp_path)

    done = subprocess.run(
        [str(SLS), "print", "--format", "json"],
        cwd=str(AWS),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=120,
    )

    output = done.stdout.decode()
    assert done.returncode == 0, output
    assert "warning" not in output.lower(), output
    assert '"runtime": "python3.13"' in output or '"runtime":"python3.13"' in output
    assert "../.serverless/aws/function.zip" in output
    assert "serverless-offline" in output


@pytest.fixture(scope="module")
def offline(tmp_path_factory):
    """Start sls offline on free ports; return its HTTP port."""
    tmp_path = tmp_path_factory.mktemp("offline")
    env = sls_environment(tmp_path)
    port, lambda_port = free_port(), free_port()
    log = tmp_path / "offline.log"
    with open(str(log), "wb") as handle:
        process = subprocess.Popen(
            [str(SLS), "offline", "--httpPort", str(port), "--lambdaPort", str(lambda_port)],
            cwd=str(AWS),
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 90
        while "Server ready" not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("sls offline did not start:\n" + log.read_text(errors="replace"))
            time.sleep(0.2)
        yield port
    finally:
        os.killpg(process.pid, 15)
        process.wait(30)
        shutil.rmtree(str(AWS / ".serverless-offline"), ignore_errors=True)


def get(port, path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_sls_offline_serves_the_site_from_src(offline):
    status, headers, body = get(offline, "/")

    assert status == 200, body[:300]
    assert headers["content-type"].startswith("text/html")
    assert "舞萌".encode() in body


def test_sls_offline_serves_static_files_and_queries(offline):
    status, headers, body = get(offline, "/robots.txt")
    assert status == 200
    assert body.startswith(b"User-agent")

    status, _, body = get(offline, "/songs?q=%E7%B3%BB&kind=DX", {"Cookie": "a=1; b=2"})
    assert status == 200, body[:300]
    assert 'value="系"'.encode() in body  # the search form keeps the query it was given
