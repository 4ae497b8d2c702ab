"""The app factory, configuration layers, database lifecycle and the site's safety nets."""

import pytest
from sqlalchemy import inspect

from maimai_probe import config, create_app, db
from maimai_probe.models import Base


def test_production_refuses_to_start_without_a_real_secret(tmp_path):
    url = "sqlite:///%s" % (tmp_path / "x.sqlite3")
    for secret in (None, "", config.DEVELOPMENT_SECRET, "short"):
        with pytest.raises(config.ConfigError, match="SECRET_KEY"):
            create_app({"APP_ENV": "production", "DATABASE_URL": url, "SECRET_KEY": secret})


def test_local_use_is_development_with_the_development_secret(tmp_path):
    app = create_app({"DATABASE_URL": "sqlite:///%s" % (tmp_path / "x.sqlite3")})
    assert app.config["APP_ENV"] == "development"
    assert app.config["SECRET_KEY"] == config.DEVELOPMENT_SECRET
    app.extensions["maimai_probe.db"].dispose()


def test_gunicorn_entry_point_is_production(monkeypatch, tmp_path):
    import importlib
    import sys

    monkeypatch.delitem(sys.modules, "maimai_probe.wsgi", raising=False)
    monkeypatch.setenv("APP_ENV", "restored-after-the-test")
    monkeypatch.delenv("APP_ENV")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///%s" % (tmp_path / "x.sqlite3"))
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        importlib.import_module("maimai_probe.wsgi")
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-from-the-environment")
    wsgi = importlib.import_module("maimai_probe.wsgi")
    assert wsgi.app.config["APP_ENV"] == "production"
    wsgi.app.extensions["maimai_probe.db"].dispose()


def test_environment_sits_between_defaults_and_overrides(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "development")
    monkeypatch.setenv("PAGE_SIZE", "20")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///%s" % (tmp_path / "env.sqlite3"))
    app = create_app({"PAGE_SIZE": 30})
    assert app.config["PAGE_SIZE"] == 30
    assert app.config["DATABASE_URL"].endswith("env.sqlite3")
    assert app.config["SECRET_KEY"] == config.DEVELOPMENT_SECRET  # allowed in development
    app.extensions["maimai_probe.db"].dispose()


def test_a_malformed_environment_value_is_named():
    with pytest.raises(config.ConfigError, match="PAGE_SIZE='many'"):
        config.from_environment({"PAGE_SIZE": "many"})


def test_postgres_urls_use_psycopg2():
    expected = "postgresql+psycopg2://u:p@h/d"
    assert config.normalise_database_url("postgres://u:p@h/d") == expected
    assert config.normalise_database_url("postgresql://u:p@h/d") == expected
    assert config.normalise_database_url("postgresql+psycopg2://u:p@h/d") == expected


def test_embedded_default_is_sqlite_in_the_data_dir_and_migrates_itself(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "development")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    app = create_app()
    database = app.extensions["maimai_probe.db"]
    assert app.config["DATABASE_URL"] == "sqlite:///%s" % (
        tmp_path / "data" / "maimai-probe.sqlite3"
    )
    assert database.current_revision() is not None
    tables = set(inspect(database.engine).get_table_names())
    assert {table.name for table in Base.metadata.sorted_tables} <= tables
    database.dispose()


def test_migrations_match_the_models(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with app.extensions["maimai_probe.db"].engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_db_upgrade_command_reports_the_revision(app):
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(db.alembic_config()).get_current_head()
    assert "数据库已在版本 %s" % head in result.output


def test_each_request_gets_its_own_session_closed_on_teardown(app):
    with app.test_request_context():
        first = db.session()
        assert db.session() is first
    with app.test_request_context():
        assert db.session() is not first


def test_static_files_are_served_at_the_site_root(client):
    with client.get("/favicon.ico") as favicon:
        assert favicon.status_code == 200
        assert favicon.data[:4] == b"\x00\x00\x01\x00"
    with client.get("/robots.txt") as robots:
        assert robots.status_code == 200
        assert b"Disallow: /api/" in robots.data


def test_front_page_speaks_chinese_with_security_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert "舞萌DX 查分器" in page
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain http here


def test_https_requests_get_hsts(client):
    response = client.get("/", base_url="https://probe.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_unknown_page_is_a_chinese_404_and_json_under_the_api(client):
    page = client.get("/no/such/page")
    assert page.status_code == 404
    assert "找不到这个页面" in page.get_data(as_text=True)
    api = client.get("/api/no/such/thing")
    assert api.status_code == 404
    assert api.get_json() == {"error": "找不到这个页面。", "status": 404}


@pytest.mark.parametrize("host", ["a..b", "x" * 64 + ".example"])
def test_a_host_no_link_can_be_built_for_is_refused_without_a_server_error(sqlite_app, host):
    # Werkzeug 2.3+ refuses these before routing, so the error page cannot link the site;
    # Werkzeug 2.0 (the layer's) takes them and serves the page.
    client = sqlite_app.test_client()
    page = client.get("/no/such/page", headers={"Host": host})
    assert page.status_code in (400, 404)
    if page.status_code == 400:
        assert page.mimetype == "text/plain"
        assert page.get_data(as_text=True) == "400 请求有误。"
    api = client.get("/api/no/such/thing", headers={"Host": host})
    assert api.get_json()["status"] == api.status_code in (400, 404)
