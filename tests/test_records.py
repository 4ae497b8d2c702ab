"""Every play, newest first: the cards, keyset pages, filters and bad parameters."""

import html
import re
from urllib import parse

import pytest

from factories import BASE_TIME, add_play, add_player, add_plays
from maimai_probe import game


def titles(page: str) -> list:
    """Return the play titles of a page, in order."""
    return re.findall(r'<h3 class="play-title"><a href="[^"]*">([^<]*)</a>', page)


def link(page: str, rel: str) -> str:
    """Return the href of the pager link with this rel."""
    found = re.search(r'href="([^"]*)" rel="%s"' % rel, page)
    assert found, "no %s link" % rel
    return found.group(1).replace("&amp;", "&")


def test_a_play_card_shows_what_the_official_playlog_shows(client, session):
    alice = add_player(session, "alice")
    add_play(
        session,
        alice,
        kind=game.STANDARD,
        fc=game.FC_PLUS,
        fs=game.FS,
        dx_stars=3,
        place=2,
        achievement_new_record=True,
    )
    response = client.get("/players/alice/plays")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<article class="play diff-master">' in page
    assert "MASTER 14" in page and "标准" in page
    assert "曲目 04" in page and "2025/10/03 13:06" in page
    assert '<span class="achievement">98.6484%</span>' in page
    assert '<span class="rank rank-sp">S+</span>' in page
    assert "3,066 / 3,567" in page and "★★★" in page
    assert ">FC+</span>" in page and ">FS</span>" in page
    assert "第 2 名" in page and "新纪录" in page
    assert "共 1 次游玩" in page
    href = re.search(r'<h3 class="play-title"><a href="([^"]*)"', page).group(1)
    path, _, query = html.unescape(href).partition("?")
    assert path == "/players/alice/chart"
    assert parse.parse_qs(query) == {"title": ["Re:Unknown X"], "kind": ["SD"], "difficulty": ["3"]}


def test_the_play_time_is_shown_in_the_plays_own_time_zone(client, session):
    alice = add_player(session, "alice")
    add_play(session, alice, utc_offset=game.JAPAN_UTC_OFFSET, service="intl")
    page = client.get("/players/alice/plays").get_data(as_text=True)
    assert "2025/10/03 14:06" in page


def test_plays_are_newest_first_in_keyset_pages_that_stay_put(client, session):
    alice = add_player(session, "alice")
    add_plays(session, alice, 12)
    first = client.get("/players/alice/plays?size=5").get_data(as_text=True)
    assert titles(first) == ["Song %04d" % n for n in (11, 10, 9, 8, 7)]
    assert 'rel="prev"' not in first
    older = link(first, "next")
    assert older == "/players/alice/plays?size=5&before=%d" % (BASE_TIME + 7 * 60)

    # New plays arrive between page 1 and page 2: page 2 does not move.
    add_plays(session, alice, 3, start=BASE_TIME + 86400)
    second = client.get(older).get_data(as_text=True)
    assert titles(second) == ["Song %04d" % n for n in (6, 5, 4, 3, 2)]
    third = client.get(link(second, "next")).get_data(as_text=True)
    assert titles(third) == ["Song 0001", "Song 0000"]
    assert 'rel="next"' not in third

    back = client.get(link(third, "prev")).get_data(as_text=True)
    assert titles(back) == titles(second)
    newer = client.get(link(back, "prev")).get_data(as_text=True)
    assert titles(newer) == ["Song %04d" % n for n in (11, 10, 9, 8, 7)]
    newest = client.get(link(newer, "prev")).get_data(as_text=True)
    # Nothing newer than the newest page: the newest page, full, with the new plays.
    assert titles(newest) == ["Song 0002", "Song 0001", "Song 0000", "Song 0011", "Song 0010"]
    assert 'rel="prev"' not in newest


def test_an_empty_archive_and_an_empty_filter_say_so(client, session):
    alice = add_player(session, "alice")
    assert "还没有游玩记录" in client.get("/players/alice/plays").get_data(as_text=True)
    add_play(session, alice)
    page = client.get("/players/alice/plays?title=nothing").get_data(as_text=True)
    assert "没有符合筛选条件的游玩记录" in page and "清除筛选" in page


