"""The documented server, run as documented, against slow clients and chunked bodies over TCP."""

import os
import pathlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from sqlalchemy import func, select

from conftest import settings
from import_helpers import new_player, own_record_page
from maimai_probe import create_app
from maimai_probe.models import Play
from pg import in_ci

ROOT = pathlib.Path(__file__).resolve().parents[2]
SECRET = "slow-clients-secret-0123456789abcdef"
#: Worker threads of the server under test: fewer than the slow clients.
THREADS = 2
LIMIT = 64 * 1024
NAME = "player"


def require_waitress():
    """Skip without waitress (CPython 3.6 before the layer pins it); under CI=true, fail."""
    try:
        import waitress  # noqa: F401
    except ImportError:
        if in_ci():
            pytest.fail("CI=true and waitress is not installed", pytrace=False)
        pytest.skip("waitress is not installed for %s" % sys.version.split()[0])


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url, data=None, headers=None, timeout=20):
    """Return (status, body) of a request, for any status."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 - loopback
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Run `python -m maimai_probe.wsgi` on a free loopback port; yield (url, database, token)."""
    require_waitress()
    folder = tmp_path_factory.mktemp("slow")
    database = "sqlite:///%s" % (folder / "site.sqlite3")
    app = create_app(settings(database))
    session = app.extensions["maimai_probe.db"].session()
    _, token = new_player(session, NAME)
    session.commit()
    session.close()
    app.extensions["maimai_probe.db"].dispose()
    port = free_port()
    environ = dict(
        os.environ,
        PYTHONPATH=str(ROOT / "src"),
        APP_ENV="production",
        SECRET_KEY=SECRET,
        DATABASE_URL=database,
        PORT=str(port),
        THREADS=str(THREADS),
        MAX_CONTENT_LENGTH=str(LIMIT),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "maimai_probe.wsgi"],
        cwd=str(folder),
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = "http://127.0.0.1:%d" % port
    try:
        for _ in range(300):
            if process.poll() is not None:
                pytest.fail("the server stopped: %s" % process.stdout.read().decode()[-2000:])
            try:
                if fetch(url + "/hello/up", timeout=2)[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the server never answered")
        yield url, database, token
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


def slow_client(port, start):
    """Connect and send the start of a request, leaving the rest unsent."""
    connection = socket.create_connection(("127.0.0.1", port))
    connection.sendall(start)
    return connection


SLOW_STARTS = [
    b"GET /hello/slow HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",  # headers never end
    b"POST /welcome/post HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 60000\r\n\r\nname=",
    b"POST /welcome/post HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"5\r\nname=",
]


def test_slow_clients_do_not_hold_the_workers(server):
    url, _, _ = server
    port = int(url.rsplit(":", 1)[1])
    clients = [slow_client(port, start) for start in SLOW_STARTS for _ in range(THREADS + 1)]
    try:
        for _ in range(3):
            for connection in clients:
                connection.sendall(b"a")  # a byte now and then keeps each one open
            status, body = fetch(url + "/hello/fast", timeout=20)
            assert (status, body) == (200, b"Hello, fast!")
        status, body = fetch(url + "/welcome/get?name=x", timeout=20)
        assert (status, body) == (200, b"Welcome, x!")
    finally:
        for connection in clients:
            connection.close()


def chunked_request(port, path, body, token):
    """Send a chunked POST over a raw socket; return the answer's status code."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(
            b"POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/html\r\n"
            b"Authorization: Bearer %s\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            % (path.encode(), token.encode())
        )
        try:
            for start in range(0, len(body), 16384):
                piece = body[start : start + 16384]
                connection.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
            connection.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server may answer and close before the whole body is sent
        answer = b""
        while b"\r\n" not in answer:
            piece = connection.recv(4096)
            if not piece:
                break
            answer += piece
    return int(answer.split(b" ", 2)[1])


def stored_plays(database):
    app = create_app(settings(database, AUTO_MIGRATE=False))
    session = app.extensions["maimai_probe.db"].session()
    try:
        return session.scalar(select(func.count()).select_from(Play))
    finally:
        session.close()
        app.extensions["maimai_probe.db"].dispose()


def test_a_chunked_body_is_held_to_the_limit_by_the_server_too(server):
    url, database, token = server
    port = int(url.rsplit(":", 1)[1])
    path = "/api/players/%s/imports" % NAME
    padded = own_record_page() + b" " * (4 * LIMIT)
    assert chunked_request(port, path, padded, token) == 413
    assert stored_plays(database) == 0
    assert chunked_request(port, path, own_record_page(), token) == 201
    assert stored_plays(database) == 4
