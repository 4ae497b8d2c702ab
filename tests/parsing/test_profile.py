"""The player's profile from the home, playerData and friend-code pages."""

import pytest
from parsing_pages import page_text

from maimai_probe.parsing.profile import parse_profile_page
from maimai_probe.parsing.results import PageError, ProfileSnapshot

PLAYER = dict(
    name="ｍａｉ☆Ｐｒｏｂｅ",
    rating=15873,
    title="舞萌DX\u30002025",
    course_rank="course_rank_11",
    class_rank="class_rank_s_05",
    stars=123,
    icon="3a7c1e5f9b2d4860",
)


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("home.html", {}),
        ("player_data.html", {"play_count": 1234}),  # the total, not this version's 321
        ("friend_code.html", {"friend_code": "101680935172488"}),
    ],
)
def test_profile_pages(name, extra):
    page = parse_profile_page(page_text(name))
    assert (page.page, page.service, page.plays, page.scores) == ("profile", "cn", [], [])
    assert page.profile == ProfileSnapshot(**dict(PLAYER, **extra))


def test_international_player_data():
    text = (
        page_text("player_data.html")
        .replace("maimai.wahlap.com", "maimaidx-eng.com")
        .replace("游玩次数：1,234", "play count：1234")
        .replace("当前版本游玩次数：321", "play count of current version：321")
    )
    page = parse_profile_page(text)
    assert (page.service, page.profile.play_count) == ("intl", 1234)


def test_a_friend_code_without_the_players_name_is_refused():
    # What is left of a friend-code page that lost its first half: a snapshot without a name.
    text = '<div class="see_through_block m_t_5 m_b_5 p_5 t_c f_15">\n 9012345678901 \n</div>'
    with pytest.raises(PageError) as error:
        parse_profile_page(text)
    assert error.value.message.startswith("玩家信息里的名字不见了，页面可能不完整。")


def test_an_empty_name_is_refused():
    text = page_text("friend_code.html").replace("ｍａｉ☆Ｐｒｏｂｅ", "\n\t")
    with pytest.raises(PageError) as error:
        parse_profile_page(text)
    assert error.value.message.startswith("玩家信息里的名字是空的，页面可能不完整。")


def test_player_block_without_the_optional_parts():
    text = '<div class="see_through_block"><div class="name_block">\u3000ＡＢ </div></div>'
    assert parse_profile_page(text).profile == ProfileSnapshot(name="\u3000ＡＢ")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            '<div class="rating_block">15873</div>',
            '<div class="rating_block">15.8k</div>',
            "Rating「15.8k」",
        ),
        ("×123", "×lots", "星星数"),
        ("游玩次数：1,234", "游玩次数：1,23,4", "游玩次数"),
    ],
)
def test_unreadable_profile_part(old, new, message):
    text = page_text("player_data.html")
    assert old in text
    with pytest.raises(PageError) as error:
        parse_profile_page(text.replace(old, new))
    assert error.value.recognised == "profile"
    assert message in error.value.message


def test_page_without_a_player():
    with pytest.raises(PageError) as error:
        parse_profile_page("<html><body><p>hello</p></body></html>")
    assert error.value.recognised == "profile"


def test_the_international_play_count_is_not_joined_with_the_next_block():
    # The saved page has no whitespace between "602" and the next block's "48/5,562".
    page = parse_profile_page(
        page_text("player_data_intl.html").replace("</div>\n\t</div>", "</div></div>")
    )
    assert (page.service, page.profile.play_count) == ("intl", 602)
    assert page.profile == ProfileSnapshot(
        **dict(PLAYER, title="maimai DX\u30002025", play_count=602)
    )


@pytest.mark.parametrize(
    ("old", "new", "field", "value"),
    [
        ("×123</div>", "×123<div>45</div></div>", "stars", 123),
        ("游玩次数：1,234\n\t\t</div>", "游玩次数：1,234</div><div>5</div>", "play_count", 1234),
    ],
)
def test_a_number_ends_where_its_block_ends(old, new, field, value):
    text = page_text("player_data.html")
    assert old in text
    profile = parse_profile_page(text.replace(old, new)).profile
    assert getattr(profile, field) == value
