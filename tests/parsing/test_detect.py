"""parse_page: which parser reads which page, and the clear error for everything else."""

import codecs
import json

import pytest
from parsing_pages import page_text, real_record_page

from maimai_probe import game
from maimai_probe.parsing.detect import MAX_PAGE_CHARS, parse_page
from maimai_probe.parsing.results import PageError, ProfileSnapshot


@pytest.mark.parametrize(
    ("name", "kind", "service"),
    [
        ("record_cn.html", "record", "cn"),
        ("record_intl.html", "record", "intl"),
        ("playlog_detail.html", "playlog_detail", "cn"),
        ("music_genre.html", "score_list", "cn"),
        ("home.html", "profile", "cn"),
        ("player_data.html", "profile", "cn"),
        ("friend_code.html", "profile", "cn"),
    ],
)
def test_each_page_goes_to_its_parser(name, kind, service):
    page = parse_page(page_text(name))
    assert (page.page, page.service) == (kind, service)


def test_real_record_page():
    text = real_record_page()
    page = parse_page(text)
    assert (page.page, page.service, len(page.plays)) == ("record", "cn", 50)
    assert page.profile is None  # the record page shows no player name


def test_saved_bytes_with_a_byte_order_mark():
    data = codecs.BOM_UTF8 + page_text("record_cn.html").encode("utf-8")
    page = parse_page(data)
    assert page.plays[0].title == "チルノのパーフェクトさんすう教室\u3000⑨周年バージョン"


def test_a_page_showing_the_player_block_keeps_the_profile():
    text = page_text("music_genre.html")
    player = page_text("home.html")
    block = player[
        player.index('<div class="see_through_block') : player.index(
            '<div class="see_through_block m_15 p_10'
        )
    ]
    page = parse_page(
        text.replace(
            '<img src="https://maimai.wahlap.com/maimai-mobile/img/title_music.png"',
            block + '<img src="https://maimai.wahlap.com/maimai-mobile/img/title_music.png"',
            1,
        )
    )
    assert page.page == "score_list"
    assert page.profile.name == "ｍａｉ☆Ｐｒｏｂｅ"


def test_diving_fish_export_through_parse_page():
    document = {
        "records": [{"title": "Link", "type": "SD", "level_index": 3, "achievements": 99.1}]
    }
    page = parse_page(json.dumps(document))
    assert (page.page, page.service) == ("divingfish_json", "divingfish")
    assert page.scores[0].achievement == 991000
    assert page.scores[0].difficulty == game.MASTER


def _cut_mid_play() -> str:
    text = page_text("record_cn.html")
    return text[: text.index("1,500 / 2,400")]


def _without(name: str, old: str, new: str = "") -> str:
    text = page_text(name)
    assert old in text
    return text.replace(old, new)


BAD_INPUT = [
    ("empty", "", "unknown", "内容是空的"),
    ("whitespace", " \n\t\u3000\n", "unknown", "内容是空的"),
    ("plain text", "今天推了 Re:Unknown X，98.6484%", "unknown", "只是一段普通文字"),
    ("JSON object", '{"name": "maimai", "rating": 15873}', "unknown", "不是水鱼查分器导出的成绩"),
    ("JSON list", "[1, 2, 3]", "unknown", "不是水鱼查分器导出的成绩"),
    ("broken JSON", '{"records": [{"title": "Link"', "unknown", "JSON，但格式有误"),
    (
        "Diving-Fish record without type",
        '{"records": [{"title": "Link", "level_index": 3, "achievements": 99}]}',
        "divingfish_json",
        "第 1 条记录的 type 缺失",
    ),
    (
        "record page cut mid-play",
        _cut_mid_play(),
        "record",
        "这份「最近游玩记录」页面不完整：官方页面以 </html> 结束",
    ),
    (
        "play without idx",
        _without("record_cn.html", '<input type="hidden" name="idx" value="18,1759652467" />'),
        "record",
        "第 3 条游玩记录（「DETARAME ROCK&ROLL THEORY」）的idx（游玩编号）不见了",
    ),
    (
        "achievement abc%",
        _without("record_cn.html", '95<span class="f_20">.0000%</span>', "abc%"),
        "record",
        "第 2 条游玩记录（「CYCLES」）的达成率「abc%」读不出来",
    ),
    (
        "record page without plays",
        _without("record_cn.html", "playlog_top_container", "playlog_top"),
        "record",
        "一条游玩记录也没有",
    ),
    (
        "error page 200002",
        page_text("error_200002.html"),
        "error_page",
        "这是官方的错误页面（错误码 200002：登录已失效），请重新登录后再保存页面。",
    ),
    (
        "international error page",
        page_text("error_intl.html"),
        "error_page",
        "（错误码 100001：The server is busy. Please wait a while and try again.）",
    ),
    ("login page", page_text("login_intl.html"), "unknown", "这看起来是登录页面"),
    (
        "WeChat-only page",
        "<html><body><p>请在微信客户端打开链接</p></body></html>",
        "unknown",
        "登录页面",
    ),
    ("unrelated page", page_text("unrelated.html"), "unknown", "（标题「今天去机厅打了舞萌」）"),
    ("empty HTML", "<html><body></body></html>", "unknown", "没有游玩记录、乐曲成绩或玩家信息"),
    (
        "Japanese site",
        page_text("record_intl.html").replace("maimaidx-eng.com", "maimaidx.jp"),
        "unknown",
        "日服（maimaidx.jp）",
    ),
    ("binary", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "unknown", "不是文字"),
    ("mojibake", "<html>" + "\ufffd" * 200 + "</html>", "unknown", "乱码"),
    ("huge garbage", "<div>" + "x" * MAX_PAGE_CHARS, "unknown", "内容太大"),
    ("huge text", "舞" * 300000, "unknown", "只是一段普通文字"),
    ("deep nesting", "<div>" * 20000 + "x", "unknown", "嵌套超过 200 层"),
    (
        "XML document",
        '<?xml version="1.0"?><records><record/></records>',
        "unknown",
        "没有游玩记录",
    ),
    ("odd markup", '<![if !IE]><div class="playlog_top', "unknown", "没有游玩记录"),
]


@pytest.mark.parametrize(
    ("text", "recognised", "message"),
    [case[1:] for case in BAD_INPUT],
    ids=[case[0] for case in BAD_INPUT],
)
def test_bad_input(text, recognised, message):
    with pytest.raises(PageError) as error:
        parse_page(text)
    assert error.value.recognised == recognised
    assert message in error.value.message
    assert str(error.value) == error.value.message


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff\xfe\xfa\x00garbage", b"\x1f\x8b\x08\x00\x00\x00\x00\x00", b"\x80" * 64],
)
def test_bad_bytes(data):
    with pytest.raises(PageError) as error:
        parse_page(data)
    assert error.value.recognised == "unknown"


def test_profile_snapshot_of_friend_code_page():
    assert parse_page(page_text("friend_code.html")).profile == ProfileSnapshot(
        name="ｍａｉ☆Ｐｒｏｂｅ",
        rating=15873,
        title="舞萌DX\u30002025",
        course_rank="course_rank_11",
        class_rank="class_rank_s_05",
        stars=123,
        friend_code="101680935172488",
        icon="3a7c1e5f9b2d4860",
    )
