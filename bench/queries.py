"""SQL statements per request of the reading pages, by page size and archive size.

    .venv/bin/python -m bench.queries --small URL_OF_1000_PLAYS --large URL_OF_100000_PLAYS

Statements are counted with SQLAlchemy's before_cursor_execute on the app's own engines, for
one GET through the test client. A GET reads in autocommit on PostgreSQL, so no BEGIN or
ROLLBACK travels; a pooled connection idle over a second also gets a ping, which that event
does not see.
"""

import argparse
import statistics
import time
from typing import Any, List, NamedTuple, Tuple

from bench import common

#: The player of both archives whose pages are counted.
PLAYER = "player05"
SIZES = (10, 100)


class Page(NamedTuple):
    """A page counted: its name and its path, with {size} where it takes a page size."""

    name: str
    path: str


PAGES = (
    Page("record page", "/players/%s/plays?size={size}" % PLAYER),
    Page(
        "record page, filtered, 2nd page",
        "/players/%s/plays?size={size}&before={middle}"
        "&difficulty=master&difficulty=remaster" % PLAYER,
    ),
    Page("diff page", "/players/%s/diff?size={size}" % PLAYER),
    Page("diff page, only improvements", "/players/%s/diff?size={size}&improved=1" % PLAYER),
    Page("home (no page size)", "/players/%s/" % PLAYER),
    Page("best 50 (no page size)", "/players/%s/best50" % PLAYER),
    Page("plates (no page size)", "/players/%s/plates" % PLAYER),
    Page("plate 舞将 (no page size)", "/players/%s/plates/舞将" % PLAYER),
    Page("rating plan (no page size)", "/players/%s/plan" % PLAYER),
    Page("song cards (no page size)", "/players/%s/songs" % PLAYER),
    Page("catalog song cards (no page size)", "/songs"),
    Page("API plays", "/api/players/%s/plays?size={size}" % PLAYER),
    Page("API diff", "/api/players/%s/diff?size={size}" % PLAYER),
)


def app_for(url: str) -> Any:
    """Create an app on a benchmark database, keeping no pages: every request renders."""
    from maimai_probe import create_app

    return create_app(common.app_settings(url, PAGE_CACHE_BYTES=0))


def middle_time(app: Any) -> int:
    """Return the played_at in the middle of the player's plays, for a second page's cursor."""
    from sqlalchemy import func, select

    from maimai_probe.models import Play, Player

    database = app.extensions["maimai_probe.db"]
    with database.engine.connect() as connection:
        lowest, highest = connection.execute(
            select(func.min(Play.played_at), func.max(Play.played_at))
            .join(Player, Player.id == Play.player_id)
            .where(Player.name == PLAYER)
        ).one()
    return (lowest + highest) // 2


def measure(app: Any, path: str, repeats: int) -> Tuple[int, float]:
    """Return the statements one GET runs and its median milliseconds over a few GETs."""
    client = app.test_client()
    response = client.get(path)  # warm: compiled statements and templates cached
    if response.status_code != 200:
        raise RuntimeError("%s answered %d" % (path, response.status_code))
    with app.extensions["maimai_probe.db"].recorded_statements() as statements:
        client.get(path)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    return len(statements), statistics.median(times)


def run(small_url: str, large_url: str, repeats: int = 5) -> List[common.Table]:
    """Count statements and time each page at two page sizes on both archives."""
    archives = (("1,000", small_url), ("100,000", large_url))
    counts = {}  # type: Dict[Tuple[str, str, int], Tuple[int, float]]
    for label, url in archives:
        app = app_for(url)
        middle = middle_time(app)
        for page in PAGES:
            for size in SIZES:
                path = page.path.format(size=size, middle=middle)
                counts[(page.name, label, size)] = measure(app, path, repeats)
        app.extensions["maimai_probe.db"].dispose()
    cells = [(label, size) for label, _ in archives for size in SIZES]
    heads = ["%s plays, size %d" % cell for cell in cells]
    query_rows = []
    time_rows = []
    for page in PAGES:
        found = [counts[(page.name, label, size)] for label, size in cells]
        numbers = [count for count, _ in found]
        query_rows.append([page.name] + numbers + [len(set(numbers)) == 1])
        time_rows.append([page.name] + [ms for _, ms in found])
    return [
        common.Table(
            "Queries per request: statements by page size and archive size",
            ["page"] + heads + ["constant"],
            query_rows,
            [
                "Counted with before_cursor_execute on the app's engines, one GET each, "
                "player %s (100 plays in the 1,000-play archive, 10,000 in the other). "
                "Reads run in autocommit, so these are all the round trips but a ping of "
                "a pooled connection idle over a second. With the page cache on (here it is "
                "off) the player's row is read before the view, without a session, and "
                "reused by it: the same count for a page rendered anew, one for a kept "
                "one." % PLAYER
            ],
        ),
        common.Table(
            "Time per request in-process (ms, median of %d), same cells" % repeats,
            ["page"] + heads,
            time_rows,
            [
                "Test client in the bench's process, no HTTP server, no compression "
                "(no Accept-Encoding), no page cache (PAGE_CACHE_BYTES=0: every request renders)."
            ],
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", required=True, help="a database with 1,000 plays")
    parser.add_argument("--large", required=True, help="a database with 100,000 plays")
    parser.add_argument("--repeats", type=int, default=5)
    options = parser.parse_args()
    for table in run(options.small, options.large, options.repeats):
        common.show(table)


if __name__ == "__main__":
    main()
