"""The database: one engine per app, one session per request, migrations and insert-or-ignore.

On PostgreSQL a GET or HEAD reads in autocommit: under READ COMMITTED every statement takes
its own snapshot inside a transaction too, so BEGIN and ROLLBACK would only add two round
trips to each page. Writes (imports, tokens, chosen charts) keep one transaction each.
"""

import contextlib
import os
import threading
import time
from typing import TYPE_CHECKING, Any, Dict, Iterable, Iterator, List, Optional, Tuple

import click
from flask import Flask, current_app, g, has_request_context, request
from flask.cli import AppGroup

# SQLAlchemy is imported when the first request opens the database, not with the app: a page
# that needs no database (and a cold start until its first query) does without its 0.2 s.
if TYPE_CHECKING:  # pragma: no cover - for the type checker only
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

MIGRATIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "migrations")
#: A pooled connection unused this many seconds is pinged before it is handed out again.
PING_AFTER_IDLE_SECONDS = 1.0
#: Requests that only read.
READING_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))
#: How much longer than the server's statement timeout the client waits for an answer, so a
#: slow statement ends with the server's clear error and only a silent server hits the deadline.
ANSWER_MARGIN_MS = 1000
#: Statements compiled for raw reads kept at most; past it the dictionary starts again.
MAX_PREPARED = 256


class UnstorableText(ValueError):
    """A statement's text holds a character PostgreSQL refuses: NUL, or a lone surrogate."""

    def __init__(self, character: str) -> None:
        super().__init__("text holds U+%04X, which the database cannot keep" % ord(character))
        self.character = character


