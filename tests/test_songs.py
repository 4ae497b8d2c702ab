"""The song list: filters, sorting, pages and search over the catalog, with a player's bests."""

import html
import re
import time

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from chart_data import add_player, load_catalog, play_row
from conftest import shared_fixture
from maimai_probe import game
from maimai_probe.catalog import songs
from maimai_probe.catalog.linking import link_plays
from maimai_probe.models import Score, Song

HOSTILE = "</script><script>alert(1)</script>"


def rows_of(session, query=None, player_id=None, size=100, **args):
    """Return (title, kind, difficulty) of the charts a query string lists."""
    parsed = songs.parse_filters(MultiDict(args if query is None else query), player_id is not None)
    found = songs.list_charts(session, parsed, player_id, size)
    return [(row.title, row.kind, row.difficulty) for row in found.rows]


def shown_titles(page):
    """Return the titles of the song rows on a page, in order."""
    return [
        html.unescape(re.sub(r"<[^>]+>", "", title)).strip()
        for title in re.findall(r'<span class="song-title">(.*?)<span', page, re.S)
    ]


@pytest.fixture
def catalog(app, session):
    load_catalog(session)
    return session


def test_every_song_is_one_card_by_its_highest_constant(app, client, catalog):
    page = client.get("/songs").get_data(as_text=True)
    assert "13 首曲目" in page and "页" not in page.split("</h1>")[1].split("</p>")[0]
    assert shown_titles(page)[:3] == [
        "Re:Unknown X",
        "World's end loneliness",
        "[宴]Oshama Scramble!",
    ]
    assert page.count('<li class="song-card') == 13
    assert page.count('<li class="song-cell') == 51  # every chart of every song
    assert "14.6" in page and 'title="Re:MASTER">ReM</span>' in page
    app.config["PAGE_SIZE"] = 12
    second = client.get("/songs?page=2").get_data(as_text=True)
    assert "13 首曲目 · 第 2 / 2 页" in second
    assert second.count('<li class="song-card') == 1
    assert shown_titles(second) == [HOSTILE]  # the lowest constant: 2.0


@pytest.mark.parametrize(
    "args, expected",
    [
        (
            {"version": "maimai でらっくす PRiSM", "difficulty": "master"},
            {
                ("Re:Unknown X", "DX", 3),
                ("城市的霓虹灯下", "DX", 3),
                ("星河旅人", "DX", 3),
                (HOSTILE, "DX", 3),
            },
        ),
        ({"genre": "东方Project"}, {("幻想のサテライト", "SD", d) for d in range(4)}),
        (
            {"level": "13+"},
            {("城市的霓虹灯下", "DX", 3), ("Oshama Scramble!", "DX", 4)},  # 13+? counts as 13+
        ),
        (
            {"min": "13.0", "max": "13.4"},
            {
                ("Re:Unknown X", "SD", 3),
                ("ヒバナ", "DX", 3),
                ("ユメヒバナ", "DX", 3),
                ("Oshama Scramble!", "DX", 3),
            },
        ),
        ({"kind": "SD", "difficulty": "expert", "min": "10.5"}, {("Re:Unknown X", "SD", 2)}),
        ({"difficulty": "utage"}, {("[宴]Oshama Scramble!", "DX", game.UTAGE)}),
        ({"q": "ヒバナ", "difficulty": "basic"}, {("ヒバナ", "DX", 0), ("ユメヒバナ", "DX", 0)}),
        ({"q": "霓虹", "kind": "SD"}, set()),
    ],
)
def test_filters_narrow_the_list(catalog, args, expected):
    assert set(rows_of(catalog, **args)) == expected


def test_several_difficulties_can_be_chosen(catalog):
    query = MultiDict([("difficulty", "master"), ("difficulty", "remaster"), ("q", "Re:Unknown")])
    assert rows_of(catalog, query) == [
        ("Re:Unknown X", "DX", 3),
        ("Re:Unknown X", "DX", 4),
        ("Re:Unknown X", "SD", 3),
    ]


