"""Chart links keep a title as it reads, and still bring a browser to that very chart."""

import html
import re
import string
from urllib.parse import quote

import pytest
from markupsafe import escape

from factories import BASE_TIME, add_play, add_player
from maimai_probe.web.chart_links import chart_url, query_value

TITLES = [
    "Re:Unknown X",
    "系ぎて",
    "セガ & 舞萌",
    "全角\u3000スペース",
    "a+b=c? 100% #1 /slash\\ 'quote' \"double\"",
    "space  and\ttab",
    "emoji 🎵 ~!$()*,;:@ `^{|}[]",
    "<script>alert(1)</script>",
    "next\x85line \ufdd0 \ufffe \U0001fffe",
]
CARD_LINK = re.compile(r'<h3 class="play-title"><a href="([^"]*)">')


def as_a_browser_sends(href: str) -> str:
    """Return the link as a browser asks for it: non-ASCII, spaces and controls as UTF-8 %XX."""
    return quote(html.unescape(href), safe=string.punctuation)


@pytest.mark.parametrize(
    "value, written",
    [
        ("系ぎて", "系ぎて"),
        ("全角\u3000スペース", "全角\u3000スペース"),
        ("Re:Unknown X", "Re:Unknown+X"),
        ("a+b=c&d#e%f", "a%2Bb%3Dc%26d%23e%25f"),
        ("'q' \"d\" <t>", "'q'+%22d%22+%3Ct%3E"),
        ("\t\x01\x7f", "%09%01%7F"),
        ("\x85", "%C2%85"),  # C1 controls are not URL code points
        ("\ufdd0\ufffe\U0001fffe", "%EF%B7%90%EF%BF%BE%F0%9F%BF%BE"),  # nor noncharacters
        ("🎵", "🎵"),
        ("\\`^{|}[]", "%5C%60%5E%7B%7C%7D%5B%5D"),
        ("-._~!$()*,;:@/?", "-._~!$()*,;:@/?"),
    ],
)
def test_a_query_value_encodes_only_what_a_query_cannot_hold(value, written):
    assert query_value(value) == written


@pytest.mark.parametrize("title", TITLES)
def test_a_card_link_followed_as_a_browser_does_opens_its_chart(client, session, title):
    player = add_player(session)
    add_play(session, player, played_at=BASE_TIME, title=title)
    page = client.get("/players/alice/plays").get_data(as_text=True)
    (link,) = CARD_LINK.findall(page)
    chart = client.get(as_a_browser_sends(link))
    assert chart.status_code == 200
    assert '<h1 class="chart-title">%s</h1>' % escape(title) in chart.get_data(as_text=True)


@pytest.mark.parametrize("title", TITLES)
def test_the_chart_page_link_reads_back_as_the_same_chart(client, session, title):
    player = add_player(session)
    add_play(session, player, played_at=BASE_TIME, title=title)
    with client.application.test_request_context("/"):
        link = chart_url("alice", title, "DX", "master", "charts.chart")
    answer = client.get(as_a_browser_sends(link))
    assert answer.status_code == 200
    assert "1 次游玩" in answer.get_data(as_text=True)


def test_a_japanese_title_is_written_in_the_link_as_it_reads(client, session):
    player = add_player(session)
    add_play(session, player, played_at=BASE_TIME, title="系ぎて")
    page = client.get("/players/alice/plays").get_data(as_text=True)
    assert '<a href="/players/alice/chart?title=系ぎて&amp;kind=DX&amp;difficulty=3">' in page


PLAYER_NAMES = ["alice", "舞萌 玩家", "a/b?c#d", "100%", "<b>&'\""]


@pytest.mark.parametrize("name", PLAYER_NAMES)
def test_catalog_chart_links_are_the_ones_url_for_builds(sqlite_app, name):
    from flask import url_for

    from maimai_probe import game
    from maimai_probe.web.chart_links import catalog_chart_url

    with sqlite_app.test_request_context("/"):
        for catalog_id in ("1", "383", "10383", "011253"):
            for slug in list(game.DIFFICULTY_SLUGS.values()) + ["unknown"]:
                built = url_for(
                    "charts.catalog_chart", name=name, catalog_id=int(catalog_id), difficulty=slug
                )
                assert catalog_chart_url(name, catalog_id, slug) == built


def test_jacket_links_are_the_ones_url_for_builds(sqlite_app):
    from flask import url_for

    from maimai_probe.jackets.drawing import jacket_url

    with sqlite_app.test_request_context("/"):
        for digest in ("0" * 64, "f" * 64, "0123456789abcdef" * 4):
            assert jacket_url(digest) == url_for("jackets.jacket", digest=digest)
