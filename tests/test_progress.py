"""The plate and plan pages and API on a hand-written catalog, and on the real one."""

import itertools
import json
import re

import pytest
from sqlalchemy import func, select

from factories import BASE_TIME
from factories import add_play as add_factory_play
from maimai_probe import game
from maimai_probe.catalog.linking import link_all
from maimai_probe.catalog.sync import read_catalog, sync_catalog
from maimai_probe.models import Player, Score
from maimai_probe.progress.plate_progress import counted_charts, details, overview
from maimai_probe.progress.plates import PLATES, find_plate
from querycount import queries_for
from test_catalog import shared_fixture, song
from test_linking import add_player, add_score

#: Each play's own second, kept apart from other modules' clocks.
CLOCK = itertools.count(BASE_TIME - 86400 * 30, 60)

GREEN = "maimai GreeN"
SPLASH = "maimai でらっくす Splash"


def catalog():
    """Return a few songs: two of GreeN (one with Re:MASTER), a removed one, 真, DX and UTAGE."""
    return [
        song("180", "緑の歌", "SD", [3.0, 6.0, 9.0, 12.0], **{"from": GREEN}),
        song("181", "緑の裏", "SD", [4.0, 7.0, 10.0, 12.7, 13.2], **{"from": GREEN}),
        song("185", "＊ハロー、プラネット。", "SD", [3.0, 6.8, 9.6, 12.8], **{"from": GREEN}),
        song("1", "初代の歌", "SD", [2.0, 5.0, 8.0, 11.0], **{"from": "maimai"}),
        song("100", "真の歌", "SD", [2.0, 5.0, 8.0, 11.7], **{"from": "maimai PLUS"}),
        song("11000", "爽の歌", "DX", [4.0, 7.0, 10.0, 13.0], **{"from": SPLASH}),
        song(
            "11900", "新しい歌", "DX", [5.0, 8.0, 11.0, 14.5], **{"from": "CiRCLE", "is_new": True}
        ),
        song("110000", "[宴]宴の歌", "DX", [13.0], genre="宴会場", **{"from": SPLASH}),
    ]


def add_play(session, player, title, kind, difficulty=game.MASTER, **fields):
    """Add a play of a chart (not committed) at the next second of this module's clock."""
    fields.setdefault("achievement", 1000000)
    fields.setdefault("fs", game.FS_NONE)
    return add_factory_play(
        session,
        player,
        commit=False,
        played_at=next(CLOCK),
        title=title,
        kind=kind,
        difficulty=difficulty,
        **fields,
    )


def archive(session, fc_green=True):
    """Sync the catalog; give a player FC and SSS on every GreeN chart but one short of SSS."""
    sync_catalog(session, read_catalog(catalog()))
    session.commit()
    player = add_player(session)
    for title in ("緑の歌", "緑の裏"):
        for difficulty in (game.BASIC, game.ADVANCED, game.EXPERT, game.MASTER):
            achievement = 997012 if (title, difficulty) == ("緑の裏", game.MASTER) else 1000000
            add_play(session, player, title, game.STANDARD, difficulty, achievement=achievement)
            if fc_green:  # the FC comes from a score list reading, the achievement from plays
                add_score(
                    session,
                    player,
                    title,
                    game.STANDARD,
                    difficulty,
                    achievement=990000,
                    fc=game.FC,
                )
    # The removed song, played: it counts for nothing.
    add_play(
        session, player, "＊ハロー、プラネット。", game.STANDARD, achievement=1005000, fc=game.AP
    )
    add_play(session, player, "爽の歌", game.DX, game.MASTER, achievement=1005000, fs=game.FDX)
    session.commit()
    link_all(session, player.id)
    session.commit()
    return player


def plate_entry(body, name):
    """Return one plate of the API's list."""
    return next(entry for entry in body if entry["plate"] == name)


def test_the_overview_counts_plays_and_score_readings(app, session):
    player = archive(session)
    found = {progress.plate.name: progress for progress in overview(session, player.id).plates}
    assert (found["超极"].done, found["超极"].total) == (8, 8)  # FC from the score readings
    assert (found["超将"].done, found["超将"].total) == (7, 8)  # SSS from the plays
    assert (found["舞极"].done, found["舞极"].total) == (8, 17)  # + Re:MASTER, 真 songs
    assert (found["霸者"].done, found["霸者"].total) == (8, 17)
    assert (found["真极"].done, found["真极"].total) == (0, 8)
    assert (found["爽舞舞"].done, found["煌舞舞"].done, found["爽舞舞"].total) == (1, 1, 4)
    assert found["超极"].complete and not found["超将"].complete
    assert overview(session, player.id).unknown_versions == [("CiRCLE", 4)]


