"""Links to a chart's pages, written so that a title in a link reads as it does on the page.

Record cards and song list rows each link to their chart by title. Percent-encoded, a
Japanese title costs nine bytes a character in every link, and Brotli can't match it with the
title shown beside it: on the whole-catalog song list the links were an eighth of the bytes
sent. The URL Standard lets a query hold every code point from U+00A0 up but noncharacters,
and a browser encodes them as UTF-8 when it follows the link, so the app reads the same
arguments as from a percent-encoded link. Only what a query can't hold is encoded here.

A chart of the catalog has a shorter name still: its Diving-Fish song id and difficulty. The
song list links by that, so a row's link shares its song id with the song's other rows.
"""

import functools
import re
import string
from typing import Any, Union
from urllib.parse import quote

from flask import Blueprint, g, url_for

bp = Blueprint("chart_links", __name__)

#: ASCII a query value may hold as it is (URL code points, but the query's own & = + #).
QUERY_ASCII = string.ascii_letters + string.digits + "-._~!$'()*,;:@/?"


def _url_code_points() -> str:
    """Return a character class of the non-ASCII code points a URL may hold as they are."""
    ranges = ["\u00a0-\ufdcf", "\ufdf0-\ufffd"]
    for plane in range(1, 17):  # each plane ends in two noncharacters
        base = plane << 16
        ranges.append("%s-%s" % (chr(base), chr(base + 0xFFFD)))
    return "".join(ranges)


#: What must be percent-encoded in a query value: the rest stays as it reads.
UNSAFE = re.compile("[^%s%s]" % (re.escape(QUERY_ASCII), _url_code_points()))


def _encode(match: Any) -> str:
    """Percent-encode one character as UTF-8; a space becomes "+", as in a form."""
    character = match.group(0)
    return "+" if character == " " else quote(character, safe="")


def query_value(value: str) -> str:
    """Return a query value with only what a query can't hold percent-encoded."""
    return UNSAFE.sub(_encode, value)


@functools.lru_cache(maxsize=8192)
def chart_query(title: str, kind: str, difficulty: Union[int, str]) -> str:
    """Return a chart's query string; the same few thousand charts come up again and again."""
    return "title=%s&kind=%s&difficulty=%s" % (
        query_value(title),
        query_value(kind),
        query_value(str(difficulty)),
    )


@bp.app_template_global()
def chart_url(
    player_name: str,
    title: str,
    kind: str,
    difficulty: Union[int, str],
    endpoint: str = "history.chart",
) -> str:
    """Return the link to one of a player's chart pages (its history unless told otherwise).

    url_for builds the path once per request and page; each link adds only its query string.
    """
    return chart_path(player_name, endpoint) + "?" + chart_query(title, kind, difficulty)


def chart_path(player_name: str, endpoint: str = "history.chart") -> str:
    """Return the path of a player's chart pages, built by url_for once per request."""
    paths = g.setdefault("_chart_paths", {})
    path = paths.get((endpoint, player_name))
    if path is None:
        path = paths[endpoint, player_name] = url_for(endpoint, name=player_name)
    return path


#: The song id and difficulty url_for is asked for once, to find where a link names them.
SAMPLE_TAIL = (1, "basic")


@bp.app_template_global()
def catalog_chart_url(player_name: str, catalog_id: str, difficulty: Union[int, str]) -> str:
    """Return the link to a player's page of a catalog chart, named by song id and difficulty.

    As chart_url does, url_for builds the player's part once per request; each link then
    adds its song id and difficulty as url_for's converters write them.
    """
    paths = g.setdefault("_catalog_chart_paths", {})
    path = paths.get(player_name)
    if path is None:
        sample = url_for(
            "charts.catalog_chart",
            name=player_name,
            catalog_id=SAMPLE_TAIL[0],
            difficulty=SAMPLE_TAIL[1],
        )
        path = paths[player_name] = sample[: -len("%d/%s" % SAMPLE_TAIL)]
    return "%s%d/%s" % (path, int(catalog_id), quote(str(difficulty), safe=""))