def filtered(client, query: str) -> list:
    """Return the titles a filter keeps, newest first."""
    response = client.get("/players/alice/plays?" + query)
    assert response.status_code == 200, response.get_data(as_text=True)
    return titles(response.get_data(as_text=True))


@pytest.fixture
def varied(session):
    """Add plays that differ in every filtered field."""
    alice = add_player(session, "alice")
    rows = [
        # title, kind, difficulty, achievement, fc, fs, China time
        ("ウミユリ海底譚", game.DX, game.MASTER, 1005000, game.AP_PLUS, game.FDX_PLUS, 0),
        ("Re:Unknown X", game.STANDARD, game.EXPERT, 995000, game.FC_PLUS, game.FS, 1),
        ("100%ちょこれーと", game.DX, game.REMASTER, 980000, game.FC, game.SYNC, 2),
        ("RE:Unknown x", game.DX, game.BASIC, 970000, game.FC_NONE, game.FS_NONE, 3),
        ("宴の曲", game.DX, game.UTAGE, 900000, game.FC_NONE, game.FS_PLUS, 4),
    ]
    for title, kind, difficulty, achievement, fc, fs, hours in rows:
        add_play(
            session,
            alice,
            title=title,
            kind=kind,
            difficulty=difficulty,
            achievement=achievement,
            fc=fc,
            fs=fs,
            played_at=BASE_TIME + hours * 3600,
        )
    add_play(session, add_player(session, "bob"), title="Re:Unknown X of bob", achievement=1)
    return alice


@pytest.mark.usefixtures("varied")
@pytest.mark.parametrize(
    "query, expected",
    [
        ("", ["宴の曲", "RE:Unknown x", "100%ちょこれーと", "Re:Unknown X", "ウミユリ海底譚"]),
        ("title=unknown", ["RE:Unknown x", "Re:Unknown X"]),
        ("title=UNKNOWN+X", ["RE:Unknown x", "Re:Unknown X"]),
        ("title=100%25", ["100%ちょこれーと"]),  # % is a character, not a wildcard
        ("title=_", []),
        ("title=海底", ["ウミユリ海底譚"]),
        ("difficulty=3&difficulty=4", ["100%ちょこれーと", "ウミユリ海底譚"]),
        ("difficulty=4", ["100%ちょこれーと"]),
        ("difficulty=master&difficulty=remaster", ["100%ちょこれーと", "ウミユリ海底譚"]),
        ("difficulty=10", ["宴の曲"]),
        ("kind=SD", ["Re:Unknown X"]),
        ("kind=dx&title=unknown", ["RE:Unknown x"]),
        ("rank=s", ["RE:Unknown x", "100%ちょこれーと", "Re:Unknown X", "ウミユリ海底譚"]),
        ("rank=sp&rank_mode=exact", ["100%ちょこれーと"]),
        ("rank=SS%2B", ["Re:Unknown X", "ウミユリ海底譚"]),
        ("fc=fc", ["100%ちょこれーと", "Re:Unknown X", "ウミユリ海底譚"]),
        ("fc=fcp", ["Re:Unknown X", "ウミユリ海底譚"]),
        ("fc=AP%2B", ["ウミユリ海底譚"]),
        ("fs=fs", ["宴の曲", "Re:Unknown X", "ウミユリ海底譚"]),
        ("fs=sync&fc=fc", ["100%ちょこれーと", "Re:Unknown X", "ウミユリ海底譚"]),
        (
            "title=&kind=&rank=&fc=&fs=&from=&to=",
            ["宴の曲", "RE:Unknown x", "100%ちょこれーと", "Re:Unknown X", "ウミユリ海底譚"],
        ),
    ],
)
def test_filters(client, query, expected):
    assert filtered(client, query) == expected


