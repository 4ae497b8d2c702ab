"""Parsing is bounded before it starts: pages far beyond official ones are refused."""

import pytest
from parsing_pages import page_text, real_record_page

from maimai_probe.parsing import bounds
from maimai_probe.parsing.detect import parse_page
from maimai_probe.parsing.results import PageError

ADVICE = "不像是官方页面，没有解析。请保存官方页面的原始网页再试。"
#: Pages that would cost the parser from seconds to half a minute, each refused by one bound.
BOMBS = [
    ("2,790,000 <a>", "<a>" * 2790000, "有 2790000 个标签符号"),
    ("1,000,000 <p>", "<p>" * 1000000, "有 1000000 个标签符号"),
    ("1,600,000 &amp;", "<html><body>" + "&amp;" * 1600000, "有 1600002 个标签符号"),
    ("one tag, 4 million attributes", "<html><div " + "b " * 4000000 + ">", "个字符长的标签"),
    ("63,000 <div> nested", "<div>" * 63000, "嵌套超过 200 层"),
    ("201 <span> nested", "<html>" + "<span>" * 200, "嵌套超过 200 层"),
    ("280,000 attributes in 70 tags", ("<br " + "b " * 4000 + ">") * 70, "个属性"),
]


@pytest.mark.parametrize(
    ("text", "message"), [case[1:] for case in BOMBS], ids=[c[0] for c in BOMBS]
)
def test_tag_bombs_are_refused_before_parsing(text, message):
    with pytest.raises(PageError) as error:
        parse_page(text)
    assert message in error.value.message
    assert error.value.message.endswith(ADVICE)


def test_the_same_bomb_as_bytes_is_refused():
    with pytest.raises(PageError) as error:
        parse_page(b"<a>" * 2790000)
    assert "标签符号" in error.value.message


@pytest.mark.parametrize(
    "text",
    [
        "<html>" + "<a></a>" * 31000,  # within every bound: parsed, then found to be no page
        "<html>" + "<span>" * 199,
        "<html><script>" + "if (a<b && c<d) {}" * 1000 + "</script>" + "<div>" * 150,
    ],
    ids=["31,000 closed tags", "199 deep", "script text is not nesting"],
)
def test_markup_within_the_bounds_is_parsed(text):
    with pytest.raises(PageError) as error:
        parse_page(text)
    assert "没有游玩记录、乐曲成绩或玩家信息" in error.value.message


def test_void_and_self_closed_tags_do_not_nest():
    bounds.check_markup_bounds(
        "<div>" + "<img src=x><br><input/>" * 500 + '<span class="a"/>' * 500
    )


@pytest.mark.parametrize("name", ["record_cn.html", "music_genre.html", "playlog_detail.html"])
def test_our_pages_are_within_the_bounds(name):
    bounds.check_markup_bounds(page_text(name))


def test_the_real_record_page_is_within_the_bounds():
    assert len(parse_page(real_record_page()).plays) == 50
