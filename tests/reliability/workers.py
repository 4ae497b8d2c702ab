"""Code that runs in child processes of the reliability tests: each builds its own app."""

import time
import traceback
from typing import Any, Dict, List, Tuple
from urllib.parse import quote

from maimai_probe import create_app

SECRET = "reliability-secret-0123456789"
#: Plays of the big play import: forty full record pages' worth.
MANY_PLAYS = 2000


def app_settings(database_url: str, **extra: Any) -> Dict[str, Any]:
    """Return settings for an app of a child process on an already migrated database."""
    values = {
        "TESTING": True,
        "APP_ENV": "testing",
        "SECRET_KEY": SECRET,
        "DATABASE_URL": database_url,
        "AUTO_MIGRATE": False,
    }
    values.update(extra)
    return values


def import_url(name: str) -> str:
    """Return the API's import address of a player."""
    return "/api/players/%s/imports" % quote(name)


def import_rounds(
    worker: int,
    database_url: str,
    players: List[Tuple[str, str]],
    page: bytes,
    barrier: Any,
    results: Any,
) -> None:
    """Post one page for each player in turn, every round starting with the other workers."""
    try:
        app = create_app(app_settings(database_url))
        client = app.test_client()
        assert client.get("/").status_code == 200  # connect before the race starts
        for number, (name, token) in enumerate(players):
            barrier.wait(timeout=60)
            started = time.monotonic()
            response = client.post(
                import_url(name),
                data=page,
                content_type="text/html; charset=utf-8",
                headers={"Authorization": "Bearer " + token},
            )
            results.put(
                (
                    worker,
                    number,
                    response.status_code,
                    response.get_json(silent=True),
                    time.monotonic() - started,
                )
            )
    except BaseException:  # noqa: B036 - everything must reach the parent, the child just ends
        results.put((worker, -1, 0, traceback.format_exc(), 0.0))
        barrier.abort()


def divingfish_export(count: int) -> bytes:
    """Return a Diving-Fish export of count distinct records."""
    import json

    records = [
        {
            "title": "曲 %05d" % number,
            "type": "DX" if number % 2 else "SD",
            "level_index": number % 5,
            "achievements": round(80 + (number % 2100) / 100, 4),
            "dxScore": number % 3000,
            "fc": ["", "fc", "fcp", "ap", "app"][number % 5],
            "fs": ["", "fs", "fsp", "fsd", "fsdp"][number % 5],
        }
        for number in range(count)
    ]
    return json.dumps({"username": "x", "records": records}).encode("utf-8")


def many_plays_page(count: int) -> Any:
    """Return a parsed page of count plays with a detail each, as a big multi-file import."""
    from import_helpers import play
    from maimai_probe.parsing.results import ParsedPage, PlayDetail

    times = [1700000000 + number * 60 for number in range(count)]
    details = {t: PlayDetail(judgements={"tap": [1, 2, 3, 4, 5]}, max_combo=100) for t in times}
    return ParsedPage(page="record", service="cn", plays=[play(t) for t in times], details=details)


class CountingCursor:
    """A DBAPI cursor that counts the statements it runs, for execute_values."""

    def __init__(self, cursor: Any, counted: Any) -> None:
        self._cursor = cursor
        self._counted = counted

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        result = self._cursor.execute(*args, **kwargs)
        self._counted()
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


def count_raw_pages(inserts: List[int], pause_after: int, pause: Any) -> None:
    """Count the pages psycopg2's execute_values sends, where insert-or-ignore uses it."""
    try:
        import psycopg2.extras
    except ImportError:  # pragma: no cover - psycopg2 is a dependency
        return
    execute_values = psycopg2.extras.execute_values

    def counting_execute_values(cursor: Any, *args: Any, **kwargs: Any) -> Any:
        def counted() -> None:
            inserts[0] += 1
            if inserts[0] == pause_after:
                pause("after %d inserts" % pause_after)

        return execute_values(CountingCursor(cursor, counted), *args, **kwargs)

    psycopg2.extras.execute_values = counting_execute_values


def import_until_killed(
    database_url: str, name: str, token: str, kind: str, pause_after: int, signals: Any
) -> None:
    """Store a big import and stop for good partway: after some INSERTs, or before COMMIT.

    pause_after > 0 pauses after that many INSERT statements; 0 pauses once every row is
    written, just before the transaction commits. The parent kills the process there.
    """
    try:
        from sqlalchemy.orm import Session

        from maimai_probe.importing import store

        app = create_app(app_settings(database_url))
        execute = Session.execute
        inserts = [0]

        def pause(where: str) -> None:
            signals.put(("paused", where, inserts[0]))
            time.sleep(120)  # the parent kills us long before this ends
            signals.put(("not killed", where, inserts[0]))

        def counting_execute(self: Any, statement: Any, *args: Any, **kwargs: Any) -> Any:
            result = execute(self, statement, *args, **kwargs)
            if getattr(statement, "is_insert", False):
                inserts[0] += 1
                if inserts[0] == pause_after:
                    pause("after %d inserts" % pause_after)
            return result

        def paused_commit(self: Any) -> None:
            pause("before commit")

        Session.execute = counting_execute
        count_raw_pages(inserts, pause_after, pause)
        if pause_after == 0:
            Session.commit = paused_commit
        if kind == "divingfish":
            response = app.test_client().post(
                import_url(name),
                data=divingfish_export(10000),
                content_type="application/json",
                headers={"Authorization": "Bearer " + token},
            )
            signals.put(("answered", response.status_code, inserts[0]))
        else:
            with app.app_context():
                from maimai_probe import db
                from maimai_probe.importing.tokens import find_player

                session = db.session()
                player = find_player(session, name)
                store.import_pages(session, player, [many_plays_page(MANY_PLAYS)], now=1)
            signals.put(("answered", 0, inserts[0]))
    except BaseException:  # noqa: B036 - everything must reach the parent
        signals.put(("error", traceback.format_exc(), 0))
