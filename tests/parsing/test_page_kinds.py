"""Pages the importer does not read are named for what they are, with what to save instead."""

import pytest
from parsing_pages import page_text, shared_page

from maimai_probe.parsing.detect import parse_page
from maimai_probe.parsing.other_pages import SAVE_INSTEAD
from maimai_probe.parsing.results import PageError


def refusal(text):
    with pytest.raises(PageError) as error:
        parse_page(text)
    return error.value


@pytest.mark.parametrize(
    ("name", "recognised", "named"),
    [
        ("friend_list.html", "friend_list", "这是好友页面（好友列表或好友的信息）"),
        ("rating_target_intl.html", "rating_target", "这是「Rating 对象乐曲」页面"),
        ("collection.html", "official_page", "这是官方网站的「收藏品」页面"),
        ("divingfish_guide.html", "divingfish_page", "这是水鱼查分器网站上的页面"),
    ],
)
def test_a_page_we_do_not_read_is_named_with_what_to_save_instead(name, recognised, named):
    error = refusal(page_text(name))
    assert error.recognised == recognised
    assert error.message.startswith(named)
    assert SAVE_INSTEAD in error.message
    assert "登录" not in error.message


def test_a_friend_list_is_not_taken_for_the_players_profile():
    # Each friend's block looks like the player's own block on the home page.
    error = refusal(page_text("friend_list.html"))
    assert "不是你自己的" in error.message


def test_a_friends_own_page_is_refused_too():
    text = page_text("friend_list.html")
    start = text.index('<div class="see_through_block')
    second = text.index('<div class="see_through_block', start + 1)
    one_friend = text[:second] + text[text.index("</div>\n</body>") :]
    assert one_friend.count("name_block") == 1
    assert refusal(one_friend).recognised == "friend_list"


def test_the_players_own_friend_code_page_is_still_read():
    page = parse_page(page_text("friend_code.html"))
    assert (page.page, page.profile.name) == ("profile", "ｍａｉ☆Ｐｒｏｂｅ")


def test_a_rating_target_page_in_japanese_is_named_too():
    text = (
        page_text("rating_target_intl.html")
        .replace("Songs for Rating(New)", "RATING対象曲（新曲）")
        .replace("Songs for Rating(Others)", "RATING対象曲（ベスト）")
    )
    assert refusal(text).recognised == "rating_target"


def test_an_official_page_without_a_known_title_is_named_by_its_title():
    text = page_text("collection.html").replace("title_collection.png", "title_zzz.png")
    error = refusal(text)
    assert error.recognised == "official_page"
    assert "官方网站的「zzz」页面" in error.message


def test_the_real_friend_vs_page_is_refused_and_no_friend_score_is_read():
    error = refusal(shared_page("friend_vs_cn.html"))
    assert error.recognised == "friend_vs"
    assert error.message.startswith("这是「好友对战」（好友VS）页面")
    assert "以免把好友的成绩记成你的" in error.message


def test_a_hand_made_friend_vs_page_is_refused():
    text = page_text("music_genre.html").replace(
        '<img src="https://maimai.wahlap.com/maimai-mobile/img/title_music.png"',
        '<div class="friend_vs_block"><div class="friend_vs_you_block"></div>'
        '<div class="friend_vs_friend_block"></div></div>'
        '<img src="https://maimai.wahlap.com/maimai-mobile/img/title_friend_vs.png"',
    )
    assert refusal(text).recognised == "friend_vs"


@pytest.mark.parametrize("heading", ["RATING对象曲（新曲）", "Rating 候补", "新曲枠 対象楽曲"])
def test_a_list_headed_as_the_rating_charts_is_a_rating_target_page(heading):
    text = page_text("rating_target_intl.html")
    for old in ("Songs for Rating(New)", "Songs for Rating(Others)"):
        text = text.replace(old, heading)
    text = text.replace("Music for DX RATING", "Music")
    assert refusal(text).recognised == "rating_target"


@pytest.mark.parametrize(
    "mark",
    [
        '<script src="https://www.diving-fish.com/maimaidx/prober/app.js"></script>',
        "<p>水鱼查分器</p>",
        '<a href="/api/maimaidxprober/player/records">records</a>',
    ],
)
def test_a_diving_fish_page_asking_for_a_login_is_not_called_a_login_page(mark):
    text = (
        '<!DOCTYPE html><html><head><title>查分器</title></head><body><div id="app">'
        '<p>请在微信客户端打开</p><input type="password" name="password"/>'
        "%s</div></body></html>" % mark
    )
    error = refusal(text)
    assert error.recognised == "divingfish_page"
    assert "登录页面" not in error.message
