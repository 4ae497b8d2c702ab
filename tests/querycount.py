"""Count the SQL statements an app sends to its database."""

import contextlib
from typing import Iterator, List

from flask import Flask
from sqlalchemy import event


@contextlib.contextmanager
def count_queries(app: Flask) -> Iterator[List[str]]:
    """Collect the statements the app runs inside the block: on both engines and light reads."""
    database = app.extensions["maimai_probe.db"]
    engines = database.engines()
    statements = []  # type: List[str]

    def record(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        statements.append(statement)

    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    database.read_listeners.append(statements.append)
    try:
        yield statements
    finally:
        database.read_listeners.remove(statements.append)
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


def queries_for(app: Flask, client, url: str) -> List[str]:
    """Return the statements one GET runs when rendered, checking it succeeded.

    Tests add rows behind the app's back, without bumping the player's revision: forget the
    kept pages so the page is rendered from what the database holds now.
    """
    kept = app.extensions.get("maimai_probe.page_cache")
    if kept is not None:
        kept.clear()
    with count_queries(app) as statements:
        response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return list(statements)