def test_search_lists_the_best_matching_title_first(client, catalog):
    page = client.get("/songs?q=ヒバナ").get_data(as_text=True)
    assert "「ヒバナ」：2 首曲目" in page
    assert shown_titles(page) == ["ヒバナ", "ユメヒバナ"]
    assert page.count('<li class="song-cell') == 8


def test_sorts_by_title_level_and_constant_either_way(catalog):
    vocaloid = {"genre": "niconico & VOCALOID", "difficulty": "master"}
    assert rows_of(catalog, sort="title", **vocaloid) == [
        ("Link(CoF)", "SD", 3),
        ("ヒバナ", "DX", 3),
        ("ユメヒバナ", "DX", 3),
    ]
    assert [row[0] for row in rows_of(catalog, sort="title", order="desc", **vocaloid)] == [
        "ユメヒバナ",
        "ヒバナ",
        "Link(CoF)",
    ]
    assert [row[0] for row in rows_of(catalog, sort="constant", order="asc", **vocaloid)] == [
        "Link(CoF)",
        "ユメヒバナ",
        "ヒバナ",
    ]
    levels = rows_of(catalog, sort="level", difficulty="master", genre="舞萌")
    assert levels[0] == ("城市的霓虹灯下", "DX", 3)  # 13+? ranks as 13+
    assert levels[-1] == (HOSTILE, "DX", 3)


def test_relevance_without_a_search_sorts_by_constant(catalog):
    assert rows_of(catalog, sort="relevance") == rows_of(catalog, sort="constant")


def test_pages_keep_the_filters_and_stop_at_the_last(app, client, catalog):
    app.config["PAGE_SIZE"] = 1
    page = client.get("/songs?genre=舞萌&sort=title").get_data(as_text=True)
    assert "3 首曲目 · 第 1 / 3 页" in page
    assert re.search(r'href="/songs\?genre=%E8%88%9E%E8%90%8C&amp;sort=title&amp;page=2"', page)
    last = client.get("/songs?genre=舞萌&sort=title&page=99").get_data(as_text=True)
    assert "第 3 / 3 页" in last
    assert last.count('<li class="song-card') == 1 and shown_titles(last) == ["星河旅人"]


@pytest.mark.parametrize(
    "query, message",
    [
        ("min=abc", "最低定数「abc」不是有效的定数"),
        ("max=20", "最高定数应在 1.0 到 15.0 之间"),
        ("min=14&max=13", "最低定数高于最高定数"),
        ("sort=bogus", "排序方式「bogus」无法识别"),
        ("sort=achievement", "排序方式「achievement」无法识别"),  # needs a player
        ("order=up", "顺序只能是 asc"),
        ("page=0", "页码 page=0 无效"),
        ("page=x", "页码 page=x 无效"),
        ("page=%C2%B2", "页码 page=² 无效"),
        ("kind=XX", "谱面类型「XX」无法识别"),
        ("difficulty=9", "难度「9」无法识别"),
        ("q=%00", "搜索词无效或太长了"),
        ("q=" + "a" * 101, "搜索词无效或太长了"),
        ("level=abc", "曲目列表里没有等级「abc」"),
        ("level=16", "曲目列表里没有等级「16」"),
        ("version=%3Cb%3E", "曲目列表里没有版本「&lt;b&gt;」"),
        ("genre=nothing", "曲目列表里没有分类「nothing」"),
    ],
)
def test_bad_parameters_are_refused_with_the_reason(client, catalog, query, message):
    response = client.get("/songs?" + query)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_every_version_genre_and_level_the_form_offers_is_accepted(client, catalog):
    page = client.get("/songs").get_data(as_text=True)
    offered = 0
    for name in ("version", "genre", "level"):
        select_ = page.split('name="%s"' % name)[1].split("</select>")[0]
        values = [html.unescape(v) for v in re.findall(r'<option value="([^"]+)"', select_)]
        assert values, name
        for value in values:
            assert client.get("/songs", query_string={name: value}).status_code == 200
            offered += 1
    assert offered >= 5


