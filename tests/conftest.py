"""Shared fixtures: an app on SQLite or PostgreSQL, its client, CLI runner and database."""

import pathlib

import pytest
from sqlalchemy import text

from maimai_probe import config, create_app, db
from maimai_probe.models import Base

ROOT = pathlib.Path(__file__).resolve().parents[1]
pytest_plugins = ["pg_report"]  # name the PostgreSQL server, or list the tests left without one

SHARED_FIXTURES = ROOT.parent / "shared" / "fixtures"
PAGES = ROOT / "tests" / "fixtures" / "pages"

TEST_SECRET = "test-secret-0123456789abcdef"


def shared_fixture(*parts: str) -> pathlib.Path:
    """Return a file of ../shared/fixtures, skipping the test where it is absent (a fork)."""
    path = SHARED_FIXTURES.joinpath(*parts)
    if not path.exists():
        pytest.skip("../shared/fixtures/%s absent (a fork has none)" % "/".join(parts))
    return path


def settings(database_url: str, **extra: object) -> dict:
    """Return the test settings for one database."""
    values = {
        "TESTING": True,
        "APP_ENV": "testing",
        "SECRET_KEY": TEST_SECRET,
        "DATABASE_URL": database_url,
        "AUTO_MIGRATE": True,
    }
    values.update(extra)
    return values


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """Return the PostgreSQL server's URL for tests, or skip (fail under CI) without one."""
    import pg

    url = pg.database_url()
    if not url:
        pg.require_postgres()
    return url


@pytest.fixture(scope="session")
def postgres_schema(postgres_url: str) -> str:
    """Migrate a clean PostgreSQL schema once per run."""
    database = db.Database(config.normalise_database_url(postgres_url))
    with database.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    database.migrate()
    database.dispose()
    return postgres_url


def empty_tables(app) -> None:
    """Delete every row, keeping the migrated schema."""
    names = ", ".join(table.name for table in Base.metadata.sorted_tables)
    with db_of(app).engine.begin() as connection:
        connection.execute(text("TRUNCATE %s RESTART IDENTITY CASCADE" % names))


def db_of(app) -> db.Database:
    """Return an app's database."""
    return app.extensions["maimai_probe.db"]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app(request, tmp_path):
    """Yield an app on an empty database: SQLite in a temp dir, then PostgreSQL."""
    if request.param == "sqlite":
        application = create_app(settings("sqlite:///%s" % (tmp_path / "test.sqlite3")))
    else:
        url = request.getfixturevalue("postgres_schema")
        application = create_app(settings(url, AUTO_MIGRATE=False))
        empty_tables(application)
    yield application
    db_of(application).dispose()


@pytest.fixture
def sqlite_app(tmp_path):
    """Yield an app on SQLite only, for tests that do not touch database behaviour."""
    application = create_app(settings("sqlite:///%s" % (tmp_path / "test.sqlite3")))
    yield application
    db_of(application).dispose()


@pytest.fixture
def postgres_app(postgres_schema):
    """Yield an app on the PostgreSQL server with empty tables."""
    application = create_app(settings(postgres_schema, AUTO_MIGRATE=False))
    empty_tables(application)
    yield application
    db_of(application).dispose()


@pytest.fixture
def client(app):
    """Return a test client of the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """Return a CLI runner of the app."""
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    """Yield a database session outside any request, for setting up and checking rows."""
    opened = db_of(app).session()
    yield opened
    opened.close()


@pytest.fixture(autouse=True)
def _no_ambient_database(monkeypatch):
    """Keep the developer's own DATABASE_URL and SECRET_KEY out of tests."""
    for name in ("DATABASE_URL", "SECRET_KEY", "APP_ENV", "DATA_DIR", "TRUSTED_PROXIES"):
        monkeypatch.delenv(name, raising=False)
