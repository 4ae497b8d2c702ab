"""One chart's history: every play oldest first, the best so far, each improvement."""

import re

import pytest

from factories import BASE_TIME, add_play, add_player, add_score
from maimai_probe import game

CHART = "/players/alice/chart?title=Re:Unknown+X&kind=DX&difficulty=3"


def steps(page: str) -> list:
    """Return (status, text) of each history step, oldest first."""
    found = re.findall(r'<li class="history-step (change-\w+)">(.*?)</li>', page, re.S)
    return [(status, " ".join(re.sub(r"<[^>]+>", " ", body).split())) for status, body in found]


def test_history_walks_the_plays_oldest_first_with_the_best_so_far(client, session):
    alice = add_player(session, "alice")
    add_play(session, alice, played_at=BASE_TIME + 120, achievement=975000, dx_score=3000)
    add_play(session, alice, played_at=BASE_TIME, achievement=970000, dx_score=2900)
    add_play(session, alice, played_at=BASE_TIME + 60, achievement=960000, dx_score=2950)
    add_play(session, alice, played_at=BASE_TIME + 180, achievement=981234, fc=game.FC)
    add_play(session, alice, played_at=BASE_TIME + 240, kind=game.STANDARD)  # another chart

    response = client.get(CHART)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert steps(page) == [
        (
            "change-first",
            "第 1 次 2025/10/03 13:06 首次游玩 97.0000% S DX 2,900 SYNC "
            "至此最佳 97.0000% · DX 2,900 · SYNC",
        ),
        (
            "change-improved",
            "第 2 次 2025/10/03 13:07 提升 96.0000% AAA DX 2,950 SYNC -1.0000% DX +50 "
            "至此最佳 97.0000% · DX 2,950 · SYNC",
        ),
        (
            "change-improved",
            "第 3 次 2025/10/03 13:08 提升 97.5000% S DX 3,000 SYNC +0.5000% DX +50 "
            "至此最佳 97.5000% · DX 3,000 · SYNC",
        ),
        (
            "change-improved",
            "第 4 次 2025/10/03 13:09 提升 98.1234% S+ DX 3,066 FC SYNC +0.6234% DX +66 "
            "S → S+ 首次 FC 至此最佳 98.1234% · DX 3,066 · FC · SYNC",
        ),
    ]
    assert '<h1 class="chart-title">Re:Unknown X</h1>' in page
    assert "MASTER 14" in page and '<span class="achievement">98.1234%</span>' in page
    assert "<dt>游玩</dt><dd>4</dd>" in page and "<dt>提升</dt><dd>3</dd>" in page


def test_best_score_readings_count_towards_the_best(client, session):
    alice = add_player(session, "alice")
    add_play(session, alice, achievement=990000)
    add_score(session, alice, achievement=1003000, dx_score=3300, fc=game.AP)
    page = client.get(CHART).get_data(as_text=True)
    assert '<span class="achievement">100.3000%</span>' in page
    assert "最佳成绩含导入的成绩列表" in page and ">AP</span>" in page


def test_a_chart_known_only_from_a_score_list(client, session):
    alice = add_player(session, "alice")
    add_score(session, alice)
    response = client.get(CHART.replace("difficulty=3", "difficulty=master"))
    assert response.status_code == 200
    assert "还没有这张谱面的游玩记录" in response.get_data(as_text=True)


def test_every_card_links_its_chart(client, session):
    alice = add_player(session, "alice")
    add_play(session, alice, title="A&B ?#%")
    page = client.get("/players/alice/plays").get_data(as_text=True)
    href = re.search(r'<h3 class="play-title"><a href="([^"]*)"', page).group(1)
    response = client.get(href.replace("&amp;", "&"))
    assert response.status_code == 200
    assert "A&amp;B ?#%" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query, status, message",
    [
        ("", 400, "请指定谱面"),
        ("title=X&kind=DX", 400, "请指定谱面"),
        ("title=X&kind=ZZ&difficulty=3", 400, "谱面类型「ZZ」无法识别"),
        ("title=X&kind=DX&difficulty=9", 400, "难度「9」无法识别"),
        ("title=%00&kind=DX&difficulty=3", 400, "曲名无效"),
        ("title=Nothing&kind=DX&difficulty=3", 404, "还没有这张谱面的游玩记录"),
    ],
)
def test_bad_or_unknown_charts(client, session, query, status, message):
    add_play(session, add_player(session, "alice"))
    response = client.get("/players/alice/chart?" + query)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
