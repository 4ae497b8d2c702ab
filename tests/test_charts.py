"""The chart pages: data islands with the right numbers, tables beside them, safe JSON."""

import datetime
import json
import re

import pytest

from chart_data import DAY, add_player, load_catalog, play_row
from maimai_probe import game
from maimai_probe.catalog.linking import link_plays
from maimai_probe.models import PlayDetail, ProfileSnapshot, Score
from maimai_probe.rating.formula import chart_rating

HOSTILE = "</script><script>alert(1)</script>"
CHINA = datetime.timezone(datetime.timedelta(hours=8))


def china(*when):
    """Return the Unix time of a China clock time."""
    return int(datetime.datetime(*when, tzinfo=CHINA).timestamp())


def wall(*when):
    """Return a China clock time as wall-clock seconds, as the charts put them on axes."""
    return china(*when) + 8 * 3600


def islands(page):
    """Return the page's data islands by id."""
    found = re.findall(r'<script type="application/json" id="([^"]+)">(.*?)</script>', page, re.S)
    return {name: json.loads(body) for name, body in found}


@pytest.fixture
def alice(app, session):
    """Alice played ヒバナ three times and Oshama once over two days, and read one score list."""
    load_catalog(session)
    player = add_player(session, "alice")
    plays = [
        play_row(player, china(2025, 10, 1, 10, 0), "ヒバナ", "DX", 3, achievement=990000),
        play_row(
            player,
            china(2025, 10, 1, 10, 5),
            "ヒバナ",
            "DX",
            3,
            achievement=1003000,
            dx_score=2300,
            fc=game.FC,
            fs=game.SYNC,
        ),
        play_row(
            player, china(2025, 10, 1, 10, 10), "Oshama Scramble!", "DX", 3, achievement=955000
        ),
        play_row(
            player,
            china(2025, 10, 3, 21, 0),
            "ヒバナ",
            "DX",
            3,
            achievement=1005500,
            dx_score=2100,
            fc=game.AP,
            fs=game.FS,
        ),
    ]
    for play, rating in zip(plays, (12000, 12010, 12010, 12030)):
        play.detail = PlayDetail(rating=rating)
    session.add_all(plays)
    session.add(
        ProfileSnapshot(
            player_id=player.id,
            observed_at=china(2025, 10, 3, 22, 0),
            page="home",
            name="alice",
            rating=12040,
            fingerprint="f1",
        )
    )
    session.add(
        Score(
            player_id=player.id,
            title="幻想のサテライト",
            kind="SD",
            difficulty=3,
            achievement=1005500,
            rank="sssp",
            dx_score=1800,
            fc=game.AP_PLUS,
            fs=game.FDX,
            source="score_list",
            observed_at=china(2025, 10, 2, 12, 0),
        )
    )
    session.flush()
    link_plays(session, player.id)
    session.commit()
    return player


def test_trends_page_holds_rating_activity_and_marks(client, alice):
    response = client.get("/players/alice/charts")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    data = islands(page)
    assert set(data) == {"chart-rating", "chart-activity", "chart-ranks", "chart-fc", "chart-fs"}

    day1, day3 = wall(2025, 10, 1), wall(2025, 10, 3)
    rating = data["chart-rating"]
    assert rating["x"] == [day1, day3] and rating["axis"] == "day"
    computed, official = rating["series"]
    assert official == {"label": "官方 Rating", "values": [12010, 12040], "color": "#e9417b"}
    first_day = chart_rating(134, 1003000) + chart_rating(133, 955000)
    third_day = chart_rating(134, 1005500) + chart_rating(133, 955000)
    assert computed["label"] == "计算 Rating"
    assert computed["values"] == [first_day, third_day]

    activity = data["chart-activity"]
    assert activity["x"] == [day1, day3]
    assert activity["series"][0]["values"] == [3, 1]

    # From the lowest rank any chart has (AAA): no empty D to AA buckets.
    assert data["chart-ranks"]["x"] == ["AAA", "S", "S+", "SS", "SS+", "SSS", "SSS+"]
    ranks = dict(zip(data["chart-ranks"]["x"], data["chart-ranks"]["series"][0]["values"]))
    assert ranks["SSS+"] == 2 and ranks["AAA"] == 1 and sum(ranks.values()) == 3
    # Every axis is titled.
    assert [(data[key]["xLabel"], data[key]["yLabel"]) for key in sorted(data)] == [
        ("日期", "游玩次数"),
        ("FC", "谱面数"),
        ("FS", "谱面数"),
        ("评级", "谱面数"),
        ("日期", "Rating"),
    ]
    # The picker completes the titles the player played.
    assert '<input id="c-title" type="text" name="title"' in page and 'list="c-titles"' in page
    assert '<option value="Oshama Scramble!">' in page
    assert data["chart-fc"]["x"] == ["无", "FC", "FC+", "AP", "AP+"]
    assert data["chart-fc"]["series"][0]["values"] == [1, 0, 0, 1, 1]
    assert data["chart-fs"]["series"][0]["values"] == [1, 0, 1, 0, 1, 0]


def test_every_chart_has_its_numbers_in_a_table(client, alice):
    page = client.get("/players/alice/charts").get_data(as_text=True)
    assert page.count('class="chart-box"') == 5
    assert page.count('<details class="chart-numbers">') == 5
    assert re.search(r'<td>2025/10/03</td><td class="num">\d+</td><td class="num">12040</td>', page)
    assert '<td>2025/10/01</td><td class="num">3</td>' in page
    assert '<td>SSS+</td><td class="num">2</td>' in page
    assert '<td>AP+</td><td class="num">1</td>' in page
    assert "共 2 天、4 次游玩；最多的一天是 2025/10/01（3 次）" in page
    assert "按每个谱面的最佳成绩统计，共 3 个谱面" in page


