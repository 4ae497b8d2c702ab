"""The playlogDetail page: the play, its judgements, combo, sync, rating and partners."""

import re

import pytest
from parsing_pages import page_text

from maimai_probe import game
from maimai_probe.parsing.detail import parse_playlog_detail
from maimai_probe.parsing.results import PageError

ADDRESS = re.compile(r"<!-- saved from url=[^>]*-->\n")


def detail_page(**changes: str) -> str:
    text = page_text("playlog_detail.html")
    for old, new in changes.values():
        assert old in text, old
        text = text.replace(old, new)
    return text


def only_detail(page):
    (play,) = page.plays
    assert list(page.details) == [play.played_at]
    return play, page.details[play.played_at]


def test_play_and_detail():
    page = parse_playlog_detail(detail_page())
    assert (page.page, page.service) == ("playlog_detail", "cn")
    play, detail = only_detail(page)
    assert (play.played_at, play.ring_slot, play.played_at_exact) == (1759467960, 33, True)
    assert (play.title, play.difficulty, play.kind) == ("Re:Unknown X", game.MASTER, game.DX)
    assert (play.achievement, play.dx_score, play.dx_score_max) == (986484, 3066, 3567)
    assert (play.fc, play.fs, play.place) == (game.FC_NONE, game.SYNC, 2)
    assert detail.judgements == {
        "tap": [476, 254, 22, 5, 3],
        "hold": [60, 25, 3, 1, 1],
        "slide": [115, 55, 8, 1, 1],
        "touch": [55, 20, 3, 1, 0],
        "break": [52, 22, 4, 1, 1],
    }
    notes = sum(sum(row) for row in detail.judgements.values())
    assert notes == detail.max_combo_total == 1189
    assert (detail.fast, detail.late) == (188, 237)
    assert (detail.max_combo, detail.max_sync, detail.max_sync_total) == (512, 1654, 2378)
    assert (detail.rating, detail.rating_delta) == (15873, 0)
    # Full-width letters and U+3000 in a name are kept; the empty seat is left out.
    assert detail.matching_players == ["ｍａｉ\u3000ｍａｉ", "Lumi☆"]


def test_without_its_address_the_play_keeps_the_shown_minute():
    page = parse_playlog_detail(ADDRESS.sub("", page_text("playlog_detail.html")))
    play, detail = only_detail(page)
    assert (play.played_at, play.played_at_exact, play.ring_slot) == (1759467960, False, None)
    assert detail.fast == 188


def test_a_hidden_idx_counts_like_the_address():
    text = ADDRESS.sub("", page_text("playlog_detail.html")).replace(
        "</body>", '<input type="hidden" name="idx" value="33,1759467999" /></body>'
    )
    play, _ = only_detail(parse_playlog_detail(text))
    assert (play.played_at, play.played_at_exact) == (1759467999, True)


def test_international_detail():
    text = detail_page(
        host=("maimai.wahlap.com", "maimaidx-eng.com"),
        track=("曲目 04", "TRACK 04"),
        time=("2025/10/03 13:06", "2025/10/03 14:06"),
    ).replace("maimai.wahlap.com", "maimaidx-eng.com")
    page = parse_playlog_detail(text)
    play, _ = only_detail(page)
    assert (page.service, play.utc_offset, play.played_at) == ("intl", 540, 1759467960)


def test_standard_chart_has_no_touch_row():
    text = detail_page(
        touch=("<td>55</td><td>20</td><td>3</td><td>1</td><td>0</td>", "<td></td>" * 5)
    )
    _, detail = only_detail(parse_playlog_detail(text))
    assert sorted(detail.judgements) == ["break", "hold", "slide", "tap"]


def test_columns_follow_the_heading_images():
    text = detail_page(
        first=("playlog/criticalperfect.png", "playlog/X.png"),
        last=("playlog/miss.png", "playlog/criticalperfect.png"),
        moved=("playlog/X.png", "playlog/miss.png"),
    )
    _, detail = only_detail(parse_playlog_detail(text))
    assert detail.judgements["tap"] == [3, 254, 22, 5, 476]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("(±0)", "(+12)"), 12),
        (("(±0)", "(-3)"), -3),
        (("(±0)", "(−3)"), -3),
        (("(±0)", ""), None),
    ],
)
def test_rating_change(change, expected):
    _, detail = only_detail(parse_playlog_detail(detail_page(rating=change)))
    assert (detail.rating, detail.rating_delta) == (15873, expected)


@pytest.mark.parametrize(
    ("shown", "expected"),
    [("―", (None, None)), ("2378", (None, 2378)), ("1,654 / 2,378", (1654, 2378))],
)
def test_max_sync_of_a_solo_play(shown, expected):
    _, detail = only_detail(parse_playlog_detail(detail_page(sync=("1654/2378", shown))))
    assert (detail.max_sync, detail.max_sync_total) == expected


def test_missing_parts_are_none():
    text = page_text("playlog_detail.html")
    start = text.index('<div class="gray_block')
    page = parse_playlog_detail(text[:start] + "</div></body></html>")
    _, detail = only_detail(page)
    assert detail.judgements == {}
    assert (detail.fast, detail.late, detail.max_combo, detail.max_sync) == (None,) * 4
    assert (detail.rating, detail.rating_delta, detail.matching_players) == (None, None, [])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("<td>476</td>", "<td>4x6</td>"), "判定表 TAP 行「4x6」读不出来"),
        (("<td>52</td><td>22</td>", "<td>52</td>"), "判定表 BREAK 行不完整"),
        (('<div class="p_t_5">188</div>', '<div class="p_t_5">many</div>'), "FAST「many」"),
        (("512/1189", "1512/1189"), "MAX COMBO「1512/1189」不对"),
        (('98<span class="f_20">.6484%</span>', "98.64.84%"), "达成率「98.64.84%」读不出来"),
    ],
)
def test_corrupt_part_rejects_the_page(change, message):
    with pytest.raises(PageError) as error:
        parse_playlog_detail(detail_page(change=change))
    assert error.value.recognised == "playlog_detail"
    assert message in error.value.message


def test_time_that_disagrees_with_the_address():
    with pytest.raises(PageError) as error:
        parse_playlog_detail(detail_page(time=("2025/10/03 13:06", "2025/10/03 12:06")))
    assert "这条游玩记录（「Re:Unknown X」）的时间对不上" in error.value.message


def test_two_plays_on_one_detail_page():
    text = page_text("playlog_detail.html")
    start = text.index('<div class="p_10 t_l f_0 v_b">')
    end = text.index('<div class="gray_block')
    with pytest.raises(PageError) as error:
        parse_playlog_detail(text[:end] + text[start:end] + text[end:])
    assert "上面有 2 条游玩记录" in error.value.message
