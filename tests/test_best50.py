"""The best-50 page, the rating API and the unmatched page, on the real catalog and record page."""

import json
import re
from fractions import Fraction
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from image_server import png
from maimai_probe import game
from maimai_probe.catalog.linking import link_all
from maimai_probe.catalog.sync import read_catalog, sync_catalog
from maimai_probe.importing import store, tokens
from maimai_probe.jackets.store import Target, keep
from maimai_probe.models import Chart, ChartAlias, Play, ProfileSnapshot, Song
from maimai_probe.parsing.detect import parse_page
from test_catalog import shared_fixture, small_catalog
from test_catalog import song as song_of
from test_linking import BASE_TIME, add_play, add_score, chart_id, sync
from test_rating import exact_rating

NAME = quote("舞萌玩家")


def fraction_rating(constant: float, achievement: int) -> int:
    """Rate a chart with Fractions from the catalog's decimal constant."""
    return exact_rating(int(Fraction(str(constant)) * 10), achievement)


def new_player(session, name="舞萌玩家"):
    """Create a player with an import token; return both."""
    return tokens.create_player(session, name, now=BASE_TIME - 86400)


def test_the_real_record_page_links_every_play_and_rates_it(app, client, session):
    catalog = json.loads(shared_fixture("diving-fish", "music_data.json").read_text("utf-8"))
    page = parse_page(shared_fixture("maimai-mobile", "record.html").read_bytes())
    player, _ = new_player(session)
    sync_catalog(session, read_catalog(catalog))
    session.commit()
    store.import_pages(session, player, [page], now=BASE_TIME + 3600)

    plays = session.execute(select(Play.chart_id).where(Play.player_id == player.id)).all()
    assert len(plays) == 50
    assert all(chart is not None for (chart,) in plays)

    # The rating again, independently: the best of each chart, rated with Fractions.
    songs = {(song["title"], song["type"]): song for song in catalog}
    best = {}
    for play in page.plays:
        key = (play.title, play.kind, play.difficulty)
        best[key] = max(best.get(key, 0), play.achievement)
    frames = {False: [], True: []}
    for (title, kind, difficulty), achievement in best.items():
        song = songs[(title, kind)]
        rating = fraction_rating(song["ds"][difficulty], achievement)
        frames[song["basic_info"]["is_new"]].append(rating)
    expected = sum(sorted(frames[False], reverse=True)[:35])
    expected += sum(sorted(frames[True], reverse=True)[:15])
    assert expected > 10000

    body = client.get("/api/players/舞萌玩家/rating").get_json()
    assert body["rating"] == expected
    assert body["old"]["rating"] + body["new"]["rating"] == expected
    assert len(body["old"]["charts"]) == min(len(frames[False]), 35) == 35  # 37 old charts
    assert len(body["new"]["charts"]) == min(len(frames[True]), 15) == 9
    assert body["unknown_constant"] == [] and body["unlinked_plays"] == 0

    response = client.get("/players/舞萌玩家/best50")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<span class="b50-total-value">%d</span>' % expected in html
    assert "旧版本 B35" in html and "当前版本 B15" in html
    assert "Re:Unknown X" in html
    assert 'class="active" aria-current="page">B50</a>' in html


def rated_player(session):
    """Return a player with plays on the small catalog, a score reading and a profile."""
    sync(session)
    player, token = new_player(session)
    add_play(session, player, "Re:Unknown X", achievement=986484)  # 14.6 S+: 292, new
    add_play(session, player, "Re:Unknown X", achievement=990500)  # better: SS 300
    add_play(session, player, "True Love Song", game.STANDARD, achievement=1005000)  # 12.4
    add_score(session, player, "True Love Song", game.DX, achievement=1000000)  # 13.1 SSS
    add_play(session, player, "Link", game.STANDARD)  # ambiguous: not rated
    session.add(
        ProfileSnapshot(
            player_id=player.id,
            observed_at=BASE_TIME + 600,
            page="home",
            name="ＭＡＩ",
            rating=1000,
            fingerprint="f" * 64,
        )
    )
    session.commit()
    link_all(session)
    session.commit()
    return player, token


def test_the_page_shows_frames_next_steps_and_the_official_difference(client, session):
    rated_player(session)
    html = client.get("/players/舞萌玩家/best50").get_data(as_text=True)
    old = fraction_rating(12.4, 1005000) + fraction_rating(13.1, 1000000)
    new = fraction_rating(14.6, 990500)
    assert '<span class="b50-total-value">%d</span>' % (old + new) in html
    assert '相差 <strong class="b50-difference">%+d</strong>' % (old + new - 1000) in html
    assert "官方 Rating <strong>1000</strong>" in html
    # Re:Unknown X at 99.0500 % (SS): SS+ at 99.5 % gives 14.6 x 21.1 x 99.5 / 100 = 306.
    assert '下一档 SS+ 99.5000% → 306（<span class="b50-gain">+6</span>）' in html
    assert "已是最高档" in html  # True Love Song at 100.5 %
    assert "1 次游玩没有对应到谱面" in html
    assert "/players/%E8%88%9E%E8%90%8C%E7%8E%A9%E5%AE%B6/unmatched" in html


