"""The database: one engine per app, one session per request, migrations and insert-or-ignore."""

import os
from typing import Any, Dict, Iterable, List, Optional

import click
from flask import Flask, current_app, g
from flask.cli import AppGroup
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "migrations")


class Database:
    """The engine and session factory of one app."""

    def __init__(
        self, url: str, connect_timeout: int = 3, statement_timeout_ms: int = 0, pool_size: int = 5
    ) -> None:
        self.url = url
        self.engine = make_engine(url, connect_timeout, statement_timeout_ms, pool_size)
        self.sessions = sessionmaker(bind=self.engine, future=True, expire_on_commit=False)

    def session(self) -> Session:
        """Open a new session; the caller closes it."""
        return self.sessions()

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema to a revision with Alembic."""
        from alembic import command

        with self.engine.begin() as connection:
            config = alembic_config(connection)
            command.upgrade(config, revision)

    def current_revision(self) -> Optional[str]:
        """Return the schema's Alembic revision, or None before the first migration."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()


def alembic_config(connection: Any = None) -> Any:
    """Return an Alembic config for the package's migrations, bound to a connection."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.attributes["connection"] = connection
    return config


def make_engine(
    url: str, connect_timeout: int, statement_timeout_ms: int, pool_size: int
) -> Engine:
    """Create the engine with settings that suit each database."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, future=True, connect_args={"check_same_thread": False, "timeout": 15}
        )
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    connect_args = {"connect_timeout": connect_timeout}  # type: Dict[str, Any]
    if statement_timeout_ms:
        connect_args["options"] = "-c statement_timeout=%d" % statement_timeout_ms
    return create_engine(
        url,
        future=True,
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=connect_timeout,
        connect_args=connect_args,
    )


def _configure_sqlite(connection: Any, _record: Any) -> None:
    """Turn on foreign keys and write-ahead logging for each SQLite connection."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def database() -> Database:
    """Return the current app's database."""
    return current_app.extensions["maimai_probe.db"]


def session() -> Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = database().session()
    return g.db_session


def close_session(_exception: Optional[BaseException] = None) -> None:
    """Close this request's session, rolling back what was not committed."""
    opened = g.pop("db_session", None)
    if opened is not None:
        opened.close()


def insert_ignore(
    db_session: Session, table: Any, rows: List[Dict[str, Any]], conflict: Iterable[str]
) -> int:
    """Insert rows, skipping those a unique key already holds; return how many were new."""
    if not rows:
        return 0
    dialect = db_session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - only the two supported databases
        raise RuntimeError("insert-or-ignore is not written for %s" % dialect)
    conflict = list(conflict)
    if dialect == "postgresql" and all(row.keys() == rows[0].keys() for row in rows):
        return _insert_ignore_pages(db_session, table, rows, conflict)
    if dialect == "postgresql":
        # One round trip per chunk; RETURNING counts exactly the rows this statement added.
        added = 0
        for start in range(0, len(rows), 500):
            statement = (
                insert(table)
                .values(rows[start : start + 500])
                .on_conflict_do_nothing(index_elements=conflict)
                .returning(*table.primary_key.columns)
            )
            added += len(db_session.execute(statement).all())
        return added
    statement = insert(table).on_conflict_do_nothing(index_elements=conflict)
    return sum(db_session.execute(statement, row).rowcount for row in rows)


#: Rows per INSERT of insert-or-ignore on PostgreSQL.
INSERT_PAGE = 500


def _insert_ignore_pages(
    db_session: Session, table: Any, rows: List[Dict[str, Any]], conflict: List[str]
) -> int:
    """Insert-or-ignore on PostgreSQL with psycopg2's execute_values, 500 rows a statement.

    SQLAlchemy compiles a multi-row VALUES statement anew for every chunk, which costs far
    more than the database's work for thousands of rows (an archive import); execute_values
    sends the same INSERT ... ON CONFLICT DO NOTHING RETURNING, one round trip a page,
    with each value prepared by its column type (JSON serialised) as SQLAlchemy would.
    """
    from psycopg2.extras import execute_values

    connection = db_session.connection()
    dialect = connection.dialect
    quote = dialect.identifier_preparer
    names = list(rows[0])
    processors = [table.c[name].type.bind_processor(dialect) for name in names]
    values = [
        tuple(
            value if process is None or value is None else process(value)
            for value, process in zip((row[name] for name in names), processors)
        )
        for row in rows
    ]
    # Only the table's own quoted names go into the text; every value is a parameter.
    statement = "INSERT INTO %s (%s) VALUES %%s ON CONFLICT (%s) DO NOTHING RETURNING 1" % (  # noqa: S608
        quote.format_table(table),
        ", ".join(quote.format_column(table.c[name]) for name in names),
        ", ".join(quote.format_column(table.c[name]) for name in conflict),
    )
    cursor = connection.connection.cursor()
    try:
        added = execute_values(cursor, statement, values, page_size=INSERT_PAGE, fetch=True)
    finally:
        cursor.close()
    return len(added)


def init_app(app: Flask) -> None:
    """Create the app's database, close sessions on teardown, and add the db commands."""
    db = Database(
        app.config["DATABASE_URL"],
        connect_timeout=app.config["DB_CONNECT_TIMEOUT"],
        statement_timeout_ms=app.config["DB_STATEMENT_TIMEOUT_MS"],
        pool_size=app.config["DB_POOL_SIZE"],
    )
    app.extensions["maimai_probe.db"] = db
    app.teardown_appcontext(close_session)
    app.cli.add_command(db_commands)
    if app.config["AUTO_MIGRATE"]:
        db.migrate()


db_commands = AppGroup("db", help="Manage the database schema.")


@db_commands.command("upgrade")
@click.argument("revision", default="head")
def upgrade_command(revision: str) -> None:
    """Apply the schema migrations up to REVISION (default: the newest)."""
    db = database()
    db.migrate(revision)
    click.echo("database at revision %s" % db.current_revision())


@db_commands.command("current")
def current_command() -> None:
    """Print the schema's revision."""
    click.echo(database().current_revision() or "empty: run flask --app maimai_probe db upgrade")
