"""Each play against the best of the same chart's earlier plays."""

import re

from factories import BASE_TIME, add_play, add_player
from maimai_probe import game


def diff_lines(page: str) -> list:
    """Return the text of each diff line, spaces collapsed, newest play first."""
    lines = re.findall(r'<div class="diff-line outcome-([\w-]+)">(.*?)</div>', page, re.S)
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
        ("record", "新纪录 98.0234% → 99.0000% +0.9766% DX 3,012 → 3,012 S+ → SS 首次 FS+ 第 6 次"),
        ("same", "持平 98.0234% → 98.0234% DX 3,012 → 3,012 第 5 次"),
        ("drop", "下降 98.0234% → 97.0000% -1.0234% DX 3,012 → 2,900 -112 第 4 次"),
        ("record", "新纪录 97.9000% → 98.0234% +0.1234% DX 3,000 → 3,012 +12 S → S+ 第 3 次"),
        ("record", "新纪录 97.5000% → 97.9000% +0.4000% DX 3,000 → 2,990 -10 首次 FC 第 2 次"),
        ("first", "首次游玩 第 1 次"),
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
    assert lines[0] == (
        "record",
        "新纪录 99.0000% → 99.5000% +0.5000% DX 3,066 → 3,066 SS → SS+ 第 2 次",
    )
    assert [status for status, _ in lines[1:]] == ["first"] * 4


def test_filters_pick_plays_but_not_the_earlier_bests(client, session):
    alice = add_player(session, "alice")
    add_play(session, alice, played_at=BASE_TIME - 86400 * 3, achievement=1000000)
    add_play(session, alice, played_at=BASE_TIME, achievement=998765)
    page = client.get("/players/alice/diff?from=2025-10-03").get_data(as_text=True)
    assert diff_lines(page) == [
        ("drop", "下降 100.0000% → 99.8765% -0.1235% DX 3,066 → 3,066 第 2 次")
    ]
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


def test_a_score_only_record_is_told_apart_from_an_achievement_record(client, session):
    alice = add_player(session, "alice")
    add_play(session, alice, played_at=BASE_TIME, achievement=1005000, dx_score=2900)
    add_play(session, alice, played_at=BASE_TIME + 60, achievement=1003001, dx_score=2950)
    add_play(session, alice, played_at=BASE_TIME + 120, achievement=1010000, dx_score=2950)
    add_play(session, alice, played_at=BASE_TIME + 180, achievement=1010000, dx_score=2950)
    page = client.get("/players/alice/diff").get_data(as_text=True)
    assert diff_lines(page) == [
        ("same", "持平 101.0000% → 101.0000% DX 2,950 → 2,950 第 4 次"),
        ("record", "新纪录 100.5000% → 101.0000% +0.5000% DX 2,950 → 2,950 第 3 次"),
        ("dx-record", "分数更新 100.5000% → 100.3001% -0.1999% DX 2,900 → 2,950 +50 第 2 次"),
        ("first", "首次游玩 第 1 次"),
    ]
    assert "+0.0000%" not in page


def test_plays_are_grouped_by_day_with_the_days_rating_change(client, session):
    alice = add_player(session, "alice")
    day = 86400
    add_play(session, alice, played_at=BASE_TIME - day, achievement=970000)
    add_play(session, alice, played_at=BASE_TIME, achievement=980000)
    add_play(session, alice, played_at=BASE_TIME + 60, achievement=975000)
    page = client.get("/players/alice/diff").get_data(as_text=True)
    heads = [
        " ".join(re.sub(r"<[^>]+>", " ", head).split())
        for head in re.findall(r'<h2 class="day-head"[^>]*>(.*?)</h2>', page, re.S)
    ]
    assert heads == ["10/3 · 2 次 · 新纪录 1", "10/2 · 1 次 · 新纪录 0"]


def test_only_improvements_keeps_the_plays_that_beat_the_earlier_best(client, session):
    alice = add_player(session, "alice")
    for n, (achievement, dx_score) in enumerate(
        [(970000, 2000), (960000, 2100), (980000, 2000), (975000, 2000), (990000, 1900)]
    ):
        add_play(
            session, alice, played_at=BASE_TIME + n * 60, achievement=achievement, dx_score=dx_score
        )
    page = client.get("/players/alice/diff?improved=1").get_data(as_text=True)
    assert [line[-5:] for _, line in diff_lines(page)] == ["第 5 次", "第 3 次", "第 2 次"]
    assert [status for status, _ in diff_lines(page)] == ["record", "record", "dx-record"]
    # The pager and the filter form keep the choice.
    small = client.get("/players/alice/diff?improved=1&size=2").get_data(as_text=True)
    older = re.search(r'href="([^"]*)" rel="next"', small).group(1).replace("&amp;", "&")
    assert "improved=1" in older
    assert '<input type="hidden" name="improved" value="1">' in small
    rest = client.get(older).get_data(as_text=True)
    assert [line[-5:] for _, line in diff_lines(rest)] == ["第 2 次"]
    # Either way in any of the usual words; junk is refused rather than read as off.
    for on in ("on", "TRUE", " yes "):
        assert client.get("/players/alice/diff?improved=" + on).get_data(as_text=True) == page
    whole = client.get("/players/alice/diff").get_data(as_text=True)
    for off in ("0", "off", "false", ""):
        assert client.get("/players/alice/diff?improved=" + off).get_data(as_text=True) == whole
    for junk in ("abc", "2", "只看"):
        answer = client.get("/players/alice/diff?improved=" + junk)
        assert answer.status_code == 400 and "improved" in answer.get_data(as_text=True)
        assert client.get("/api/players/alice/diff?improved=" + junk).status_code == 400


def test_a_days_header_says_how_the_day_moved_the_rating(client, session):
    from maimai_probe.catalog.linking import link_all
    from maimai_probe.rating.rating_days import rating_trend
    from test_linking import sync

    alice = add_player(session, "alice")
    day = 86400
    add_play(session, alice, played_at=BASE_TIME - day, title="Re:Unknown X", achievement=970000)
    add_play(session, alice, played_at=BASE_TIME, title="Re:Unknown X", achievement=1005000)
    add_play(session, alice, played_at=BASE_TIME + 60, title="Re:Unknown X", achievement=990000)
    sync(session)
    link_all(session)
    session.commit()
    first, second = [point.rating for point in rating_trend(session, alice.id)]
    assert second > first > 0
    page = client.get("/players/alice/diff").get_data(as_text=True)
    heads = [
        " ".join(re.sub(r"<[^>]+>", " ", head).split())
        for head in re.findall(r'<h2 class="day-head"[^>]*>(.*?)</h2>', page, re.S)
    ]
    # The first day of play has no day before it to differ from.
    assert heads == [
        "10/3 · 2 次 · 新纪录 1 · Rating +%d" % (second - first),
        "10/2 · 1 次 · 新纪录 0",
    ]