def test_the_query_and_the_rules_agree_on_every_plate(app, session):
    player = archive(session)
    counted = overview(session, player.id).plates
    worked = details(list(PLATES), counted_charts(session, player.id))
    assert [(p.plate, p.done, p.total) for p in counted] == [
        (d.plate, d.done, d.total) for d in worked
    ]


def test_the_plates_page_shows_every_plate_with_a_bar(app, client, session):
    archive(session)
    response = client.get("/players/舞萌玩家/plates")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "css/progress.css" in html
    assert 'class="active" aria-current="page">牌子</a>' in html
    assert '<progress class="pg-bar" aria-label="超将" max="8" value="7">' in html
    assert "已达成 · 8 / 8" in html  # 超极
    assert "霸者" in html and "真舞舞" in html and "真将" not in html
    assert "CiRCLE：4 张" in html  # the catalog's version no plate covers: said, not guessed


def test_versions_the_catalog_lacks_come_last_as_one_note(app, client, session):
    archive(session)
    html = client.get("/players/舞萌玩家/plates").get_data(as_text=True)
    assert "/ 0</span>" not in html and 'max="1" value="0"' not in html  # no 0 / 0 plate
    # Only the versions with charts, in the game's order; every plate listed links to its page.
    headings = re.findall(r'<section class="card pg-group[^"]*" id="v-[^"]+">\s*<h2>([^<]+)', html)
    assert headings == ["真 ", "超 ", "舞 ", "爽 / 煌 ", "曲目列表里没有的版本"]
    links = re.findall(r'<li class="pg-plate[^"]*">\s*<a href="([^"]+)">', html)
    shown = {p.name for p in PLATES if p.group.series[0] in ("真", "超", "舞", "爽")}
    assert len(links) == len(shown)
    for link in links:
        assert client.get(link).status_code == 200
    # The versions the catalog has no chart of: named once, after every plate.
    note = html.index('id="v-missing"')
    assert note > max(html.index(link) for link in links)
    assert "曲目列表里没有这些版本的曲目" in html[note:]
    assert "檄（maimai GreeN PLUS）" in html[note:] and "宙 / 星（舞萌DX 2022）" in html[note:]
    assert "超（maimai GreeN）" not in html[note:] and "爽 / 煌" not in html[note:]


def test_plate_links_are_the_ones_url_for_builds(sqlite_app):
    from flask import url_for

    from maimai_probe.progress.views import plate_links

    with sqlite_app.test_request_context("/"):
        for name in ("alice", "舞萌 玩家", "a/b?c", "100%"):
            links = plate_links(name)
            assert len(links) == len(PLATES)
            for plate in PLATES:
                built = url_for("progress.plate", name=name, plate_name=plate.name)
                assert links[plate.name] == built


def test_a_plate_page_lists_what_each_chart_lacks(app, client, session):
    archive(session)
    html = client.get("/players/舞萌玩家/plates/超将").get_data(as_text=True)
    assert "还差 <strong>1</strong> 张" in html
    assert "緑の裏" in html and "缺 SSS · 最好 99.7012% FC" in html
    assert "緑の歌" not in html and "ハロー" not in html
    # The Japanese spelling finds the plate too; Re:MASTER counts for 舞 only.
    html = client.get("/players/舞萌玩家/plates/舞極?difficulty=remaster").get_data(as_text=True)
    assert (
        '缺 FC · <span class="muted">未游玩</span>' in html
        and "Re:MASTER" in html
        and "符合条件 1 张" in html
    )


def test_plate_page_filters_and_sorts(app, client, session):
    archive(session)
    url = "/players/舞萌玩家/plates/真极"
    hardest = client.get(url).get_data(as_text=True)
    assert hardest.index("真の歌") < hardest.index("初代の歌")  # 11.7 before 11.0
    easiest = client.get(url + "?sort=level_asc").get_data(as_text=True)
    assert easiest.index("BASIC") < easiest.index("MASTER")
    only = client.get(url + "?level=11%2B&kind=sd").get_data(as_text=True)
    assert "真の歌" in only and "初代の歌" not in only and "符合条件 1 张" in only