def test_the_api_gives_each_chart_with_its_rating(client, session):
    rated_player(session)
    body = client.get("/api/players/舞萌玩家/rating").get_json()
    assert body["official_rating"] == 1000
    [unknown_x] = body["new"]["charts"]
    assert unknown_x == {
        "chart_id": unknown_x["chart_id"],
        "title": "Re:Unknown X",
        "kind": "DX",
        "difficulty": game.MASTER,
        "difficulty_name": "MASTER",
        "level": "14",
        "constant": 14.6,
        "constant_tenths": 146,
        "achievement": 99.05,
        "achievement_raw": 990500,
        "is_new": True,
        "rank": "ss",
        "rank_label": "SS",
        "rating": fraction_rating(14.6, 990500),
        "next": {
            "rank": "ssp",
            "rank_label": "SS+",
            "achievement": 99.5,
            "achievement_raw": 995000,
            "rating": 306,
            "gain": 306 - fraction_rating(14.6, 990500),
        },
    }
    titles = [(chart["title"], chart["kind"]) for chart in body["old"]["charts"]]
    assert titles == [("True Love Song", "DX"), ("True Love Song", "SD")]  # 13.1 SSS, 12.4 SSS+
    assert body["old"]["floor"] == body["old"]["charts"][-1]["rating"]
    assert body["rating"] == body["old"]["rating"] + body["new"]["rating"]
    assert body["unlinked_plays"] == 1


def test_charts_without_a_constant_are_shown_apart(client, session):
    catalog = small_catalog()
    catalog[0]["ds"] = [5.0, 7.2, 10.2, 0]  # some catalogs carry 0 for "not known yet"
    sync(session, catalog)
    chart = session.get(Chart, chart_id(session, "8"))
    chart.constant_tenths = None
    player, _ = new_player(session)
    add_play(session, player, "True Love Song", game.STANDARD, achievement=1001234)
    session.commit()
    link_all(session)
    session.commit()
    html = client.get("/players/舞萌玩家/best50").get_data(as_text=True)
    assert "定数未知" in html
    assert "100.1234%" in html
    body = client.get("/api/players/舞萌玩家/rating").get_json()
    assert body["rating"] == 0
    assert [chart["title"] for chart in body["unknown_constant"]] == ["True Love Song"]


def test_an_unknown_player_is_a_chinese_404(client):
    page = client.get("/players/nobody/best50")
    assert page.status_code == 404
    assert "找不到玩家「nobody」" in page.get_data(as_text=True)
    api = client.get("/api/players/nobody/rating")
    assert api.status_code == 404
    assert api.get_json()["error"] == "找不到玩家「nobody」。"


def test_an_empty_archive_rates_zero(client, session):
    new_player(session)
    html = client.get("/players/舞萌玩家/best50").get_data(as_text=True)
    assert '<span class="b50-total-value">0</span>' in html
    assert "还没有可计入的谱面" in html
    assert client.get("/api/players/舞萌玩家/rating/trend").get_json() == []


def post_choice(client, token, chart, csrf="csrf-for-tests", **form):
    """Post a choice of chart for Link (standard, MASTER) from the unmatched page."""
    with client.session_transaction() as cookie:
        cookie["csrf_token"] = "csrf-for-tests"
    values = {
        "csrf_token": csrf,
        "token": token,
        "title": "Link",
        "kind": game.STANDARD,
        "difficulty": str(game.MASTER),
        "chart_id": str(chart),
    }
    values.update(form)
    return client.post("/players/舞萌玩家/unmatched", data=values)


def test_the_unmatched_page_lists_candidates_and_takes_the_players_choice(client, session):
    player, token = rated_player(session)
    html = client.get("/players/舞萌玩家/unmatched").get_data(as_text=True)
    assert "Link(CoF)" in html and "水鱼 id 383" in html and "水鱼 id 131" in html
    assert "官方页面把 2 首不同的歌都显示为「Link」" in html
    cof = chart_id(session, "383")

    assert post_choice(client, token, cof, csrf="wrong").status_code == 400
    refused = post_choice(client, "", cof)
    assert refused.status_code == 401
    assert "请输入导入令牌" in refused.get_data(as_text=True)
    assert post_choice(client, "not-the-token", cof).status_code == 403
    assert post_choice(client, token, chart_id(session, "11720")).status_code == 400
    assert post_choice(client, token, cof, difficulty="x").status_code == 400
    assert session.scalar(select(func.count()).select_from(ChartAlias)) == 0

    done = post_choice(client, token, cof)
    assert done.status_code == 200
    html = done.get_data(as_text=True)
    assert "已把「Link」标准 MASTER 对应到所选谱面：1 次游玩、0 条成绩。" in html
    assert "已对应到：<strong>Link(CoF)</strong>" in html
    session.expire_all()
    assert session.scalar(select(Play.chart_id).where(Play.title == "Link")) == cof
    body = client.get("/api/players/舞萌玩家/rating").get_json()
    assert "Link(CoF)" in [chart["title"] for chart in body["old"]["charts"]]
    assert body["unlinked_plays"] == 0


