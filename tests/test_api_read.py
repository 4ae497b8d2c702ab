"""The JSON API's read side: plays, diffs and bests, with the pages' filters and cursors."""

import pytest

from factories import BASE_TIME, add_play, add_player, add_plays, add_score
from maimai_probe import game
from maimai_probe.models import PlayDetail


def test_plays_carry_every_stored_field(client, session):
    alice = add_player(session, "alice")
    play = add_play(
        session, alice, ring_slot=33, place=2, jacket="0847c38d2a623e99", dx_score_new_record=True
    )
    session.add(PlayDetail(play_id=play.id, fast=12, late=3, rating=15321, rating_delta=4))
    session.commit()

    response = client.get("/api/players/alice/plays")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    body = response.get_json()
    assert body["player"] == "alice" and body["size"] == 50 and body["total"] == 1
    assert body["next"] is None and body["prev"] is None
    assert body["plays"] == [
        {
            "played_at": BASE_TIME,
            "played_at_local": "2025-10-03T13:06:00+08:00",
            "utc_offset": 480,
            "ring_slot": 33,
            "track": 4,
            "title": "Re:Unknown X",
            "kind": "DX",
            "difficulty": 3,
            "difficulty_name": "MASTER",
            "level": "14",
            "constant": None,
            "achievement": 98.6484,
            "achievement_raw": 986484,
            "rank": "sp",
            "rank_label": "S+",
            "dx_score": 3066,
            "dx_score_max": 3567,
            "dx_stars": 1,
            "fc": 0,
            "fc_label": "",
            "fs": 1,
            "fs_label": "SYNC",
            "achievement_new_record": False,
            "dx_score_new_record": True,
            "place": 2,
            "jacket": "0847c38d2a623e99",
            "chart_id": None,
            "service": "cn",
            "imported_at": BASE_TIME + 600,
            "detail": {
                "judgements": None,
                "fast": 12,
                "late": 3,
                "max_combo": None,
                "max_combo_total": None,
                "max_sync": None,
                "max_sync_total": None,
                "rating": 15321,
                "rating_delta": 4,
                "matching_players": None,
            },
        }
    ]


def test_plays_page_by_cursor_with_filters(client, session):
    alice = add_player(session, "alice")
    add_plays(session, alice, 7, kind=game.STANDARD)
    add_plays(session, alice, 3, start=BASE_TIME + 30)
    body = client.get("/api/players/alice/plays?kind=SD&size=3").get_json()
    assert [play["title"] for play in body["plays"]] == ["Song 0006", "Song 0005", "Song 0004"]
    assert body["total"] == 7 and body["prev"] is None
    assert body["next"] == {
        "before": BASE_TIME + 4 * 60,
        "url": "/api/players/alice/plays?kind=SD&size=3&before=%d" % (BASE_TIME + 4 * 60),
    }
    add_plays(session, alice, 2, start=BASE_TIME + 86400, kind=game.STANDARD)
    second = client.get(body["next"]["url"]).get_json()
    assert [play["title"] for play in second["plays"]] == ["Song 0003", "Song 0002", "Song 0001"]
    assert second["prev"]["after"] == BASE_TIME + 3 * 60
    last = client.get(second["next"]["url"]).get_json()
    assert [play["title"] for play in last["plays"]] == ["Song 0000"]
    assert last["next"] is None


def test_diff_gives_each_play_against_the_earlier_best(client, session):
    alice = add_player(session, "alice")
    add_play(session, alice, played_at=BASE_TIME, achievement=979000, dx_score=3000)
    add_play(session, alice, played_at=BASE_TIME + 60, achievement=980234, fc=game.FC)
    body = client.get("/api/players/alice/diff").get_json()
    newest, first = body["plays"]
    assert newest["achievement_raw"] == 980234 and newest["detail"] is None
    assert newest["diff"] == {
        "nth": 2,
        "first_play": False,
        "status": "improved",
        "outcome": "record",
        "improved": True,
        "previous_best": {
            "achievement": 97.9,
            "achievement_raw": 979000,
            "rank": "s",
            "dx_score": 3000,
            "fc": 0,
            "fs": 1,
        },
        "achievement_delta": 0.1234,
        "achievement_delta_raw": 1234,
        "dx_score_delta": 66,
        "rank_up": True,
        "new_fc": True,
        "new_fs": False,
    }
    assert first["diff"]["first_play"] is True and first["diff"]["previous_best"] is None
    assert first["diff"]["status"] == "first" and first["diff"]["achievement_delta"] is None


