"""PostgreSQL stops, or freezes and goes silent, under load: fast 503s, then recovery."""

import json
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, select, text

from maimai_probe import config, create_app, db
from maimai_probe.importing import store
from maimai_probe.models import Play
from reliability.pg_cluster import Cluster
from reliability.record_pages import play_time, record_template
from reliability.workers import app_settings, import_url

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

CONNECT_TIMEOUT = 2
#: Short deadlines, so that a frozen server costs each request a few seconds at most.
STATEMENT_TIMEOUT_MS = 1000
READ_TIMEOUT_MS = 500
#: What the README promises: a request that reads waits for PostgreSQL DB_READ_TIMEOUT_MS
#: plus the margin at most, one that writes DB_STATEMENT_TIMEOUT_MS plus the margin, however
#: the server went away (frozen: a pooled connection's ping goes unanswered, and so does the
#: reconnect after it). SLACK is for threads waiting for a core on a busy machine.
DEADLINE = {
    "read": (READ_TIMEOUT_MS + db.ANSWER_MARGIN_MS) / 1000.0,
    "write": (STATEMENT_TIMEOUT_MS + db.ANSWER_MARGIN_MS) / 1000.0,
}
SLACK = 1.0
NAME = "断线玩家"
UNAVAILABLE = "数据库暂时无法连接"


@pytest.fixture(scope="module")
def cluster():
    """Run a PostgreSQL of this test's own, which it may stop and start."""
    made = Cluster()
    yield made
    made.remove()


@pytest.fixture
def outage_app(cluster):
    """Return an app on the throwaway cluster, migrated, with one player and its token."""
    engine = create_engine(config.normalise_database_url(cluster.url))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    app = create_app(
        app_settings(
            cluster.url,
            AUTO_MIGRATE=True,
            DB_CONNECT_TIMEOUT=CONNECT_TIMEOUT,
            DB_STATEMENT_TIMEOUT_MS=STATEMENT_TIMEOUT_MS,
            DB_READ_TIMEOUT_MS=READ_TIMEOUT_MS,
            DB_POOL_SIZE=2,
        )
    )
    runner = app.test_cli_runner()
    created = runner.invoke(args=["players", "create", NAME])
    assert created.exit_code == 0, created.output
    app.config["test_token"] = created.output.strip().split()[-1]
    yield app
    app.extensions["maimai_probe.db"].dispose()


def stored_plays(app):
    """Return every stored play as (played_at, title, achievement), in time order."""
    session = app.extensions["maimai_probe.db"].session()
    try:
        rows = session.execute(
            select(Play.played_at, Play.title, Play.achievement).order_by(Play.played_at)
        )
        return [tuple(row) for row in rows]
    finally:
        session.close()


def api_import(client, token, page):
    return client.post(
        import_url(NAME),
        data=page,
        content_type="text/html; charset=utf-8",
        headers={"Authorization": "Bearer " + token},
    )


def web_import(client, token, page):
    """Post the import form with the session's CSRF token (taken while the database was up)."""
    with client.session_transaction() as cookie:
        cookie["csrf_token"] = "outage-csrf"
    return client.post(
        "/players/%s/import" % quote(NAME),
        data={"csrf_token": "outage-csrf", "token": token, "html": page},
    )


def requests_during_outage(app, page):
    """Return (what, status, seconds, body, headers) for each of a burst of requests."""
    token = app.config["test_token"]
    player = quote(NAME)
    gets = [
        ("/", False),
        ("/players/%s/" % player, False),
        ("/players/%s/plays" % player, False),
        ("/players/%s/best50" % player, False),
        ("/api/players/%s/plays" % player, True),
        ("/api/players/%s/export" % player, True),
    ]

    def one(job):
        what, kind = job
        client = app.test_client()
        started = time.monotonic()
        if kind == "api import":
            response = api_import(client, token, page)
        elif kind == "web import":
            response = web_import(client, token, page.decode("utf-8"))
        else:
            response = client.get(what)
        return (
            what,
            response.status_code,
            time.monotonic() - started,
            response.get_data(as_text=True),
            response.headers,
        )

    jobs = [(path, "get") for path, _ in gets] * 2
    jobs += [("api import", "api import"), ("web import", "web import")] * 2
    pool = ThreadPoolExecutor(max_workers=4)
    try:  # a request that hangs fails the test, and the fixture's teardown lets it go
        return list(pool.map(one, jobs, timeout=120))
    finally:
        pool.shutdown(wait=False)


