"""A catalog chart's page by song id and difficulty, and the song list rows that link to it."""

import html
import re

import pytest
from markupsafe import escape

from factories import BASE_TIME, add_play, add_player
from maimai_probe import game
from maimai_probe.catalog.linking import link_plays
from maimai_probe.models import Chart, Song
from test_chart_links import TITLES

CELL = re.compile(r'<li class="song-cell[^"]*">(.*?)</li>', re.S)
LINK = re.compile(r'<a class="song-best" href="([^"]*)">')


def add_song(session, title, catalog_id, kind=game.DX, **fields):
    """Add a catalog song with a Basic and a Master chart, and commit."""
    song = Song(title=title, kind=kind, catalog_id=catalog_id, **fields)
    session.add(song)
    session.flush()
    for difficulty, constant in ((game.BASIC, 50), (game.MASTER, 137)):
        level = "%d" % (constant // 10)
        session.add(
            Chart(song_id=song.id, difficulty=difficulty, level=level, constant_tenths=constant)
        )
    session.commit()
    return song


def played(session, title, catalog_id="11234", kind=game.DX, **fields):
    """Return alice, with one linked play of the Master chart of a new catalog song."""
    player = add_player(session)
    add_song(session, title, catalog_id, kind, **fields)
    add_play(session, player, played_at=BASE_TIME, title=title, kind=kind)
    link_plays(session, player.id)
    session.commit()
    return player


@pytest.mark.parametrize("title", TITLES)
def test_a_song_list_row_links_its_chart_by_song_id(client, session, title):
    played(session, title)
    page = client.get("/players/alice/songs").get_data(as_text=True)
    assert LINK.findall(page) == ["/players/alice/charts/11234/master"]
    chart = client.get("/players/alice/charts/11234/master")
    by_title = client.get(
        "/players/alice/charts/chart", query_string={"title": title, "kind": "DX", "difficulty": 3}
    )
    assert chart.status_code == by_title.status_code == 200
    body = chart.get_data(as_text=True)
    assert '<h1 class="chart-title">%s</h1>' % escape(title) in body
    assert "1 次游玩" in body
    assert body == by_title.get_data(as_text=True)


def test_a_song_is_one_card_with_the_players_best_on_each_chart(client, session):
    played(session, "系ぎて", artist="rintaro soma", version="maimai でらっくす BUDDiES")
    page = client.get("/players/alice/songs").get_data(as_text=True)
    assert page.count('<li class="song-card played">') == 1
    assert (
        '<span class="song-title">系ぎて<span class="song-kind song-kind-dx">DX</span></span>\n'
        '<span class="song-meta">rintaro soma · maimai でらっくす BUDDiES</span>'
    ) in page
    basic, master = CELL.findall(page)  # easiest first
    assert master.endswith(
        '<span class="song-constant">13.7</span></span>'
        '<a class="song-best" href="/players/alice/charts/11234/master">'
        '<span class="song-achievement">98.6484%</span>'
        '<span class="song-rank">S+</span><span class="song-mark">SYNC</span>'
        '<span class="song-plays">1 次</span></a>'
    )
    assert "未游玩" in basic and "song-best" not in basic


def test_the_whole_chart_of_a_song_card_is_the_link_on_screen(client):
    with client.get("/css/site.css") as answer:
        css = answer.get_data(as_text=True)
    with client.get("/css/cards.css") as answer:
        cards = answer.get_data(as_text=True)
    assert re.search(r"a\.song-best::after \{[^}]*position: absolute; top: 0; right: 0;", css)
    assert ".song-cell {\n  position: relative;" in cards  # the link's box covers the chart
    assert "min-height: 44px" in cards.split(".song-charts-best .song-cell {")[1].split("}")[0]


@pytest.mark.parametrize(
    "path, message",
    [
        ("/players/alice/charts/99999/master", "曲库里没有这个谱面：曲目 99999 的 master。"),
        ("/players/alice/charts/11234/hardest", "曲库里没有这个谱面：曲目 11234 的 hardest。"),
        ("/players/alice/charts/11234/9", "曲库里没有这个谱面：曲目 11234 的 9。"),
        (
            "/players/alice/charts/1%s/master" % ("0" * 40),
            "曲库里没有这个谱面：曲目 1%s" % ("0" * 40),
        ),
        ("/players/nobody/charts/11234/master", "找不到玩家「nobody」"),
    ],
)
def test_a_chart_the_catalog_lacks_is_not_found(client, session, path, message):
    played(session, "系ぎて")
    answer = client.get(path)
    assert answer.status_code == 404
    assert message in html.unescape(answer.get_data(as_text=True))


@pytest.mark.parametrize("path", ["/players/alice/charts/abc/master", "/players/alice/charts/-1/3"])
def test_a_song_id_that_is_not_a_number_is_not_a_route(client, session, path):
    played(session, "系ぎて")
    assert client.get(path).status_code == 404


def test_an_unplayed_catalog_chart_is_not_found_like_its_title_page(client, session):
    played(session, "系ぎて")
    answer = client.get("/players/alice/charts/11234/basic")
    assert answer.status_code == 404
    by_title = client.get("/players/alice/charts/chart?title=系ぎて&kind=DX&difficulty=basic")
    assert by_title.status_code == 404


def test_a_song_without_a_catalog_id_links_by_title(client, session):
    player = add_player(session)
    song = Song(title="手書き", kind=game.DX)
    session.add(song)
    session.flush()
    session.add(Chart(song_id=song.id, difficulty=game.MASTER, level="13", constant_tenths=130))
    session.commit()
    add_play(session, player, played_at=BASE_TIME, title="手書き")
    link_plays(session, player.id)
    session.commit()
    page = client.get("/players/alice/songs").get_data(as_text=True)
    (link,) = LINK.findall(page)
    assert (
        html.unescape(link) == "/players/alice/charts/chart?title=手書き&kind=DX&difficulty=master"
    )
    assert client.get(html.unescape(link)).status_code == 200
