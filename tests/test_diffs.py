"""Each play against the best of the same chart's earlier plays."""

import re

from factories import BASE_TIME, add_play, add_player
from maimai_probe import game


def diff_lines(page: str) -> list:
    """Return the text of each diff line, spaces collapsed, newest play first."""
    lines = re.findall(r'<div class="diff-line (change-\w+)">(.*?)</div>', page, re.S)
    return [(status, " ".join(re.sub(r"<[^>]+>", " ", body).split())) for status, body in lines]


def test_each_play_is_compared_with_the_best_before_it(client, session):
    alice = add_player(session, "alice")
    t = BASE_TIME
    add_play(session, alice, played_at=t, achievement=975000, dx_score=3000)
    add_play(session, alice, played_at=t + 60, achievement=979000, dx_score=2990, fc=game.FC)
    add_play(session, alice, played_at=t + 120, achievement=980234, dx_score=3012)
    add_play(session, alice, played_at=t + 180, achievement=970000, dx_score=2900)
    add_play(session, alice, played_at=t + 240, achievement=980234, dx_score=3012)
    add_play(session, alice, played_at=t + 300, achievement=990000, fs=game.FS_PLUS, dx_score=3012)

    response = client.get("/players/alice/diff")
    assert response.status_code == 200
    assert diff_lines(response.get_data(as_text=True)) == [
        ("change-improved", "+0.9766% DX ±0 S+ → SS 首次 FS+ 第 6 次"),
        ("change-same", "+0.0000% DX ±0 未提升 第 5 次"),
        ("change-same", "-1.0234% DX -112 未提升 第 4 次"),
        ("change-improved", "+0.1234% DX +12 S → S+ 第 3 次"),
        ("change-improved", "+0.4000% DX -10 首次 FC 第 2 次"),
        ("change-first", "首次游玩 第 1 次"),
    ]


def test_charts_differ_by_title_kind_and_difficulty_and_player(client, session):
    alice, bob = add_player(session, "alice"), add_player(session, "bob")
    add_play(session, bob, played_at=BASE_TIME - 60, achievement=1000000)
    add_play(session, alice, played_at=BASE_TIME, achievement=990000)
    add_play(session, alice, played_at=BASE_TIME + 60, kind=game.STANDARD)
    add_play(session, alice, played_at=BASE_TIME + 120, difficulty=game.EXPERT)
    add_play(session, alice, played_at=BASE_TIME + 180, title="Re:Unknown X ")
    add_play(session, alice, played_at=BASE_TIME + 240, achievement=995000)
    lines = diff_lines(client.get("/players/alice/diff").get_data(as_text=True))
    assert lines[0] == ("change-improved", "+0.5000% DX ±0 SS → SS+ 第 2 次")
    assert [status for status, _ in lines[1:]] == ["change-first"] * 4


def test_filters_pick_plays_but_not_the_earlier_bests(client, session):
    alice = add_player(session, "alice")
    add_play(session, alice, played_at=BASE_TIME - 86400 * 3, achievement=1000000)
    add_play(session, alice, played_at=BASE_TIME, achievement=998765)
    page = client.get("/players/alice/diff?from=2025-10-03").get_data(as_text=True)
    assert diff_lines(page) == [("change-same", "-0.1235% DX ±0 未提升 第 2 次")]
    assert "本页 1 次中提升 0 次" in page


def test_diff_pages_use_the_same_keyset_cursors(client, session):
    alice = add_player(session, "alice")
    for n in range(7):
        add_play(session, alice, played_at=BASE_TIME + n * 60, achievement=970000 + n)
    first = client.get("/players/alice/diff?size=3").get_data(as_text=True)
    assert [line for _, line in diff_lines(first)][0].endswith("第 7 次")
    older = re.search(r'href="([^"]*)" rel="next"', first).group(1).replace("&amp;", "&")
    assert older == "/players/alice/diff?size=3&before=%d" % (BASE_TIME + 4 * 60)
    add_play(session, alice, played_at=BASE_TIME + 3600, achievement=1000000)
    second = client.get(older).get_data(as_text=True)
    assert [line[-5:] for _, line in diff_lines(second)] == ["第 4 次", "第 3 次", "第 2 次"]


def test_empty_diff_page(client, session):
    add_player(session, "alice")
    response = client.get("/players/alice/diff")
    assert response.status_code == 200
    assert "还没有游玩记录" in response.get_data(as_text=True)
    assert client.get("/players/nobody/diff").status_code == 404