@pytest.mark.parametrize(
    "url, status, message",
    [
        ("/players/舞萌玩家/plates/真将", 404, "没有名为「真将」的牌子"),
        ("/players/舞萌玩家/plates/不存在", 404, "没有名为「不存在」的牌子"),
        ("/players/nobody/plates", 404, "找不到玩家"),
        ("/players/舞萌玩家/plates/超将?difficulty=utage", 400, "未知的难度"),
        ("/players/舞萌玩家/plates/超将?level=16", 400, "等级「16」无效"),
        ("/players/舞萌玩家/plates/超将?sort=random", 400, "sort「random」无效"),
        ("/players/舞萌玩家/plates/超将?page=0", 400, "页码「0」无效"),
        ("/players/舞萌玩家/plates/超将?page=99999999999999999999", 400, "页码"),
        ("/players/舞萌玩家/plates/%00%FF", 404, "没有名为"),
        ("/players/舞萌玩家/plan?frame=b50", 400, "frame「b50」无效"),
        ("/players/舞萌玩家/plan?difficulty=%00", 400, "未知的难度"),
        ("/api/players/舞萌玩家/plates?plate=真将", 404, "没有名为「真将」的牌子"),
        ("/api/players/舞萌玩家/plates?version=CiRCLE", 404, "没有牌子覆盖版本「CiRCLE」"),
        ("/api/players/舞萌玩家/plates?version=%00&plate=%00", 404, "没有名为"),
        ("/api/players/舞萌玩家/plates?plate=" + "将" * 5000, 404, "没有名为"),
        ("/api/players/舞萌玩家/rating/plan?level=abc", 400, "等级「abc」无效"),
        ("/api/players/nobody/rating/plan", 404, "找不到玩家"),
    ],
)
def test_bad_input_is_a_clear_error_and_writes_nothing(app, client, session, url, status, message):
    archive(session)
    scores = session.scalar(select(func.count(Score.id)))
    response = client.get(url)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    if url.startswith("/api/"):
        assert response.get_json()["status"] == status
    assert session.scalar(select(func.count(Score.id))) == scores
    assert session.scalar(select(func.count(Player.id))) == 1


def test_the_plates_api_lists_progress_and_missing_charts(app, client, session):
    archive(session)
    body = client.get("/api/players/舞萌玩家/plates").get_json()
    assert len(body) == len(PLATES)
    sho = plate_entry(body, "超将")
    assert (sho["version"], sho["requirement"], sho["done"], sho["total"]) == (GREEN, "sss", 7, 8)
    [missing] = sho["missing"]
    assert missing["title"] == "緑の裏" and missing["kind"] == "SD"
    assert (missing["difficulty"], missing["achievement"], missing["fc"], missing["fs"]) == (
        game.MASTER,
        99.7012,
        "fc",
        None,
    )
    assert isinstance(missing["chart_id"], int)
    assert plate_entry(body, "真神")["version"] == "maimai / maimai PLUS"
    assert plate_entry(body, "霸者")["requirement"] == "clear"

    only = client.get("/api/players/舞萌玩家/plates?plate=暁将").get_json()
    assert [entry["plate"] for entry in only] == ["晓将"]
    assert only[0]["total"] == 0 and only[0]["missing"] == []
    splash = client.get("/api/players/舞萌玩家/plates?version=" + SPLASH).get_json()
    assert {entry["plate"] for entry in splash} == set(
        ["爽极", "爽将", "爽神", "爽舞舞", "煌极", "煌将", "煌神", "煌舞舞"]
    )
    assert plate_entry(splash, "爽舞舞")["done"] == 1
    assert plate_entry(splash, "煌舞舞")["version"] == SPLASH  # the catalog's one name
    both = client.get("/api/players/舞萌玩家/plates?version=舞萌DX 2021&plate=煌神").get_json()
    assert [entry["plate"] for entry in both] == ["煌神"]
    none = client.get("/api/players/舞萌玩家/plates?version=maimai GreeN&plate=煌神").get_json()
    assert none == []


