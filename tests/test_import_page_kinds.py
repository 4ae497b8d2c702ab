"""Pages a player may save, sent to the import API: read right, or refused with nothing written."""

import pytest
from sqlalchemy import select

from conftest import SHARED_FIXTURES
from import_helpers import PAGES, new_player, row_counts
from maimai_probe.models import ProfileSnapshot, Score

URL = "/api/players/舞萌玩家/imports"


def send(client, token, body):
    return client.post(
        URL,
        data=body,
        content_type="text/html; charset=utf-8",
        headers={"Authorization": "Bearer %s" % token},
    )


def hand_made(name):
    return (PAGES / name).read_bytes()


def garbled(data):
    return data.decode("gbk", "replace").encode("utf-8")  # UTF-8 read as GBK, saved again


def test_a_song_page_stores_a_reading_per_played_difficulty(client, session):
    token = new_player(session)[1]
    answer = send(client, token, hand_made("music_detail.html"))
    assert answer.status_code == 201
    assert answer.get_json()["files"][0]["page"] == "music_detail"
    readings = session.execute(
        select(Score.title, Score.difficulty, Score.achievement, Score.source).order_by(
            Score.difficulty
        )
    ).all()
    assert [tuple(row) for row in readings] == [
        ("セイクリッド\u3000ルイン", 2, 1006321, "score_list"),
        ("セイクリッド\u3000ルイン", 3, 972001, "score_list"),
    ]
    again = send(client, token, hand_made("music_detail.html"))
    assert (again.status_code, again.get_json()["known"]["scores"]) == (200, 2)


def test_a_level_list_of_both_kinds_stores_every_score(client, session):
    token = new_player(session)[1]
    answer = send(client, token, hand_made("music_level_intl.html"))
    assert (answer.status_code, answer.get_json()["new"]["scores"]) == (201, 3)


@pytest.mark.parametrize(
    ("body", "recognised", "said"),
    [
        (lambda: hand_made("friend_list.html"), "friend_list", "这是好友页面"),
        (lambda: hand_made("rating_target_intl.html"), "rating_target", "Rating 对象乐曲"),
        (lambda: hand_made("divingfish_guide.html"), "divingfish_page", "水鱼查分器网站上的页面"),
        (lambda: hand_made("collection.html"), "official_page", "「收藏品」页面"),
        (lambda: hand_made("record_cn.html")[:6000], "record", "页面不完整"),
        (lambda: garbled(hand_made("record_cn.html")), "record", "的文字是乱码"),
        (lambda: hand_made("friend_code.html")[900:], "profile", "不完整"),
    ],
    ids=[
        "friend list",
        "rating target",
        "Diving-Fish guide",
        "collection",
        "cut",
        "garbled",
        "half",
    ],
)
def test_a_page_that_is_not_the_players_or_is_damaged_writes_nothing(
    client, session, body, recognised, said
):
    token = new_player(session)[1]
    before = row_counts(session)
    answer = send(client, token, body())
    assert answer.status_code == 422
    file = answer.get_json()["files"][0]
    assert (file["page"], file["accepted"]) == (recognised, False)
    assert said in file["error"]
    assert row_counts(session) == before
    assert session.scalars(select(ProfileSnapshot)).all() == []


def test_the_real_friend_vs_page_stores_no_friend_score(client, session):
    path = SHARED_FIXTURES / "maimai-mobile" / "friend_vs_cn.html"
    if not path.exists():
        pytest.skip("../shared/fixtures absent (a fork has none)")
    token = new_player(session)[1]
    before = row_counts(session)
    answer = send(client, token, path.read_bytes())
    assert answer.status_code == 422
    assert answer.get_json()["files"][0]["page"] == "friend_vs"
    assert row_counts(session) == before
