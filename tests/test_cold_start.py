"""A cold start imports only what its first request needs: views, commands and SQLAlchemy late.

A record page reads through SQLAlchemy Core alone: the ORM and the mapped classes come with
the pages that write or the ones not yet read raw.
"""

import json
import subprocess
import sys

import pytest
from flask import url_for

from conftest import ROOT, db_of
from factories import BASE_TIME, add_play
from maimai_probe import blueprints, commands, create_app
from maimai_probe.importing import tokens
from maimai_probe.web import csrf

#: Modules no request of a reading page needs, and what a cold start would pay for them.
NEVER_AT_START = (
    "sqlalchemy",
    "sqlalchemy.orm",
    "jieba",
    "alembic",
    "bs4",
    "maimai_probe.models",
    "maimai_probe.parsing",
    "maimai_probe.importing.store",
    "maimai_probe.importing.cli",
    "maimai_probe.catalog.sync",
    "maimai_probe.catalog.search",
    "maimai_probe.player.records",
)

COLD = """
import json, sys
from maimai_probe import create_app
app = create_app()
loaded = {"start": [name for name in %(modules)r if name in sys.modules]}
client = app.test_client()
for path in sys.argv[1:]:
    status = client.get(path).status_code
    loaded[path] = [status] + [name for name in %(modules)r if name in sys.modules]
print(json.dumps(loaded))
""" % {"modules": NEVER_AT_START}


@pytest.fixture
def migrated(tmp_path):
    """A SQLite file migrated, with one player, and the environment of a function using it."""
    url = "sqlite:///%s" % (tmp_path / "cold.sqlite3")
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x" * 40, "DATABASE_URL": url, "AUTO_MIGRATE": True}
    )
    database = app.extensions["maimai_probe.db"]
    with database.session() as session:
        alice, _ = tokens.create_player(session, "alice", now=1760000000)
        tokens.create_player(session, "bob", now=1760000000)  # no plays: an empty page
        for number in range(3):
            add_play(session, alice, played_at=BASE_TIME + number * 60)
    database.dispose()
    return {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT / "src"),
        "LANG": "C.UTF-8",
        "TMPDIR": str(tmp_path),
        "PYTHONDONTWRITEBYTECODE": "1",
        "APP_ENV": "production",
        "SECRET_KEY": "cold-start-test-" + "x" * 32,
        "DATABASE_URL": url,
        "AUTO_MIGRATE": "0",
    }


def cold_start(environ, *paths):
    done = subprocess.run(
        [sys.executable, "-c", COLD] + list(paths),
        env=environ,
        cwd=str(ROOT),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=120,
        check=False,
    )
    output = done.stdout.decode("utf-8")
    assert done.returncode == 0, output
    return json.loads(output.splitlines()[-1])


def test_creating_the_app_imports_no_view_orm_parser_jieba_alembic_or_bs4(migrated):
    loaded = cold_start(
        migrated, "/hello/bench", "/players/alice/plays", "/players/bob/plays", "/songs?q=星"
    )
    assert loaded["start"] == []
    # A page without the database does without SQLAlchemy altogether.
    assert loaded["/hello/bench"] == [200]
    # A record page brings SQLAlchemy's Core and its own views: not the ORM, nor the
    # importer, parsers or jieba; nor does an empty one, which counts the plays apart.
    for path in ("/players/alice/plays", "/players/bob/plays"):
        status, *record = loaded[path]
        assert status == 200
        assert set(record) == {"sqlalchemy", "maimai_probe.player.records"}, path
    # A search loads jieba, and still no parser, Alembic or bs4.
    status, *searched = loaded["/songs?q=星"]
    assert status == 200 and {"jieba", "maimai_probe.catalog.search"} <= set(searched)
    assert not {"alembic", "bs4", "maimai_probe.parsing"} & set(searched)


@pytest.mark.postgres
def test_a_record_page_on_postgresql_loads_no_more_than_on_sqlite(postgres_app, migrated):
    with db_of(postgres_app).session() as session:
        tokens.create_player(session, "alice", now=1760000000)
    environ = dict(migrated, DATABASE_URL=postgres_app.config["DATABASE_URL"])
    loaded = cold_start(environ, "/players/alice/plays", "/players/alice/plays?before=1")
    for path in ("/players/alice/plays", "/players/alice/plays?before=1"):
        status, *record = loaded[path]
        assert status == 200
        assert set(record) == {"sqlalchemy", "maimai_probe.player.records"}, path
    # No column is an HSTORE: no new connection asks the server for hstore's type OIDs.
    engines = db_of(postgres_app).engines()
    assert len(engines) == 2 and not any(e.dialect.use_native_hstore for e in engines)


