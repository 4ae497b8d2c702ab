"""Bytes and milliseconds per encoding for the largest pages and the static assets.

    .venv/bin/python -m bench.compression --url postgresql://.../probe_bench [--repeats 5]

Each body is fetched from the app three times: without Accept-Encoding, with gzip, with br;
the bytes are what the app sent. The milliseconds are those of compressing the plain body
once at the levels the app is configured with (flask_serverless.compression's defaults unless
the config says otherwise). Static files are compressed once per worker and cached, so for
them Brotli's best quality (11) is shown too: its time would be paid once.
The anchor: the original probe sent a 3.1 MB page that Brotli brought to 76.1 kB (41x).
"""

import argparse
import gzip
import html
import re
import statistics
import time
from functools import partial
from typing import Any, Callable, List, NamedTuple

import brotli

from bench import common

PLAYER = "player05"
#: A page size larger than the catalog, so the song lists show every chart on one page.
WHOLE_CATALOG = 100000
ANCHOR = "original probe: 3.1 MB page -> 76.1 kB with Brotli (41x)"
ANCHOR_BYTES = 76100
#: Brotli qualities tried on the largest page; the app sends 7 (11 is what the anchor might use).
QUALITIES = (4, 5, 7, 9, 11)
#: Flask-Compress's own default quality, what an app that doesn't set one sends.
FLASK_COMPRESS_QUALITY = 4
TAG = re.compile(r"<[^>]*>")
SPACE = re.compile(r"\s+")


class Body(NamedTuple):
    """What is compressed: its name, path, and kind: "page", "json" or "static"."""

    name: str
    path: str
    kind: str


BODIES = (
    Body("record page, size=200 (its largest)", "/players/%s/plays?size=200" % PLAYER, "page"),
    Body("diff page, size=200", "/players/%s/diff?size=200" % PLAYER, "page"),
    Body("song list, whole catalog", "/songs", "page"),
    Body("player's song list, whole catalog", "/players/%s/songs" % PLAYER, "page"),
    Body("export JSON (10,000 plays)", "/api/players/%s/export" % PLAYER, "json"),
    Body("static: site.css", "/css/site.css", "static"),
    Body("static: charts.js", "/js/charts.js", "static"),
    Body("static: uPlot (vendor chart lib)", "/vendor/uplot/uPlot.iife.min.js", "static"),
)


def median_ms(step: Callable[[], object], repeats: int) -> float:
    """Return the median milliseconds of a step."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        step()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def fetch(client: Any, path: str, encoding: str) -> bytes:
    """GET a path with one Accept-Encoding (or none) and check the answer's encoding."""
    headers = {"Accept-Encoding": encoding} if encoding else {}
    response = client.get(path, headers=headers)
    if response.status_code != 200:
        raise RuntimeError("%s answered %d" % (path, response.status_code))
    sent = response.headers.get("Content-Encoding", "")
    if sent != encoding:
        raise RuntimeError("%s: asked for %r, got %r" % (path, encoding or "identity", sent))
    return response.get_data()


def kib(size: int) -> str:
    """Format bytes as kB (1000) the way the anchor does."""
    if size >= 1000000:
        return "%.2f MB" % (size / 1e6)
    return "%.1f kB" % (size / 1e3)