def test_dates_are_the_plays_local_dates(client, session):
    alice = add_player(session, "alice")
    # 2025-10-03 23:30 in China is 15:30 UTC; 2025-10-04 00:30 in China is still Oct 3 in UTC.
    add_play(session, alice, played_at=1759505400, title="late on the 3rd")
    add_play(session, alice, played_at=1759509000, title="early on the 4th")
    # 15:31 UTC is 23:31 on the 3rd in China but 00:31 on the 4th in Tokyo.
    add_play(session, alice, played_at=1759505460, title="Tokyo 4th", utc_offset=540)
    assert filtered(client, "to=2025-10-03") == ["late on the 3rd"]
    assert filtered(client, "from=2025-10-04") == ["early on the 4th", "Tokyo 4th"]
    assert filtered(client, "from=2025-10-03&to=2025-10-03") == ["late on the 3rd"]
    assert filtered(client, "from=2025-10-05") == []


def test_filters_are_kept_across_pages_and_in_the_form(client, session):
    alice = add_player(session, "alice")
    add_plays(session, alice, 6, difficulty=game.EXPERT, kind=game.STANDARD)
    add_plays(session, alice, 6, start=BASE_TIME + 30, difficulty=game.MASTER)
    page = client.get("/players/alice/plays?size=2&difficulty=2&kind=SD&title=song").get_data(
        as_text=True
    )
    assert len(titles(page)) == 2
    older = link(page, "next")
    assert older.startswith("/players/alice/plays?title=song&difficulty=2&kind=SD&size=2&before=")
    second = client.get(older).get_data(as_text=True)
    assert '<article class="play diff-expert">' in second
    assert '<article class="play diff-master">' not in second
    assert 'name="difficulty" value="2" checked' in second
    assert '<option value="SD" selected>' in second
    assert 'name="title" value="song"' in second
    assert "符合条件 6 次" in second
    # The panel stays closed; each filter in force is a chip whose link drops only it.
    assert '<details class="card filters">' in second
    chips = re.findall(r'<a class="applied-filter" href="([^"]*)"[^>]*>([^<]*)<', second)
    assert [(html.unescape(href), label) for href, label in chips] == [
        ("/players/alice/plays?difficulty=2&kind=SD", "曲名：song"),
        ("/players/alice/plays?title=song&kind=SD", "EXPERT"),
        ("/players/alice/plays?title=song&difficulty=2", "标准 谱面"),
    ]
    assert '<a class="applied-filter clear" href="/players/alice/plays">全部清除</a>' in second


@pytest.mark.parametrize(
    "query, message",
    [
        ("difficulty=abc", "难度「abc」无法识别"),
        ("difficulty=7", "难度「7」无法识别"),
        ("kind=XX", "谱面类型「XX」无法识别"),
        ("before=-1", "翻页参数 before=-1 无效"),
        ("before=abc", "翻页参数 before=abc 无效"),
        ("after=99999999999999999999999", "翻页参数 after="),
        ("before=1&after=2", "不能同时使用"),
        ("from=2025-13-45", "开始日期「2025-13-45」不是有效的日期"),
        ("to=yesterday", "结束日期「yesterday」不是有效的日期"),
        ("from=2025-10-04&to=2025-10-03", "开始日期晚于结束日期"),
        ("rank=Z", "评级「Z」无法识别"),
        ("rank=s&rank_mode=below", "评级筛选方式"),
        ("fc=xx", "FC 筛选「xx」无法识别"),
        ("fs=fc", "FS 筛选「fc」无法识别"),
        ("size=0", "每页条数 size=0 无效"),
        ("size=-5", "每页条数 size=-5 无效"),
        ("size=ten", "每页条数 size=ten 无效"),
        ("title=%00", "曲名里有无法识别的字符"),
        ("title=" + "x" * 101, "曲名太长了"),
    ],
)
@pytest.mark.parametrize("path", ["/players/alice/plays", "/players/alice/diff"])
def test_bad_parameters_are_a_chinese_400(client, session, path, query, message):
    add_play(session, add_player(session, "alice"))
    response = client.get(path + "?" + query)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_a_huge_page_size_is_cut_down(client, session):
    alice = add_player(session, "alice")
    add_plays(session, alice, 205)
    page = client.get("/players/alice/plays?size=100000").get_data(as_text=True)
    assert len(titles(page)) == 200
    assert "before=%d" % (BASE_TIME + 5 * 60) in link(page, "next")


def test_unknown_player_plays_are_404(client):
    assert client.get("/players/nobody/plays").status_code == 404