def go_away(cluster, mode):
    """Stop the server ("fast" or "immediate"), or freeze it: up and connected, but silent."""
    if mode == "frozen":
        cluster.freeze()
    else:
        cluster.stop(mode)


def come_back(cluster, mode):
    """Start the stopped server again, or let the frozen one run."""
    if mode == "frozen":
        cluster.thaw()
    else:
        cluster.start()


@pytest.mark.parametrize("mode", ["fast", "immediate", "frozen"])
def test_requests_fail_fast_while_postgres_is_down_and_recover_after(
    cluster, outage_app, monkeypatch, mode
):
    app = outage_app
    client = app.test_client()
    token = app.config["test_token"]
    template = record_template()
    first = api_import(client, token, template.page(range(0, 50)).encode("utf-8"))
    assert first.status_code == 201, first.get_data(as_text=True)
    before = stored_plays(app)
    assert len(before) == 50
    for path in ("/", "/players/%s/" % quote(NAME), "/api/players/%s/plays" % quote(NAME)):
        assert client.get(path).status_code == 200  # the pool holds live connections now

    # An import caught between storing its rows and committing them when the server stops.
    reached, resume = threading.Event(), threading.Event()
    link_plays = store.link_plays

    def paused_link_plays(session, player_id):
        if threading.current_thread().name == "caught":
            reached.set()
            assert resume.wait(30)
        return link_plays(session, player_id)

    monkeypatch.setattr(store, "link_plays", paused_link_plays)
    caught = {}

    def import_while_stopping():
        started = time.monotonic()
        response = api_import(app.test_client(), token, template.page(range(50, 100)).encode())
        caught.update(status=response.status_code, seconds=time.monotonic() - started)
        caught["body"] = response.get_json()

    thread = threading.Thread(target=import_while_stopping, name="caught", daemon=True)
    thread.start()
    assert reached.wait(30), "the import never reached its last step"

    go_away(cluster, mode)
    resume.set()
    thread.join(30)
    assert not thread.is_alive()
    assert caught["status"] == 503, caught
    assert caught["body"]["error"].startswith(UNAVAILABLE)
    assert caught["seconds"] < 30 + DEADLINE["write"] + SLACK

    answers = requests_during_outage(app, template.page(range(50, 100)).encode("utf-8"))
    for what, status, seconds, body, headers in answers:
        assert status == 503, (what, status, body[:300])
        kind = "write" if what.endswith(" import") else "read"
        assert seconds < DEADLINE[kind] + SLACK, (what, seconds, DEADLINE[kind])
        assert headers["Retry-After"] == "10"
        if what.startswith("/api/") or what == "api import":
            assert headers["Content-Type"].startswith("application/json"), what
            assert json.loads(body)["error"].startswith(UNAVAILABLE), (what, body[:300])
        else:
            assert UNAVAILABLE in body, (what, body[:300])
            assert headers["Content-Type"].startswith("text/html"), what
            assert re.search(r"<h1>503</h1>", body), what

    come_back(cluster, mode)
    # No restart of the app: the pool notices its dead connections by itself (an idle one is
    # pinged before use; the first one that fails invalidates the rest of the pool).
    for path in ("/", "/players/%s/" % quote(NAME), "/api/players/%s/plays" % quote(NAME)):
        response = client.get(path)
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:300])
    assert stored_plays(app) == before, "the outage lost or half-wrote plays"

    again = api_import(client, token, template.page(range(50, 100)).encode("utf-8"))
    assert again.status_code == 201, again.get_data(as_text=True)
    assert again.get_json()["new"]["plays"] == 50
    assert [row[0] for row in stored_plays(app)] == sorted(play_time(k) for k in range(100))