def test_the_plan_page_and_api(app, client, session):
    archive(session)
    body = client.get("/api/players/舞萌玩家/rating/plan").get_json()
    plan = body["plan"]
    assert plan and body["rating"] > 0
    gains = [line["gain"] for line in plan]
    assert gains == sorted(gains, reverse=True)
    fields = set(
        [
            "chart_id",
            "title",
            "kind",
            "difficulty",
            "constant",
            "frame",
            "achievement",
            "target",
            "rating_at_target",
            "gain",
        ]
    )
    assert all(fields <= set(line) for line in plan)
    short = next(line for line in plan if line["title"] == "緑の裏" and line["difficulty"] == 3)
    # 12.7 at 99.7012 % (SS+, 267) -> SSS 100 %: 274, +7, in B35 (not full: its own rating).
    assert (short["frame"], short["achievement"], short["target"]) == ("b35", 99.7012, 100.0)
    assert (short["rating_at_target"], short["gain"], short["constant"]) == (274, 7, 12.7)
    new = next(line for line in plan if line["title"] == "新しい歌" and line["difficulty"] == 3)
    assert (new["frame"], new["achievement"], new["target"]) == ("b15", None, 50.0)
    assert all(line["title"] != "＊ハロー、プラネット。" for line in plan)  # left out of the game
    b15 = client.get("/api/players/舞萌玩家/rating/plan?frame=b15").get_json()["plan"]
    assert b15 and all(line["frame"] == "b15" for line in b15)
    for difficulty in ("master", "3"):
        url = "/api/players/舞萌玩家/rating/plan?difficulty=%s&level=12%%2B" % difficulty
        assert [line["title"] for line in client.get(url).get_json()["plan"]] == ["緑の裏"]

    html = client.get("/players/舞萌玩家/plan").get_data(as_text=True)
    assert 'class="active" aria-current="page">推分</a>' in html
    assert "緑の裏" in html and "+7" in html and "SSS 100.0000%" in html
    closest = client.get("/players/舞萌玩家/plan?sort=closest").get_data(as_text=True)
    assert closest.index("緑の裏") < closest.index("新しい歌")


def test_the_best50_page_links_both_tools(app, client, session):
    archive(session)
    html = client.get("/players/舞萌玩家/best50").get_data(as_text=True)
    assert "/players/%E8%88%9E%E8%90%8C%E7%8E%A9%E5%AE%B6/plan" in html
    assert "/players/%E8%88%9E%E8%90%8C%E7%8E%A9%E5%AE%B6/plates" in html


@pytest.mark.parametrize(
    "url",
    [
        "/players/舞萌玩家/plates",
        "/players/舞萌玩家/plates/舞将",
        "/players/舞萌玩家/plan",
        "/api/players/舞萌玩家/plates",
        "/api/players/舞萌玩家/rating/plan",
    ],
)
def test_each_page_costs_the_same_queries_however_large_the_archive(app, client, session, url):
    player = archive(session)
    first = queries_for(app, client, url)
    for number in range(40):
        add_play(session, player, "爽の歌", game.DX, number % 4, achievement=900000 + number)
        add_score(session, player, "真の歌", game.STANDARD, number % 4, achievement=800000 + number)
    session.commit()
    link_all(session, player.id)
    session.commit()
    assert len(queries_for(app, client, url)) == len(first) <= 4


def test_a_catalog_sync_changes_the_kept_plates_page(app, client, session):
    archive(session)
    before = client.get("/players/舞萌玩家/plates/超极").get_data(as_text=True)
    assert "已达成 · 8 / 8" in before
    more = catalog() + [song("182", "緑の新曲", "SD", [3.0, 6.0, 9.0, 12.0], **{"from": GREEN})]
    sync_catalog(session, read_catalog(more))  # bumps every player's revision
    session.commit()
    after = client.get("/players/舞萌玩家/plates/超极").get_data(as_text=True)
    assert "8 / 12" in after and "緑の新曲" in after


def test_the_real_catalog_has_every_version_on_a_plate(app, client, session):
    data = json.loads(shared_fixture("diving-fish", "music_data.json").read_text("utf-8"))
    sync_catalog(session, read_catalog(data))
    session.commit()
    player = add_player(session)
    found = overview(session, player.id)
    assert found.unknown_versions == []
    totals = {progress.plate.name: progress.total for progress in found.plates}
    by_version = {}
    for entry in data:
        if int(entry["id"]) >= 100000 or entry["id"] in find_plate("舞极").group.versions:
            continue
        by_version.setdefault(entry["basic_info"]["from"], []).append(entry)
    # Every plate's total, counted again from the raw file: BASIC to MASTER (Re:MASTER for 舞).
    from maimai_probe.progress.plates import LEFT_OUT

    for plate in PLATES:
        expected = sum(
            min(len(entry["ds"]), 5 if plate.group.remaster else 4)
            for version in plate.group.versions
            for entry in by_version.get(version, [])
            if entry["id"] not in LEFT_OUT
        )
        assert totals[plate.name] == expected, plate.name
    assert totals["超极"] > 0 and totals["镜极"] > 0 and totals["爽极"] == totals["煌极"] > 0
    assert totals["舞极"] > totals["辉极"] and totals["霸者"] == totals["舞极"]
    # A new player's 舞将 misses every chart: the cards come a page at a time.
    html = client.get("/players/舞萌玩家/plates/舞将?page=2").get_data(as_text=True)
    pages = -(-totals["舞将"] // 60)
    assert "共 %d 张 · 第 2 / %d 页" % (totals["舞将"], pages) in html
    assert html.count('class="pg-card ') == 60
    assert "page=1" in html and "page=3" in html