def test_the_picker_offers_the_most_played_charts(client, alice):
    page = client.get("/players/alice/charts").get_data(as_text=True)
    picks = re.findall(r'<ul class="chart-picks">(.*?)</ul>', page, re.S)[0]
    assert picks.index("ヒバナ") < picks.index("Oshama Scramble!")
    assert "3 次" in picks
    assert "/players/alice/charts/chart?title=ヒバナ&amp;kind=DX&amp;difficulty=master" in picks


def test_a_chart_page_shows_each_play_over_time(client, alice):
    response = client.get("/players/alice/charts/chart?title=ヒバナ&kind=DX&difficulty=master")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    data = islands(page)
    times = [wall(2025, 10, 1, 10, 0), wall(2025, 10, 1, 10, 5), wall(2025, 10, 3, 21, 0)]
    assert data["chart-achievement"]["x"] == times
    assert data["chart-achievement"]["unit"] == "achievement"
    assert data["chart-achievement"]["series"][0]["values"] == [990000, 1003000, 1005500]
    assert data["chart-dx-score"]["series"][0]["values"] == [2000, 2300, 2100]
    assert data["chart-achievement"]["title"] == "ヒバナ（DX MASTER） 每次游玩的达成率"
    assert "最高 <strong>100.5500%</strong>" in page
    assert "最高 <strong>2300</strong> / 2400" in page
    shown = re.findall(
        r'<li class="history-step [^"]*">.*?<time datetime="[^"]*">([^<]*)</time>', page, re.S
    )
    assert shown == ["2025/10/01 10:00", "2025/10/01 10:05", "2025/10/03 21:00"]  # oldest first
    assert "至此最佳 100.3000% · DX 2,300" in page


def test_a_chart_without_plays_is_not_found(client, alice):
    response = client.get("/players/alice/charts/chart?title=Link&kind=DX&difficulty=basic")
    assert response.status_code == 404
    assert "还没有这张谱面的游玩记录" in response.get_data(as_text=True)  # the one chart page


@pytest.mark.parametrize(
    "query",
    [
        "",
        "title=ヒバナ",
        "title=ヒバナ&kind=XX&difficulty=master",
        "title=ヒバナ&kind=DX&difficulty=9",
    ],
)
def test_a_chart_must_be_named_fully(client, alice, query):
    response = client.get("/players/alice/charts/chart?" + query)
    assert response.status_code == 400


def test_a_player_without_plays_gets_the_page_without_charts(client, app, session):
    add_player(session, "bob")
    page = client.get("/players/bob/charts").get_data(as_text=True)
    assert islands(page) == {}
    assert "还没有 Rating 数据" in page and "还没有游玩记录" in page and "还没有成绩" in page


def test_hostile_titles_stay_inside_the_data_island(client, alice, session):
    session.add(play_row(alice, china(2025, 10, 4, 9, 0), HOSTILE, "DX", 0, achievement=1000000))
    session.commit()
    response = client.get(
        "/players/alice/charts/chart",
        query_string={"title": HOSTILE, "kind": "DX", "difficulty": "0"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert HOSTILE not in page
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in page
    assert islands(page)["chart-achievement"]["title"].startswith(HOSTILE)
    trends = client.get("/players/alice/charts").get_data(as_text=True)
    assert HOSTILE not in trends and "&lt;/script&gt;&lt;script&gt;alert(1)" in trends


def test_pages_run_only_our_own_scripts(client, alice):
    for url in (
        "/players/alice/charts",
        "/players/alice/charts/chart?title=Oshama+Scramble!&kind=DX&difficulty=3",
    ):
        response = client.get(url)
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        page = response.get_data(as_text=True)
        for tag in re.findall(r"<script\b[^>]*>", page):
            assert 'type="application/json"' in tag or re.search(r'src="/(vendor|js)/', tag), tag
        # Under content-versioned URLs (?v=<hash>), cached for a year.
        assert re.search(r'src="/vendor/uplot/uPlot\.iife\.min\.js\?v=[0-9a-f]{12}"', page)
        assert re.search(r'src="/js/charts\.js\?v=[0-9a-f]{12}"', page)
        assert " style=" not in page


def test_the_chart_library_is_served_from_our_own_site(client):
    for path in ("/vendor/uplot/uPlot.iife.min.js", "/vendor/uplot/uPlot.min.css", "/js/charts.js"):
        with client.get(path) as response:
            assert response.status_code == 200
            assert len(response.data) > 1000


def test_the_rating_axis_starts_where_the_rating_reaches_its_level():
    from maimai_probe.player.charts import Series, zoom_start

    climbing = [Series("计算", [0, 3000, 9000, 12000, 12500, 12600], "#000")]
    assert zoom_start(climbing) == 3  # the first value of 80 % of 12600 or more
    official = Series("官方", [None, None, None, None, 12550, None], "#111")
    assert zoom_start(climbing + [official]) == 3
    assert zoom_start([Series("空", [None, None], "#000")]) == 0


def test_long_activity_is_drawn_per_week():
    from maimai_probe.player.charts import activity_chart

    monday = wall(2025, 9, 29)  # a Monday
    days = [(monday, 2), (monday + 2 * DAY, 3), (monday + 7 * DAY, 1), (monday + 60 * DAY, 4)]
    weekly = activity_chart(days)
    assert weekly.title == "每周的游玩次数"
    assert weekly.x == [monday, monday + 7 * DAY, monday + 56 * DAY]
    assert weekly.series[0].values == [5, 1, 4]
    daily = activity_chart(days[:3])
    assert daily.title == "每天的游玩次数" and daily.x == [day for day, _ in days[:3]]