def test_routes_json_was_written_from_the_views_as_they_are():
    manifest = blueprints.load_manifest()
    assert manifest is not None, "run: flask --app maimai_probe write-routes"
    assert manifest == json.loads(json.dumps(blueprints.describe(blueprints.eager_app())))


def rules(app):
    return sorted(
        (
            rule.rule,
            rule.endpoint,
            sorted(rule.methods or ()),
            rule.defaults or {},
            rule.strict_slashes,
            rule.redirect_to,
            rule.build_only,
        )
        for rule in app.url_map.iter_rules()
    )


def test_the_lazy_app_has_the_same_routes_and_templates_as_the_eager_one(tmp_path):
    url = "sqlite:///%s" % (tmp_path / "x.sqlite3")
    lazy = create_app({"TESTING": True, "SECRET_KEY": "x" * 40, "DATABASE_URL": url})
    eager = create_app(
        {"TESTING": True, "SECRET_KEY": "x" * 40, "DATABASE_URL": url, "LAZY_VIEWS": False}
    )
    assert rules(lazy) == rules(eager)
    assert set(lazy.view_functions) == set(eager.view_functions)
    assert isinstance(lazy.view_functions["records.plays"], blueprints.LazyView)
    assert not isinstance(eager.view_functions["records.plays"], blueprints.LazyView)
    assert lazy.jinja_env.list_templates() == eager.jinja_env.list_templates()
    for name in ("api", "api_imports", "demo", "api_rating"):
        assert name in csrf.exempt_blueprints(lazy)
    assert csrf.exempt_blueprints(lazy) == csrf.exempt_blueprints(eager)
    for app in (lazy, eager):
        app.extensions["maimai_probe.db"].dispose()


def test_a_lazy_route_answers_and_hands_over_to_its_view(app):
    from maimai_probe.web import samples

    assert isinstance(app.view_functions["demo.hello"], blueprints.LazyView)
    answer = app.test_client().get("/hello/舞萌")
    assert answer.status_code == 200 and answer.get_data(as_text=True) == "Hello, 舞萌!"
    assert app.view_functions["demo.hello"] is samples.hello
    assert app.test_client().get("/hello/x").get_data(as_text=True) == "Hello, x!"


def test_a_stale_routes_json_registers_every_blueprint_as_it_is(tmp_path, monkeypatch):
    from maimai_probe.player import records

    stale = dict(blueprints.load_manifest() or {}, digest="0" * 64)
    path = tmp_path / "routes.json"
    path.write_text(json.dumps(stale), encoding="utf-8")
    monkeypatch.setattr(blueprints, "MANIFEST", str(path))
    assert blueprints.load_manifest() is None
    url = "sqlite:///%s" % (tmp_path / "x.sqlite3")
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40, "DATABASE_URL": url})
    assert app.blueprints["records"] is records.bp
    assert app.view_functions["records.plays"] is records.plays
    app.extensions["maimai_probe.db"].dispose()


def test_every_command_is_listed_and_runs_without_being_imported_at_start(app):
    listed = app.cli.list_commands(None)
    assert set(commands.COMMANDS) <= set(listed) and "db" in listed
    result = app.test_cli_runner().invoke(args=["players", "list"])
    assert result.exit_code == 0, result.output
    assert "players" not in app.cli.lazy
    assert app.test_cli_runner().invoke(args=["nonsense"]).exit_code != 0


def test_every_route_builds_a_url_that_leads_back_to_it(app):
    adapter = app.url_map.bind("localhost")
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
    assert len(rules) > 30 and all(isinstance(rule, blueprints.Route) for rule in rules)
    for rule in rules:
        values = dict(rule.defaults or {}, **{name: 1 for name in rule.arguments})
        method = min(set(rule.methods or ()) - {"OPTIONS", "HEAD"})  # GET before POST
        url = adapter.build(rule.endpoint, values, method=method)
        assert adapter.match(url, method=method)[0] == rule.endpoint, (rule, url)
    with app.test_request_context():
        assert url_for("records.plays", name="舞萌", before=5) == (
            "/players/%E8%88%9E%E8%90%8C/plays?before=5"
        )
