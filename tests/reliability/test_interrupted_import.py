"""A process killed with SIGKILL in the middle of a big import leaves nothing half-written."""

import multiprocessing
import os
import queue
import signal

import pytest
from sqlalchemy import func, select

from import_helpers import new_player, row_counts
from maimai_probe.importing import store
from maimai_probe.importing.store import SCORE_IDENTITY
from maimai_probe.models import Play, PlayDetail, Score
from reliability import workers

pytestmark = pytest.mark.slow

BIG = 10000


def kill_partway(app, name, token, kind, pause_after):
    """Run the import in a child process and SIGKILL it where it paused."""
    context = multiprocessing.get_context("spawn")
    signals = context.Queue()
    child = context.Process(
        target=workers.import_until_killed,
        args=(app.config["DATABASE_URL"], name, token, kind, pause_after, signals),
        daemon=True,
    )
    child.start()
    try:
        try:
            what, where, inserts = signals.get(timeout=120)
        except queue.Empty:
            pytest.fail("the import never reached the point to kill it at")
        assert what == "paused", (what, where)
        return where, inserts, child
    finally:
        if child.is_alive():
            os.kill(child.pid, signal.SIGKILL)
        child.join(30)
        assert child.exitcode == -signal.SIGKILL


def identities_hold(session, model, columns):
    """Tell whether no two rows share the values of a unique key."""
    key = [getattr(model, column) for column in columns]
    duplicates = session.execute(
        select(*key).group_by(*key).having(func.count() > 1).limit(1)
    ).all()
    return not duplicates


def postgres_inserts(app, sqlite_value):
    return sqlite_value if app.config["DATABASE_URL"].startswith("sqlite") else 5


def test_a_divingfish_import_killed_mid_insert_writes_nothing_and_a_retry_stores_all(app, session):
    player, token = new_player(session)
    before = row_counts(session)
    # PostgreSQL takes 500 rows per INSERT, SQLite one: stop halfway through either way.
    pause_after = postgres_inserts(app, BIG // 2)
    where, inserts, _ = kill_partway(app, player.name, token, "divingfish", pause_after)
    assert inserts > 0, where
    session.rollback()
    assert row_counts(session) == before, "the killed import left rows behind"

    response = app.test_client().post(
        "/api/players/%s/imports" % player.name,
        data=workers.divingfish_export(BIG),
        content_type="application/json",
        headers={"Authorization": "Bearer " + token},
    )
    assert response.status_code == 201, response.get_data(as_text=True)[:500]
    assert response.get_json()["new"]["scores"] == BIG
    session.rollback()
    assert row_counts(session)["score"] == BIG
    assert identities_hold(session, Score, SCORE_IDENTITY)


def test_an_import_of_many_plays_killed_before_commit_writes_nothing_and_a_retry_stores_all(
    app, session
):
    player, token = new_player(session)
    before = row_counts(session)
    where, inserts, _ = kill_partway(app, player.name, token, "plays", 0)
    assert where == "before commit" and inserts > 0, where
    session.rollback()
    assert row_counts(session) == before, "the killed import left rows behind"

    page = workers.many_plays_page(workers.MANY_PLAYS)
    result = store.import_pages(session, player, [page], now=2)
    assert result.new["plays"] == workers.MANY_PLAYS
    assert result.new["details"] == workers.MANY_PLAYS
    assert row_counts(session)["play"] == workers.MANY_PLAYS
    assert row_counts(session)["play_detail"] == workers.MANY_PLAYS
    assert identities_hold(session, Play, ["player_id", "played_at"])
    assert identities_hold(session, PlayDetail, ["play_id"])
