"""Damaged copies of a page are refused before anything is read: cut short, or garbled."""

import pytest
from parsing_pages import page_text, real_record_page, shared_page

from maimai_probe.parsing import damage
from maimai_probe.parsing.detect import parse_page
from maimai_probe.parsing.results import PageError


def refusal(text):
    with pytest.raises(PageError) as error:
        parse_page(text)
    return error.value


def cut_after_entry(text: str, marker: str, keep: int) -> str:
    """Cut a page just before its entry number keep + 1, as a save that stopped there."""
    at = -1
    for _ in range(keep + 1):
        at = text.index(marker, at + 1)
    return text[: text.rindex("<div", 0, at)]


def mojibake(text: str) -> str:
    """Read a page's UTF-8 bytes as GBK and keep the result: what a wrong re-save does."""
    return text.encode("utf-8").decode("gbk", "replace")


@pytest.mark.parametrize(
    ("name", "marker", "kind", "recognised"),
    [
        ("record_cn.html", "playlog_top_container", "「最近游玩记录」页面", "record"),
        ("music_genre.html", "_score_back", "乐曲成绩页面", "score_list"),
        ("music_level_intl.html", "_score_back", "乐曲成绩页面", "score_list"),
        ("music_detail.html", "_score_back w_450", "乐曲详情页面", "music_detail"),
    ],
)
def test_a_page_cut_at_an_entry_boundary_is_refused(name, marker, kind, recognised):
    text = cut_after_entry(page_text(name), marker, 1)
    error = refusal(text)
    assert error.recognised == recognised
    assert error.message.startswith("这份%s不完整：官方页面以 </html> 结束" % kind)
    assert "重新保存完整的页面" in error.message


@pytest.mark.parametrize(
    ("name", "marker"),
    [("record_cn.html", "playlog_top_container"), ("music_genre.html", "_score_back")],
)
def test_a_page_whose_closing_tags_were_restored_still_lacks_its_footer(name, marker):
    # A save of a page half loaded: the browser closes the tags, the footer never came.
    text = cut_after_entry(page_text(name), marker, 1) + "</div></div></body></html>"
    assert "页脚" in refusal(text).message


@pytest.mark.parametrize("name", ["friend_code.html", "home.html", "player_data.html"])
def test_a_profile_page_cut_in_half_is_refused(name):
    text = page_text(name)
    first, second = text[: len(text) // 2], text[len(text) // 2 :]
    assert "不完整：官方页面以 </html> 结束" in refusal(first).message
    error = refusal(second)  # nothing of the player is left to read, or it is refused
    if name == "friend_code.html":  # its second half still shows the friend code
        assert "不完整：官方页面以 <!DOCTYPE html> 开头" in error.message


def test_comments_a_saving_tool_adds_around_a_page_are_fine():
    text = page_text("record_cn.html")
    saved = "<!-- saved from url=(0046)https://maimai.wahlap.com/maimai-mobile/record/ -->\n"
    assert len(parse_page(saved + text + "\n<!-- end -->\n").plays) == 4


@pytest.mark.parametrize(
    ("name", "recognised"),
    [
        ("record_cn.html", "record"),
        ("record_intl.html", "record"),
        ("music_level_intl.html", "score_list"),
        ("music_detail.html", "music_detail"),
        ("friend_code.html", "profile"),
        ("playlog_detail.html", "playlog_detail"),
    ],
)
def test_a_garbled_copy_is_refused(name, recognised):
    error = refusal(mojibake(page_text(name)))
    assert error.recognised == recognised
    assert "的文字是乱码（例如「" in error.message
    assert "UTF-8 网页被当成别的编码（如 GBK）读出后又保存了一次" in error.message


def test_the_garbled_example_is_the_text_the_player_sees():
    text = mojibake(page_text("music_level_intl.html"))
    assert "Got more raves锛" in text
    example = damage.garbled_example(text)
    assert example and example in text and "<" not in example


def test_a_copy_garbled_through_windows_1252_is_refused_too():
    text = page_text("record_cn.html").encode("utf-8").decode("cp1252", "replace")
    assert "乱码" in refusal(text).message


@pytest.mark.parametrize(
    "name",
    ["record_cn.html", "record_intl.html", "music_genre.html", "music_detail.html", "home.html"],
)
def test_our_pages_read_as_they_should(name):
    assert damage.garbled_example(page_text(name)) is None


def test_real_pages_read_as_they_should_and_their_garbled_copies_do_not():
    for name in ("record.html", "music_level_intl.html", "music_detail_intl.html"):
        text = shared_page(name)
        assert damage.garbled_example(text) is None, name
        assert damage.garbled_example(mojibake(text)) is not None, name


def test_the_real_record_page_cut_after_25_plays_is_refused():
    text = real_record_page()
    cut = cut_after_entry(text, "playlog_top_container", 25)
    assert cut.count("playlog_top_container") == 25
    assert refusal(cut).recognised == "record"
    assert len(parse_page(text).plays) == 50


def test_the_real_level_list_cut_is_refused():
    cut = cut_after_entry(shared_page("music_level_intl.html"), "_score_back", 100)
    assert "不完整" in refusal(cut).message