def test_diff_can_keep_only_the_plays_that_beat_the_earlier_best(client, session):
    alice = add_player(session, "alice")
    for n, achievement in enumerate([970000, 960000, 980000, 975000, 990000]):
        add_play(session, alice, played_at=BASE_TIME + n * 60, achievement=achievement)
    body = client.get("/api/players/alice/diff?improved=1&size=1").get_json()
    assert [play["achievement_raw"] for play in body["plays"]] == [990000]
    assert body["plays"][0]["diff"]["outcome"] == "record"
    assert "improved=1" in body["next"]["url"]
    rest = client.get(body["next"]["url"]).get_json()
    assert [play["achievement_raw"] for play in rest["plays"]] == [980000]
    assert rest["next"] is None


def test_best_takes_the_best_of_plays_and_score_lists(client, session):
    alice = add_player(session, "alice")
    add_play(session, alice, played_at=BASE_TIME, achievement=990000, dx_score=3300, fs=game.FS)
    add_play(session, alice, played_at=BASE_TIME + 60, achievement=995500, fc=game.FC)
    add_score(session, alice, achievement=993000, dx_score=3100, fc=game.FC_PLUS)
    add_play(session, alice, played_at=BASE_TIME + 120, title="Only played", difficulty=game.EXPERT)
    add_score(session, alice, title="Only in a score list", achievement=1005000, fc=game.AP)
    add_play(session, add_player(session, "bob"), achievement=1010000)

    response = client.get("/api/players/alice/best")
    assert response.status_code == 200
    body = response.get_json()
    assert body["player"] == "alice" and body["count"] == 3
    by_title = {chart["title"]: chart for chart in body["charts"]}
    assert by_title["Re:Unknown X"] == {
        "title": "Re:Unknown X",
        "kind": "DX",
        "difficulty": 3,
        "difficulty_name": "MASTER",
        "level": "14",
        "achievement": 99.55,
        "achievement_raw": 995500,
        "rank": "ssp",
        "rank_label": "SS+",
        "dx_score": 3300,
        "dx_score_max": 3567,
        "fc": game.FC_PLUS,
        "fc_label": "FC+",
        "fs": game.FS,
        "fs_label": "FS",
        "play_count": 2,
        "last_played_at": BASE_TIME + 60,
        "achievement_from_score_list": False,
    }
    only_score = by_title["Only in a score list"]
    assert only_score["play_count"] == 0 and only_score["last_played_at"] is None
    assert only_score["achievement_from_score_list"] is True and only_score["rank"] == "sssp"
    assert by_title["Only played"]["difficulty_name"] == "EXPERT"


@pytest.mark.parametrize(
    "query, titles",
    [
        ("difficulty=2", ["Only played"]),
        ("title=only", ["Only in a score list", "Only played"]),
        ("fc=ap", ["Only in a score list"]),
        ("rank=ssp", ["Only in a score list", "Re:Unknown X"]),
        ("rank=ssp&rank_mode=exact", ["Re:Unknown X"]),
        ("fs=fs", ["Re:Unknown X"]),
    ],
)
def test_best_filters_apply_to_the_best(client, session, query, titles):
    alice = add_player(session, "alice")
    add_play(session, alice, played_at=BASE_TIME, achievement=995500, fs=game.FS)
    add_play(session, alice, played_at=BASE_TIME + 60, title="Only played", difficulty=2)
    add_score(session, alice, title="Only in a score list", achievement=1005000, fc=game.AP)
    body = client.get("/api/players/alice/best?" + query).get_json()
    assert [chart["title"] for chart in body["charts"]] == titles


@pytest.mark.parametrize(
    "path, status, error",
    [
        ("/api/players/nobody/plays", 404, "找不到玩家「nobody」。"),
        ("/api/players/alice/plays?difficulty=abc", 400, "难度「abc」无法识别"),
        ("/api/players/alice/diff?before=-1", 400, "翻页参数 before=-1 无效"),
        ("/api/players/alice/plays?from=2025-13-45", 400, "不是有效的日期"),
        ("/api/players/alice/best?from=2025-10-01", 400, "最佳成绩不支持按日期筛选"),
        ("/api/players/alice/best?kind=??", 400, "谱面类型"),
        ("/api/players/alice/best?size=5", 400, "不分页（size）"),
        ("/api/players/alice/best?size=&before=1", 400, "不分页（before）"),
        ("/api/players/alice/best?after=1", 400, "不分页（after）"),
    ],
)
def test_errors_are_json(client, session, path, status, error):
    add_player(session, "alice")
    response = client.get(path)
    assert response.status_code == status
    body = response.get_json()
    assert body["status"] == status and error in body["error"]


def test_the_api_needs_no_csrf_token(app):
    from maimai_probe.web import csrf

    assert "api" in csrf.exempt_blueprints(app)
    # A write route as the importer adds them: no cookie, no CSRF token, still accepted.
    app.add_url_rule("/api/echo", "api.echo", lambda: "ok", methods=["POST"])
    assert app.test_client().post("/api/echo").status_code == 200
