"""Request sessions on PostgreSQL: reads in autocommit, writes in one transaction, dead
connections replaced; and the light reads of kept pages."""

import os
import signal
import time

import pytest
from sqlalchemy import bindparam, column, select, table, text
from sqlalchemy.exc import OperationalError

from conftest import db_of
from factories import add_play, add_player
from maimai_probe import config, db
from maimai_probe.player.lookup import PLAYER_ROW

postgres = pytest.mark.postgres

SAME_TRANSACTION = "SELECT now() = statement_timestamp()"


def second_statement_starts_its_own_transaction(app, method: str) -> bool:
    """Tell whether a request's second statement runs in a transaction of its own."""
    with app.test_request_context("/", method=method):
        session = db.session()
        session.execute(text("SELECT pg_sleep(0.02)"))
        own = session.execute(text(SAME_TRANSACTION)).scalar_one()
        db.close_session()
    return own


@postgres
def test_a_get_reads_in_autocommit(postgres_app):
    assert second_statement_starts_its_own_transaction(postgres_app, "GET") is True
    assert second_statement_starts_its_own_transaction(postgres_app, "HEAD") is True


@postgres
def test_a_post_writes_in_one_transaction(postgres_app):
    assert second_statement_starts_its_own_transaction(postgres_app, "POST") is False


@postgres
def test_outside_a_request_the_session_is_one_transaction(postgres_app):
    with postgres_app.app_context():
        session = db.session()
        session.execute(text("SELECT pg_sleep(0.02)"))
        assert session.execute(text(SAME_TRANSACTION)).scalar_one() is False
        db.close_session()


def kill_other_backends(app) -> int:
    """Terminate the app's other connections to the test database; return how many."""
    # Only this role's client connections: an autovacuum worker on the same database is a
    # superuser process, which the test role may not end.
    with db_of(app).engine.connect() as connection:
        killed = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND usename = current_user AND backend_type = 'client backend'"
            )
        ).scalar_one()
        connection.commit()
    time.sleep(0.1)  # let the backends go
    return killed


@pytest.fixture
def player_page(postgres_app):
    """Store a player with one play; return the app, its client and the record page's URL."""
    session = db_of(postgres_app).session()
    player = add_player(session, "ping")
    add_play(session, player, title="PANDORA PARADOXXX")
    session.close()
    postgres_app.config["PAGE_CACHE_BYTES"] = 0
    postgres_app.extensions.pop("maimai_probe.web.page_cache", None)  # render every time
    client = postgres_app.test_client()
    url = "/players/ping/plays"
    assert client.get(url).status_code == 200
    return postgres_app, client, url


@postgres
def test_a_connection_idle_past_the_threshold_is_pinged_and_replaced(player_page, monkeypatch):
    app, client, url = player_page
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.05)
    assert kill_other_backends(app) >= 1
    time.sleep(0.1)
    response = client.get(url)
    assert response.status_code == 200
    assert "PANDORA PARADOXXX" in response.get_data(as_text=True)


@postgres
def test_a_connection_killed_while_in_use_fails_one_request_then_the_pool_recovers(
    player_page, monkeypatch
):
    app, client, url = player_page
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 60)  # no ping: as under steady load
    assert kill_other_backends(app) >= 1
    first = client.get(url)
    assert first.status_code == 503
    assert "数据库暂时无法连接" in first.get_data(as_text=True)
    again = client.get(url)
    assert again.status_code == 200
    assert "PANDORA PARADOXXX" in again.get_data(as_text=True)


@postgres
def test_with_kept_pages_a_killed_connection_costs_no_failed_request(postgres_app, monkeypatch):
    session = db_of(postgres_app).session()
    add_play(session, add_player(session, "kept"), title="PANDORA PARADOXXX")
    session.close()
    client = postgres_app.test_client()
    assert client.get("/players/kept/plays").status_code == 200
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 60)
    assert kill_other_backends(postgres_app) >= 1
    # The light read meets the dead connection, drops it and lets the view read anew.
    response = client.get("/players/kept/plays")
    assert response.status_code == 200
    assert "PANDORA PARADOXXX" in response.get_data(as_text=True)


def test_read_row_returns_the_first_row_or_none(app):
    database = db_of(app)
    session = database.session()
    add_player(session, "light")
    session.close()
    row = database.read_row(PLAYER_ROW, name="light")
    fields = dict(zip(PLAYER_ROW.selected_columns.keys(), row))
    assert fields["name"] == "light" and fields["revision"] == 0
    assert database.read_row(PLAYER_ROW, name="nobody") is None


def test_read_row_gives_none_and_drops_the_connection_when_the_read_fails(app):
    database = db_of(app)
    nowhere = table("no_such_table", column("name"))
    missing = select(nowhere.c.name).where(nowhere.c.name == bindparam("name"))
    assert database.read_row(missing, name="x") is None
    assert database.read_row(PLAYER_ROW, name="nobody") is None  # the pool still serves


def test_read_row_raises_sqlalchemy_s_error_when_the_database_is_unreachable():
    database = db.Database(
        config.normalise_database_url("postgresql://nobody:none@127.0.0.1:9/none"),
        connect_timeout=1,
    )
    with pytest.raises(OperationalError):
        database.read_row(PLAYER_ROW, name="x")
    database.dispose()


@postgres
def test_a_slow_read_is_ended_by_the_server_s_statement_timeout(postgres_schema):
    database = db.Database(config.normalise_database_url(postgres_schema), read_timeout_ms=200)
    session = database.session(reading=True)
    with pytest.raises(OperationalError) as raised:
        session.execute(text("SELECT pg_sleep(3)"))
    session.close()
    assert "statement timeout" in str(raised.value)  # the server's clear error, not the deadline
    assert not raised.value.connection_invalidated
    assert database.read_row(PLAYER_ROW, name="nobody") is None  # the same pool serves on
    database.dispose()


@postgres
def test_a_silent_server_costs_a_read_its_deadline_then_the_pool_recovers(postgres_schema):
    database = db.Database(config.normalise_database_url(postgres_schema), read_timeout_ms=300)
    with database.reading_engine.connect() as connection:
        backend = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    try:
        os.kill(backend, signal.SIGSTOP)  # up and connected, but silent
    except PermissionError:
        pytest.skip("the PostgreSQL server runs as a user these tests may not signal")
    try:
        started = time.monotonic()
        with pytest.raises(OperationalError) as raised:
            database.read_row(PLAYER_ROW, name="nobody")
        waited = time.monotonic() - started
    finally:
        os.kill(backend, signal.SIGCONT)
    assert "did not answer within 1.3 s" in str(raised.value)
    assert raised.value.connection_invalidated
    assert 1.3 <= waited < 5
    assert database.read_row(PLAYER_ROW, name="nobody") is None  # a new connection answers
    database.dispose()


@postgres
def test_copy_runs_only_while_waiting_as_libpq(postgres_app):
    import io

    import psycopg2

    from maimai_probe.answer_deadline import waiting_as_libpq

    connection = db_of(postgres_app).engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("CREATE TEMPORARY TABLE copied (n integer)")
        with pytest.raises(psycopg2.ProgrammingError):  # the wait callback can't run COPY
            cursor.copy_expert("COPY copied FROM STDIN", io.StringIO("1\n"))
        with waiting_as_libpq():
            cursor.copy_expert("COPY copied FROM STDIN", io.StringIO("2\n3\n"))
        cursor.execute("SELECT n FROM copied ORDER BY n")
        assert cursor.fetchall() == [(2,), (3,)]
        cursor.close()
    finally:
        connection.rollback()
        connection.close()
