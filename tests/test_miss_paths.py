"""The faster paths of uncached pages give what the plain ones gave: links and diffs."""

import pytest
from flask import url_for

from factories import BASE_TIME, add_play, add_player
from maimai_probe import diffs, play_queries
from maimai_probe.history import chart_url

TITLES = [
    "Re:Unknown X",
    "セガ & 舞萌",
    "a+b=c? 100% #1 /slash\\ 'quote' \"double\"",
    "space  and\ttab",
    "emoji 🎵 ~!$()*,;:@",
    "<script>alert(1)</script>",
]


@pytest.mark.parametrize("title", TITLES)
def test_chart_links_are_what_url_for_writes(sqlite_app, title):
    with sqlite_app.test_request_context("/players/x/plays"):
        for name in ("alice", "舞萌 玩家", "a/b"):
            expected = url_for("history.chart", name=name, title=title, kind="DX", difficulty=3)
            assert chart_url(name, title, "DX", 3) == expected


def test_the_record_page_links_each_card_to_its_chart(client, session):
    player = add_player(session)
    for number, title in enumerate(TITLES):
        add_play(session, player, played_at=BASE_TIME + number, title=title)
    page = client.get("/players/alice/plays").data.decode()
    with client.application.test_request_context("/"):
        for title in TITLES:
            link = url_for("history.chart", name="alice", title=title, kind="DX", difficulty=3)
            assert 'href="%s"' % link.replace("&", "&amp;").replace("'", "&#39;") in page


def test_lateral_and_correlated_diffs_agree(app, session):
    player = add_player(session)
    marks = [(980000, 2, 0), (995000, 1, 1), (970000, 3, 2), (1005000, 0, 1), (990000, 4, 0)]
    for number, (achievement, fc, fs) in enumerate(marks * 3):
        add_play(
            session,
            player,
            played_at=BASE_TIME + number * 60,
            title="Song %d" % (number % 4),
            difficulty=3 + number % 2,
            achievement=achievement,
            fc=fc,
            fs=fs,
            dx_score=2000 + number * 7 % 300,
        )
    if not diffs.lateral_joins(session):
        pytest.skip("SQLite has no LATERAL")

    def rows(lateral):
        page = play_queries.fetch_page(
            session,
            diffs.diff_select(lateral),
            player.id,
            play_queries.PlayFilters(),
            play_queries.Cursor(),
            50,
        )
        return [(row[0].id,) + tuple(row[1:]) for row in page.rows]

    assert rows(True) == rows(False)
    assert len(rows(True)) == 15
