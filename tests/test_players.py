"""A player's home: profile, totals, newest plays, and 404 for unknown players."""

import re

import pytest

from factories import BASE_TIME, add_play, add_player, add_plays, add_profile
from maimai_probe import game


def test_home_shows_the_latest_profile_totals_and_newest_plays(client, session):
    alice = add_player(session, "alice")
    add_profile(session, alice, observed_at=BASE_TIME - 86400, rating=15000, fingerprint="old")
    add_profile(session, alice, observed_at=BASE_TIME, rating=15321, fingerprint="new")
    add_play(session, alice, played_at=BASE_TIME - 86400, achievement=1005000, fc=game.AP)
    add_play(session, alice, played_at=BASE_TIME - 60, fc=game.FC, fs=game.FS)
    add_plays(session, alice, 12, start=BASE_TIME)

    page = client.get("/players/alice/").get_data(as_text=True)

    assert "ALICE" in page and "15321" in page and "15000" not in page
    assert "かけだしマイマイ" in page and "真皆伝" in page and "LEGEND" in page
    assert "1,234" in page  # the play count the game shows
    # 14 plays of 13 charts over two days; one chart AP (so FC too), SSS+ on it.
    assert "<dt>游玩</dt><dd>14</dd>" in page
    assert "<dt>谱面</dt><dd>13</dd>" in page
    assert "<dt>天数</dt><dd>2</dd>" in page
    assert "<dt>FC</dt><dd>1</dd>" in page
    assert "<dt>AP</dt><dd>1</dd>" in page
    assert "<dt>SSS</dt><dd>1</dd>" in page
    assert page.count('<article class="play ') == 10
    assert "Song 0011" in page and "Song 0002" in page and "Song 0001" not in page
    assert "查看全部 14 次游玩" in page
    assert 'href="/players/alice/plays"' in page and 'href="/players/alice/diff"' in page


def test_days_played_count_local_dates(client, session):
    alice = add_player(session, "alice")
    # 2025-10-03 23:30 and 2025-10-04 00:30 in China: two days, one UTC date.
    add_play(session, alice, played_at=1759505400)
    add_play(session, alice, played_at=1759509000)
    page = client.get("/players/alice/").get_data(as_text=True)
    assert "<dt>天数</dt><dd>2</dd>" in page


def test_a_player_without_plays_sees_how_to_start(client, session):
    add_player(session, "bob")
    response = client.get("/players/bob/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "还没有游玩记录" in page and "还没有导入玩家资料" in page


@pytest.mark.parametrize(
    "path", ["/players/nobody/", "/players/%00/", "/players/" + "x" * 40 + "/"]
)
def test_unknown_player_is_a_chinese_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "找不到玩家" in response.get_data(as_text=True)


def test_player_tabs_link_the_reading_pages(client, session):
    add_player(session, "alice")
    page = client.get("/players/alice/").get_data(as_text=True)
    assert 'class="active" aria-current="page">主页</a>' in page
    assert ">游玩记录</a>" in page and ">成绩变化</a>" in page


def test_names_are_escaped(client, session):
    alice = add_player(session, "<b>x")
    add_play(session, alice, title="<script>alert(1)</script>")
    page = client.get("/players/%3Cb%3Ex/").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "<b>x" not in page and "&lt;b&gt;x" in page


@pytest.mark.parametrize(
    "rating, band",
    [
        (None, "white"),
        (0, "white"),
        (999, "white"),
        (1000, "blue"),
        (3999, "green"),
        (4000, "yellow"),
        (9999, "red"),
        (10000, "purple"),
        (12999, "bronze"),
        (13000, "silver"),
        (14499, "gold"),
        (14500, "platinum"),
        (14999, "platinum"),
        (15000, "rainbow"),
        (17000, "rainbow"),
    ],
)
def test_a_rating_falls_in_the_games_colour_band(rating, band):
    assert game.rating_band(rating) == band


def test_the_rating_badge_takes_its_bands_colour(client, session):
    alice = add_player(session, "alice")
    add_profile(session, alice, rating=14250)
    page = client.get("/players/alice/").get_data(as_text=True)
    assert '<div class="rating band-gold"><span class="rating-label">DX Rating</span>' in page


def test_without_a_profile_the_home_shows_the_archives_rating_trend_and_records(client, session):
    from maimai_probe.catalog.linking import link_all
    from test_linking import sync

    alice = add_player(session, "alice")
    day = 86400
    add_play(session, alice, played_at=BASE_TIME - day, title="Re:Unknown X", achievement=970000)
    add_play(session, alice, played_at=BASE_TIME, title="Re:Unknown X", achievement=1005000)
    add_play(session, alice, played_at=BASE_TIME + 60, title="Re:Unknown X", achievement=990000)
    sync(session)
    link_all(session)
    session.commit()
    best50 = client.get("/players/alice/best50").get_data(as_text=True)
    total = re.search(r'<span class="b50-total-value">(\d+)</span>', best50).group(1)
    page = client.get("/players/alice/").get_data(as_text=True)
    assert "还没有导入玩家资料" in page
    badge = re.search(
        r'<div class="rating band-(\w+)"><span class="rating-label">DX Rating · 存档计算</span>'
        r'<span class="rating-value">(\d+)</span>',
        page,
    )
    assert badge and badge.group(2) == total and total != "0"
    assert badge.group(1) == game.rating_band(int(total))
    # Two days of rating: a trend line from the first day's to the second's.
    trend = re.search(r'<polyline points="([^"]+)"', page)
    assert trend and len(trend.group(1).split()) == 2
    records = re.findall(r'<span class="record-change">(.*?)</span>\s*</a>', page, re.S)
    assert [" ".join(re.sub(r"<[^>]+>", " ", r).split()) for r in records] == [
        "97.0000% → 100.5000%"
    ]


def test_the_unmatched_tab_shows_while_a_play_has_no_chart(client, session):
    from maimai_probe.catalog.linking import link_all
    from maimai_probe.models import bump_revision
    from test_linking import sync

    alice = add_player(session, "alice")
    add_play(session, alice, title="Re:Unknown X")
    sync(session)
    link_all(session)
    session.commit()
    tab = '<a href="/players/alice/unmatched">未对应</a>'
    for path in ("/players/alice/", "/players/alice/plays", "/players/alice/best50"):
        assert tab not in client.get(path).get_data(as_text=True), path
    add_play(session, alice, played_at=BASE_TIME + 60, title="Not In The Catalog")
    bump_revision(session, alice.id)  # as an import does: the kept pages are stale
    session.commit()
    for path in ("/players/alice/", "/players/alice/plays", "/players/alice/best50"):
        assert tab in client.get(path).get_data(as_text=True), path