def test_an_empty_catalog_says_how_to_fill_it(client):
    page = client.get("/songs").get_data(as_text=True)
    assert "曲库还是空的" in page and "songs sync" in page


def test_hostile_titles_and_artists_are_escaped(client, catalog):
    page = client.get("/songs?genre=舞萌&difficulty=basic").get_data(as_text=True)
    assert HOSTILE not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;&#34;Mallory&#34; &amp; &#39;Eve&#39;&lt;/b&gt;" in page


def add_bests(session):
    """Give alice plays and a score reading on three charts."""
    alice = add_player(session, "alice")
    session.add_all(
        [
            play_row(alice, 1000, "ヒバナ", "DX", 3, achievement=990000, fc=game.FC),
            play_row(alice, 2000, "ヒバナ", "DX", 3, achievement=1003000, dx_score=2300),
            play_row(alice, 3000, "Oshama Scramble!", "DX", 3, achievement=955000),
            play_row(alice, 3500, "Link", "SD", 3, achievement=999000),  # which Link? unlinked
            Score(
                player_id=alice.id,
                title="幻想のサテライト",
                kind="SD",
                difficulty=3,
                achievement=1005500,
                rank="sssp",
                dx_score=1800,
                fc=game.AP_PLUS,
                fs=game.FDX,
                source="score_list",
                observed_at=4000,
            ),
        ]
    )
    session.flush()
    link_plays(session, alice.id)
    session.commit()
    return alice


def test_a_player_sees_the_best_of_plays_and_score_readings(client, catalog):
    alice = add_bests(catalog)
    assert rows_of(catalog, player_id=alice.id, sort="achievement", difficulty="master")[:4] == [
        ("幻想のサテライト", "SD", 3),
        ("ヒバナ", "DX", 3),
        ("Oshama Scramble!", "DX", 3),
        ("World's end loneliness", "DX", 3),  # unplayed charts follow, highest constant first
    ]
    page = client.get("/players/alice/songs?sort=achievement&difficulty=master")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert shown_titles(text)[:3] == ["幻想のサテライト", "ヒバナ", "Oshama Scramble!"]
    assert "100.5500%" in text and "AP+" in text and "FDX" in text
    assert "100.3000%" in text and "SSS" in text and ">FC<" in text and "2 次" in text
    hibana = catalog.execute(
        select(Song.catalog_id).where(Song.title == "ヒバナ", Song.kind == "DX")
    ).scalar_one()
    link = "/players/alice/charts/%s/master" % hibana
    assert '<a class="song-best" href="%s">' % link in text
    chart = client.get(link)
    assert chart.status_code == 200
    assert "ヒバナ" in chart.get_data(as_text=True)
    assert "未游玩" in text
    played = rows_of(catalog, player_id=alice.id, sort="plays", difficulty="master")
    assert played[:2] == [("ヒバナ", "DX", 3), ("Oshama Scramble!", "DX", 3)]
    assert "99.9000%" not in text  # a play of "Link" may be either Link: shown under neither


def test_an_unknown_player_is_not_found(client, catalog):
    response = client.get("/players/nobody/songs")
    assert response.status_code == 404
    assert "找不到玩家「nobody」" in response.get_data(as_text=True)


def test_the_full_catalog_lists_and_searches_quickly(client, session):
    load_catalog(session, shared_fixture("diving-fish", "music_data.json"))
    add_player(session, "alice")
    client.get("/songs?q=warm-up")  # the search index, built once per process
    timings = {}
    for url in (
        "/songs",
        "/songs?sort=level&page=40",
        "/songs?q=ヒバナ",
        "/songs?version=maimai でらっくす PRiSM&difficulty=master&min=13.0",
        "/players/alice/songs?sort=achievement",
    ):
        started = time.perf_counter()
        response = client.get(url)
        timings[url] = time.perf_counter() - started
        assert response.status_code == 200
    assert re.search(r"1,?\d\d\d 首曲目", client.get("/songs").get_data(as_text=True))
    assert max(timings.values()) < 1.0, timings