class Database:
    """The engine and session factory of one app."""

    def __init__(
        self,
        url: str,
        connect_timeout: int = 3,
        statement_timeout_ms: int = 0,
        pool_size: int = 5,
        read_timeout_ms: int = 0,
    ) -> None:
        self.url = url
        #: How long a request that writes, and one that only reads, waits for PostgreSQL
        #: in all: its statement timeout and the margin (None: as long as it takes).
        self.write_seconds = answer_seconds(statement_timeout_ms)
        self.read_seconds = answer_seconds(read_timeout_ms)
        self._settings = (connect_timeout, statement_timeout_ms, pool_size, read_timeout_ms)
        self._opened = None  # type: Optional[Tuple[Any, Any]]
        self._session_factories = None  # type: Optional[Tuple[Any, Any]]
        self._opening = threading.Lock()
        self._compiled = {}  # type: Dict[Any, Any]
        #: Functions called with the SQL of every read_row (query counting in tests and bench).
        self.read_listeners = []  # type: List[Any]

    def _open(self) -> Tuple[Any, Any]:
        """Create the engine that writes and the one that reads on first use; return them."""
        opened = self._opened
        if opened is not None:
            return opened
        with self._opening:
            if self._opened is not None:
                return self._opened
            connect_timeout, statement_timeout_ms, pool_size, read_timeout_ms = self._settings
            engine = make_engine(self.url, connect_timeout, statement_timeout_ms, pool_size)
            reading_engine = engine
            if engine.dialect.name == "postgresql":
                # A pool of its own: switching a pooled connection in and out of autocommit
                # costs a round trip each way with psycopg2.
                reading_engine = make_engine(
                    self.url, connect_timeout, read_timeout_ms, pool_size, autocommit=True
                )
            self._opened = (engine, reading_engine)
            return self._opened

    def _sessions(self) -> Tuple[Any, Any]:
        """Create the session factories of writes and reads on first use; return them.

        Apart from the engines: a page read raw (read_rows) never imports the ORM.
        """
        factories = self._session_factories
        if factories is None:
            from sqlalchemy.orm import sessionmaker

            engine, reading_engine = self._open()
            factories = self._session_factories = (
                sessionmaker(bind=engine, future=True, expire_on_commit=False),
                sessionmaker(bind=reading_engine, future=True, expire_on_commit=False),
            )
        return factories

    @property
    def engine(self) -> "Engine":
        """The engine that writes."""
        return self._open()[0]

    @property
    def sessions(self) -> Any:
        """The session factory of writes."""
        return self._sessions()[0]

    @property
    def reading_engine(self) -> "Engine":
        """The engine that reads: in autocommit on PostgreSQL, else the one that writes."""
        return self._open()[1]

    @property
    def reading_sessions(self) -> Any:
        """The session factory of reads."""
        return self._sessions()[1]

    def session(self, reading: bool = False) -> "Session":
        """Open a session, in autocommit on PostgreSQL if it only reads; the caller closes it."""
        return self.reading_sessions() if reading else self.sessions()

    def read_row(self, statement: Any, **parameters: Any) -> Optional[Tuple[Any, ...]]:
        """Return the first row of a small read on a pooled connection, without a session.

        The hot path of kept pages: a third of the CPU of an ORM session round trip. None
        when there is no row, and None too when the read itself fails: the connection is
        dropped and the caller goes the ordinary way. A database that cannot be reached
        raises SQLAlchemy's OperationalError, as a session would. Values come as the driver
        gives them, without SQLAlchemy's type processing: read plain columns only.
        """
        rows = self._read(statement, parameters, one=True, quiet=True)
        return rows[0] if rows else None

    def read_rows(self, statement: Any, **parameters: Any) -> List[Tuple[Any, ...]]:
        """Return every row of a read on a pooled connection, as read_row reads its one.

        For the pages a visitor waits for: statements built once, read without a session or
        SQLAlchemy's rows. Values come as the driver gives them (a boolean is 0 or 1 on
        SQLite); a failed read raises SQLAlchemy's DBAPIError, as a session would.
        """
        return self._read(statement, parameters, one=False, quiet=False)

    def _prepared(self, statement: Any) -> Tuple[Any, Dict[str, Any]]:
        """Return a statement compiled for the reading engine, with its parameters' defaults."""
        prepared = self._compiled.get(statement)
        if prepared is None:
            compiled = statement.compile(dialect=self.reading_engine.dialect)
            if "POSTCOMPILE" in compiled.string:
                raise ValueError("a raw read cannot expand parameters: %s" % compiled.string)
            if len(self._compiled) >= MAX_PREPARED:  # statements built per request come and go
                self._compiled.clear()
            defaults = {
                name: parameter.effective_value
                for parameter, name in compiled.bind_names.items()
                if not parameter.required
            }
            prepared = self._compiled[statement] = (compiled, defaults)
        return prepared

    def _read(
        self, statement: Any, parameters: Dict[str, Any], one: bool, quiet: bool
    ) -> List[Tuple[Any, ...]]:
        """Run a prepared statement on a raw pooled connection and fetch one row or all."""
        start_request_deadline(self)
        compiled, defaults = self._prepared(statement)
        merged = dict(defaults, **parameters) if defaults else parameters
        if compiled.positional:
            values = tuple(merged[name] for name in compiled.positiontup)  # type: Any
        else:
            values = merged
        for listener in self.read_listeners:
            listener(compiled.string)
        from sqlalchemy.exc import DBAPIError

        dbapi_error = self.reading_engine.dialect.dbapi.Error
        try:
            connection = self.reading_engine.raw_connection()
        except dbapi_error as error:
            raise DBAPIError.instance(
                compiled.string, values, error, dbapi_error, connection_invalidated=True
            ) from error
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(compiled.string, values)
                if one:
                    row = cursor.fetchone()
                    rows = [tuple(row)] if row is not None else []
                else:
                    rows = cursor.fetchall()  # tuples from both drivers
            finally:
                cursor.close()
        except dbapi_error as error:
            connection.invalidate()
            from .answer_deadline import NoAnswer  # psycopg2's, so only when a read failed

            if not quiet or isinstance(error, NoAnswer):  # the ordinary way would wait again
                raise DBAPIError.instance(
                    compiled.string, values, error, dbapi_error, connection_invalidated=True
                ) from error
            return []
        finally:
            connection.close()
        return rows

    def engines(self) -> List["Engine"]:
        """Return the engines: the one that writes, and the one that reads when it differs."""
        if self.reading_engine is self.engine:
            return [self.engine]
        return [self.engine, self.reading_engine]

    @contextlib.contextmanager
    def recorded_statements(self) -> Iterator[List[str]]:
        """Collect the SQL of every statement run inside the block: both engines, light reads.

        For counting queries in tests and benchmarks; nothing in a request uses it.
        """
        from sqlalchemy import event

        statements = []  # type: List[str]

        def record(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
            statements.append(statement)

        engines = self.engines()
        for engine in engines:
            event.listen(engine, "before_cursor_execute", record)
        self.read_listeners.append(statements.append)
        try:
            yield statements
        finally:
            self.read_listeners.remove(statements.append)
            for engine in engines:
                event.remove(engine, "before_cursor_execute", record)

    def dispose(self) -> None:
        """Close every pooled connection."""
        if self._opened is None:
            return  # never opened: nothing pooled
        for engine in self.engines():
            engine.dispose()

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


def answer_seconds(statement_timeout_ms: int) -> Optional[float]:
    """Return how long to wait for an answer: the statement timeout and the margin, or None."""
    if not statement_timeout_ms:
        return None
    return (statement_timeout_ms + ANSWER_MARGIN_MS) / 1000.0


def alembic_config(connection: Any = None) -> Any:
    """Return an Alembic config for the package's migrations, bound to a connection."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.attributes["connection"] = connection
    return config


def make_engine(
    url: str,
    connect_timeout: int,
    statement_timeout_ms: int,
    pool_size: int,
    autocommit: bool = False,
) -> "Engine":
    """Create the engine with settings that suit each database."""
    from sqlalchemy import create_engine, event

    if url.startswith("sqlite"):
        engine = create_engine(
            url, future=True, connect_args={"check_same_thread": False, "timeout": 15}
        )
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    from . import answer_deadline  # psycopg2 is imported only for PostgreSQL

    connect_args = {
        "connect_timeout": connect_timeout,
        "connection_factory": answer_deadline.connection_class(
            answer_seconds(statement_timeout_ms), connect_timeout or None
        ),
    }  # type: Dict[str, Any]
    # No HSTORE column anywhere: without this psycopg2's dialect asks every new connection for
    # hstore's type OIDs, a round trip before a cold start's first query.
    options = {"use_native_hstore": False}  # type: Dict[str, Any]
    if autocommit:
        options["isolation_level"] = "AUTOCOMMIT"
    if statement_timeout_ms:
        connect_args["options"] = "-c statement_timeout=%d" % statement_timeout_ms
    engine = create_engine(
        url,
        future=True,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=connect_timeout,
        connect_args=connect_args,
        **options,
    )
    event.listen(engine, "handle_error", _refuse_unstorable_text)
    event.listen(engine, "checkin", _note_checkin)
    event.listen(engine, "checkout", _ping_if_idle)
    answer_deadline.install(engine)
    return engine


def _refuse_unstorable_text(context: Any) -> Optional[UnstorableText]:
    """Name the character when psycopg2 refuses a value's text, so the request gets a 400.

    psycopg2 raises a bare ValueError for NUL and UnicodeEncodeError for a lone surrogate
    while it quotes a parameter, before anything reaches the server.
    """
    error = context.original_exception
    if isinstance(error, UnicodeEncodeError):
        return UnstorableText(error.object[error.start : error.start + 1] or "\ufffd")
    if type(error) is ValueError and "NUL (0x00)" in str(error):
        return UnstorableText("\x00")
    return None


def _note_checkin(_connection: Any, record: Any) -> None:
    """Remember when a connection went back to the pool."""
    if record is not None:
        record.info["checked_in_at"] = time.monotonic()


def _ping_if_idle(connection: Any, record: Any, _proxy: Any) -> None:
    """Ping a connection that sat in the pool a while; a dead one is replaced, not handed out.

    Pinging every checkout (pool_pre_ping) costs a round trip per request; under load a
    connection is never idle long, and after a database restart the first error invalidates
    the whole pool, so only a connection that waited gets the ping.
    """
    checked_in_at = record.info.get("checked_in_at")
    if checked_in_at is None or time.monotonic() - checked_in_at < PING_AFTER_IDLE_SECONDS:
        return
    from . import answer_deadline

    autocommit = connection.autocommit
    try:
        # A ping is part of getting a connection: it waits no longer than connecting would,
        # and the reconnect after an unanswered one shares the request's deadline.
        with answer_deadline.within(getattr(connection, "connect_seconds", None)):
            connection.autocommit = True  # the ping opens no transaction: nothing to roll back
            cursor = connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
            connection.autocommit = autocommit
    except Exception as error:  # noqa: BLE001 - any failure means the connection is gone
        from sqlalchemy.exc import DisconnectionError

        raise DisconnectionError("the pooled connection is gone: %s" % error) from error


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


def session() -> "Session":
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        reading = has_request_context() and request.method in READING_METHODS
        start_request_deadline(database())
        g.db_session = database().session(reading=reading)
    return g.db_session


def start_request_deadline(db: Database) -> None:
    """Give this request's waits for PostgreSQL one deadline, from its first use of it on.

    A read waits DB_READ_TIMEOUT_MS and the margin in all, a write DB_STATEMENT_TIMEOUT_MS
    and the margin: each wait (connecting, a ping, an answer) has its own bound too, and
    this keeps them from adding up.
    """
    if not has_request_context() or "db_deadline" in g or db.reading_engine is db.engine:
        return  # outside a request, already begun, or not PostgreSQL (one engine)
    reading = request.method in READING_METHODS
    g.db_deadline = True
    from . import answer_deadline

    answer_deadline.begin(db.read_seconds if reading else db.write_seconds)


def close_session(_exception: Optional[BaseException] = None) -> None:
    """Close this request's session, rolling back what was not committed; drop its deadline."""
    opened = g.pop("db_session", None)
    try:
        if opened is not None:
            opened.close()
    finally:
        if g.pop("db_deadline", False):
            from . import answer_deadline

            answer_deadline.end()


def insert_ignore(
    db_session: "Session", table: Any, rows: List[Dict[str, Any]], conflict: Iterable[str]
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
    db_session: "Session", table: Any, rows: List[Dict[str, Any]], conflict: List[str]
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
        read_timeout_ms=app.config["DB_READ_TIMEOUT_MS"],
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
    click.echo("数据库已在版本 %s" % db.current_revision())


@db_commands.command("current")
def current_command() -> None:
    """Print the schema's revision."""
    click.echo(database().current_revision() or "数据库是空的：运行 db upgrade 建表")
