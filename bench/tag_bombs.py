"""CPU seconds of one import request for pages built to burn the parser's time.

    .venv/bin/python -m bench.tag_bombs

Each page goes to POST /api/players/<name>/imports as text/html, on an app over a temp
SQLite file, with a new player each; the CPU time is this process's (user + system) around
the request. The real record page (../shared/fixtures, else our hand-made one) is the
yardstick: it must stay a few tens of milliseconds.
"""

import os
import resource
import tempfile
from typing import Callable, Dict, List

from bench import common
from maimai_probe import create_app
from maimai_probe.importing import tokens

SHARED_PAGE = common.ROOT.parent / "shared" / "fixtures" / "maimai-mobile" / "record.html"
OWN_PAGE = common.ROOT / "tests" / "fixtures" / "pages" / "record_cn.html"

#: name -> a function building the page (built only when measured: some are 8 MB).
PAGES: Dict[str, Callable[[], bytes]] = {
    "2,790,000 <a>": lambda: b"<a>" * 2790000,
    "1,000,000 <p>": lambda: b"<p>" * 1000000,
    "1,600,000 &amp;": lambda: b"<html>" + b"&amp;" * 1600000,
    "one tag of 4,000,000 attributes": lambda: b"<div" + b" b" * 4000000 + b">",
    "31,000 <a></a> (within the bounds)": lambda: b"<html>" + b"<a></a>" * 31000,
    "63,000 <br> (within the bounds)": lambda: b"<html>" + b"<br>" * 63000,
    "the record page": lambda: (SHARED_PAGE if SHARED_PAGE.exists() else OWN_PAGE).read_bytes(),
}


def cpu_seconds() -> float:
    """Return this process's CPU time so far, user and system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def warm_up(client, database) -> None:
    """Import the record page once, so the first measured request pays no first-use costs."""
    session = database.session()
    _, token = tokens.create_player(session, "warm-up", now=1)
    session.commit()
    session.close()
    client.post(
        "/api/players/warm-up/imports",
        data=PAGES["the record page"](),
        headers={"Authorization": "Bearer " + token, "Content-Type": "text/html"},
    )


def run() -> List[common.Table]:
    """Send each page once and return the CPU seconds and the answer of each request."""
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "TESTING": True,
                "APP_ENV": "testing",
                "SECRET_KEY": common.BENCH_SECRET,
                "DATABASE_URL": "sqlite:///%s" % os.path.join(folder, "bombs.sqlite3"),
                "AUTO_MIGRATE": True,
            }
        )
        client = app.test_client()
        database = app.extensions["maimai_probe.db"]
        try:
            warm_up(client, database)
            for number, (name, build) in enumerate(PAGES.items()):
                body = build()
                session = database.session()
                _, token = tokens.create_player(session, "bomb%d" % number, now=1)
                session.commit()
                session.close()
                start = cpu_seconds()
                answer = client.post(
                    "/api/players/bomb%d/imports" % number,
                    data=body,
                    headers={"Authorization": "Bearer " + token, "Content-Type": "text/html"},
                )
                spent = cpu_seconds() - start
                files = (answer.get_json() or {}).get("files") or [{}]
                said = files[0].get("error") or "stored"
                rows.append((name, len(body), answer.status_code, spent, said[:60]))
        finally:
            database.dispose()
    return [
        common.Table(
            "Pages built to burn the parser's time: CPU seconds per import request",
            ["page", "bytes", "status", "CPU s", "answer"],
            rows,
            [
                "One request each, through the API on SQLite, after one warm-up import of the "
                "record page; CPU of this process around the request."
            ],
        )
    ]


def main() -> None:
    for table in run():
        print(common.text_table(table))


if __name__ == "__main__":
    main()