@pytest.mark.parametrize("path", ["/players/nobody/unmatched"])
def test_the_unmatched_page_of_an_unknown_player_is_404(client, path):
    assert client.get(path).status_code == 404


def test_the_trend_api_lists_days(client, session):
    player, _ = rated_player(session)
    body = client.get("/api/players/舞萌玩家/rating/trend").get_json()
    assert body == [
        {"date": "2025-10-03", "rating": body[0]["rating"], "official_rating": 1000},
    ]
    plays_only = fraction_rating(14.6, 990500) + fraction_rating(12.4, 1005000)
    assert body[0]["rating"] == plays_only  # the trend counts plays; score lists have no dates


def test_the_unmatched_page_preselects_nothing_and_refuses_an_empty_choice(client, session):
    _, token = rated_player(session)
    html = client.get("/players/舞萌玩家/unmatched").get_data(as_text=True)
    assert " checked" not in html  # the player chooses; the site does not guess
    refused = post_choice(client, token, "")
    assert refused.status_code == 400
    assert "表单内容不完整" in refused.get_data(as_text=True)


def card_of(html, title):
    """Return the markup of the B50 card of a title."""
    cards = re.findall(r'<li class="b50-card.*?</li>', html, re.S)
    [found] = [card for card in cards if '<span class="b50-title">%s</span>' % title in card]
    return found


def test_each_entry_is_a_jacket_card_with_marks_dx_score_and_a_link(client, session):
    sync(session)
    player, _ = new_player(session)
    add_play(session, player, "True Love Song", game.STANDARD, achievement=1005000)
    add_play(
        session,
        player,
        "True Love Song",
        game.STANDARD,
        achievement=990000,
        dx_score=1150,  # 95.8 % of 1,200: four stars
        fc=game.AP,
        fs=game.FS,
    )
    add_play(session, player, "Link(CoF)", game.STANDARD, achievement=970000)
    session.commit()
    link_all(session)
    song_id = session.scalar(select(Song.id).where(Song.catalog_id == "8"))
    keep(session, Target("song-8", song_id, "http://127.0.0.1:9/8.png"), png(8, 8), BASE_TIME)
    session.commit()

    html = client.get("/players/舞萌玩家/best50").get_data(as_text=True)
    first = card_of(html, "True Love Song")
    assert first.startswith('<li class="b50-card diff-master">')
    assert '<a class="b50-link" href="/players/%s/charts/8/master">' % NAME in first
    assert re.search(r'<img class="jacket" src="/jackets/[0-9a-f]{64}"', first)
    assert '<span class="b50-position">#1</span>' in first
    assert '<span class="b50-diff">MASTER 12 · 12.4</span>' in first  # level and constant
    assert '<span class="kind kind-sd">标准</span>' in first and "101.0000%" not in first
    assert '<span class="b50-achievement">100.5000%</span>' in first
    assert '<span class="mark fc-ap">AP</span><span class="mark fs-fs">FS</span>' in first
    assert 'DX 1,150 <span class="stars" title="4 星">★★★★</span>' in first
    rating = fraction_rating(12.4, 1005000)
    assert '<span class="b50-rating" title="Rating">%d</span>' % rating in first
    assert "已是最高档" in first

    floor = card_of(html, "Link(CoF)")  # the frame's last: its floor, without a jacket
    assert floor.startswith('<li class="b50-card diff-master b50-floor">')
    assert '<span class="jacket jacket-none diff-master" aria-hidden="true">L</span>' in floor
    assert '<a class="b50-link" href="/players/%s/charts/383/master">' % NAME in floor
    assert "下一档 S+ 98.0000% →" in floor


def test_a_card_escapes_the_catalogs_texts_and_links_a_chart_without_an_id_by_title(
    client, session
):
    title = '<b>"A&B"</b>'
    level = "<i>14+"
    sync(session, small_catalog() + [song_of("900", title, "DX", [12.0, 13.0, 14.0, 14.5])])
    session.execute(
        Chart.__table__.update()
        .where(Chart.constant_tenths == 145, Chart.difficulty == game.MASTER)
        .values(level=level)
    )
    session.execute(Song.__table__.update().where(Song.title == title).values(catalog_id=None))
    session.commit()
    player, _ = new_player(session)
    add_play(session, player, title, game.DX, achievement=1000000)
    session.commit()
    link_all(session)
    session.commit()

    html = client.get("/players/舞萌玩家/best50").get_data(as_text=True)
    card = card_of(html, "&lt;b&gt;&#34;A&amp;B&#34;&lt;/b&gt;")
    assert "<b>" not in card and "<i>" not in card
    assert '<span class="b50-diff">MASTER &lt;i&gt;14+ · 14.5</span>' in card
    # Without a song id the card links the chart by its title, percent-encoding what a
    # query can't hold and escaping the & between the arguments.
    query = "title=%3Cb%3E%22A%26B%22%3C/b%3E&amp;kind=DX&amp;difficulty=master"
    assert '<a class="b50-link" href="/players/%s/charts/chart?%s">' % (NAME, query) in card
    assert '<span class="jacket jacket-none diff-master" aria-hidden="true">&lt;</span>' in card