def run(url: str, repeats: int = 5) -> List[common.Table]:
    """Measure every body under each encoding."""
    from maimai_probe import config, create_app

    app = create_app(common.app_settings(url, PAGE_SIZE=WHOLE_CATALOG))
    gzip_level = app.config["COMPRESS_LEVEL"]
    br_level = app.config["COMPRESS_BR_LEVEL"]
    window = app.config["COMPRESS_BR_WINDOW"]
    client = app.test_client()
    rows = []
    largest = None
    for body in BODIES:
        plain = fetch(client, body.path, "")
        gzipped = fetch(client, body.path, "gzip")
        brotlied = fetch(client, body.path, "br")
        # The export names the second it was made (exported_at): compare lengths only.
        assert len(gzip.decompress(gzipped)) == len(plain) == len(brotli.decompress(brotlied))
        gzip_ms = median_ms(partial(gzip.compress, plain, compresslevel=gzip_level), repeats)
        br_ms = median_ms(partial(brotli.compress, plain, quality=br_level, lgwin=window), repeats)
        best = best_ms = None
        if body.kind == "static":
            best = len(brotli.compress(plain, quality=11, lgwin=window))
            best_ms = median_ms(partial(brotli.compress, plain, quality=11, lgwin=window), repeats)
        rows.append(
            (
                body.name,
                kib(len(plain)),
                kib(len(gzipped)),
                gzip_ms,
                kib(len(brotlied)),
                br_ms,
                "%.1fx" % (len(plain) / float(len(brotlied))),
                kib(best) if best else None,
                best_ms,
            )
        )
        if body.kind == "page" and (largest is None or len(plain) > largest[1]):
            largest = (body.name, len(plain), len(brotlied), plain)
    app.extensions["maimai_probe.db"].dispose()
    assert largest is not None
    name, plain_size, br_size, largest_body = largest
    notes = [
        "Levels from the app's config: gzip %d, Brotli quality %d (window 2^%d); pages below "
        "%d bytes go out plain. ms: compressing the plain body once, median of %d."
        % (gzip_level, br_level, window, app.config["COMPRESS_MIN_SIZE"], repeats),
        "Song lists with PAGE_SIZE=%d so the whole catalog is one page (the app's default "
        "is %d per page); player %s has 10,000 plays."
        % (WHOLE_CATALOG, config.defaults()["PAGE_SIZE"], PLAYER),
        "Largest HTML page: %s, %s -> %s with Brotli: **%.1fx**, %s the anchor's %s (%s)."
        % (
            name,
            kib(plain_size),
            kib(br_size),
            plain_size / float(br_size),
            "under" if br_size < ANCHOR_BYTES else "over",
            kib(ANCHOR_BYTES),
            ANCHOR,
        ),
    ]
    columns = (
        "body",
        "identity",
        "gzip",
        "gzip ms",
        "br",
        "br ms",
        "br ratio",
        "br 11 (static)",
        "br 11 ms",
    )
    return [
        common.Table("Compression: bytes and ms per encoding", columns, rows, notes),
        qualities_table(name, largest_body, window, br_level),
    ]


def visible_text(page: bytes) -> bytes:
    """Return what a reader sees of a page: its text, tags dropped, runs of space made one."""
    text = html.unescape(TAG.sub(" ", page.decode("utf-8")))
    return SPACE.sub(" ", text).encode("utf-8")


def quality_note(quality: int, app_quality: int) -> str:
    """Say whose quality this is: the app's, or Flask-Compress's default."""
    if quality == app_quality:
        return " (the app's)"
    return " (Flask-Compress default)" if quality == FLASK_COMPRESS_QUALITY else ""


def qualities_table(name: str, page: bytes, window: int, app_quality: int) -> common.Table:
    """Show the largest page at each Brotli quality, and its visible text alone, the floor."""
    rows = []
    text = visible_text(page)
    for label, body in (("the page as sent", page), ("its visible text alone", text)):
        for quality in QUALITIES:
            packed = len(brotli.compress(body, quality=quality, lgwin=window))
            repeats = 1 if quality >= 10 else 3
            took = median_ms(partial(brotli.compress, body, quality=quality, lgwin=window), repeats)
            rows.append(
                (
                    label,
                    "%d%s" % (quality, quality_note(quality, app_quality)),
                    kib(len(body)),
                    kib(packed),
                    "%.1fx" % (len(page) / float(packed)),
                    took,
                    "yes" if packed < ANCHOR_BYTES else "no",
                )
            )
    notes = [
        "%s. Ratio: the whole page's bytes over these compressed bytes. The visible text is "
        "the page with every tag removed (what a reader sees: no markup, no links), roughly "
        "the floor for any page that shows the same rows at the same quality." % name,
        "ms: compressing once (quality 10 and up: one run). The app compresses a kept page "
        "once per player revision, but a request that renders it waits for that.",
    ]
    columns = ("body", "Brotli quality", "bytes", "br", "ratio", "br ms", "under 76.1 kB")
    title = "Compression: the largest page at each Brotli quality"
    return common.Table(title, columns, rows, notes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="a database bench.archive filled")
    parser.add_argument("--repeats", type=int, default=5)
    options = parser.parse_args()
    for table in run(options.url, options.repeats):
        common.show(table)


if __name__ == "__main__":
    main()
