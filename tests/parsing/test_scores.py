"""The score lists: a best score per chart from musicGenre / musicWord / musicVersion."""

import html
import re

import pytest
from parsing_pages import page_text, shared_page

from maimai_probe import game
from maimai_probe.parsing.detect import parse_page
from maimai_probe.parsing.results import PageError, ScoreRecord
from maimai_probe.parsing.scores import parse_score_list


def genre_page(old: str = "", new: str = "", count: int = 1) -> str:
    text = page_text("music_genre.html")
    if old:
        assert old in text, old
        text = text.replace(old, new, count)
    return text


def test_best_score_per_played_chart():
    page = parse_score_list(genre_page())
    assert (page.page, page.service, page.plays) == ("score_list", "cn", [])
    assert [score.title for score in page.scores] == [
        "Re:Unknown X",
        "World's end loneliness",
        "セイクリッド\u3000ルイン",
        "ヒバナ",
        "Link",  # the unplayed "Link" above it is skipped
        "ずんだもんの朝食\u3000〜目覚ましずんラップ〜",
        "Garakuta Doll Play",
        "Garakuta Doll Play",
    ]
    assert page.scores[0] == ScoreRecord(
        title="Re:Unknown X",
        kind=game.DX,
        difficulty=game.MASTER,
        achievement=986803,
        dx_score=3066,
        dx_score_max=3567,
        fc=game.FC_NONE,
        fs=game.SYNC,
        rank="sp",
        level="14+",
    )
    marks = [(score.fc, score.fs, score.rank) for score in page.scores]
    assert marks[2] == (game.AP, game.FDX, "sss")
    assert marks[3] == (game.FC_PLUS, game.FS_PLUS, "sssp")
    assert marks[4] == (game.FC_NONE, game.FS_NONE, "ss")
    assert marks[5] == (game.AP_PLUS, game.FDX_PLUS, "sssp")
    assert {score.difficulty for score in page.scores} == {game.MASTER}


def test_both_kinds_of_one_song_by_block_id():
    standard, deluxe = parse_score_list(genre_page()).scores[-2:]
    assert (standard.kind, standard.level, standard.achievement) == (game.STANDARD, "13", 997500)
    assert (standard.fc, standard.fs) == (game.FC, game.FS)
    assert (deluxe.kind, deluxe.level, deluxe.achievement) == (game.DX, "13+", 970000)


def test_international_list():
    text = genre_page().replace("maimai.wahlap.com", "maimaidx-eng.com")
    page = parse_score_list(text)
    assert page.service == "intl"
    assert len(page.scores) == 8


def test_remaster_list():
    text = genre_page().replace("music_master_score_back", "music_remaster_score_back")
    assert {score.difficulty for score in parse_score_list(text).scores} == {game.REMASTER}


def test_a_list_with_nothing_played_is_empty():
    text = re.sub(r'<div class="music_score_block[^"]*">.*?</div>', "", genre_page(), flags=re.S)
    text = re.sub(r'<img src="[^"]*music_icon_[^"]*"[^>]*>', "", text)
    page = parse_score_list(text)
    assert (page.page, page.scores) == ("score_list", [])


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("98.6803%", "abc%", "第 1 首乐曲（「Re:Unknown X」）的达成率「abc%」读不出来"),
        ("98.6803%", "101.5000%", "超过了 101%"),
        ("2,970 / 3,702", "2,970 / x", "第 2 首乐曲（「World's end loneliness」）的DX 分数"),
        ("music_icon_ap.png", "music_icon_zz.png", "标记图标「music_icon_zz」不认识"),
        (
            '<img src="https://maimai.wahlap.com/maimai-mobile/img/music_dx.png" '
            'class="music_kind_icon "/>',
            "",
            "谱面类型（DX／标准）看不出来",
        ),
        (">ヒバナ<", "> \n <", "第 4 首乐曲的曲名是空的"),
    ],
)
def test_one_bad_chart_rejects_the_page(old, new, message):
    with pytest.raises(PageError) as error:
        parse_score_list(genre_page(old, new))
    assert error.value.recognised == "score_list"
    assert message in error.value.message


def test_a_level_list_of_both_kinds_reads_each_kind_inside_its_form():
    page = parse_page(page_text("music_level_intl.html"))
    assert (page.page, page.service) == ("score_list", "intl")
    assert [(s.title, s.kind, s.difficulty) for s in page.scores] == [
        ("ヒバナ", game.DX, game.EXPERT),
        ("Garakuta Doll Play", game.STANDARD, game.ADVANCED),
        ("Got more raves？", game.DX, game.MASTER),
    ]
    assert page.scores[1] == ScoreRecord(
        title="Garakuta Doll Play",
        kind=game.STANDARD,
        difficulty=game.ADVANCED,
        achievement=1005000,
        dx_score=1201,
        dx_score_max=1230,
        fc=game.AP_PLUS,
        fs=game.FS_PLUS,
        rank="sssp",
        level="9+",
    )


def test_a_form_with_two_kind_icons_is_refused():
    text = page_text("music_level_intl.html").replace(
        'music_dx.png" class="music_kind_icon f_r"/>',
        'music_dx.png" class="music_kind_icon f_r"/><img src="music_standard.png" '
        'class="music_kind_icon"/>',
        1,
    )
    with pytest.raises(PageError) as error:
        parse_page(text)
    assert "第 2 首乐曲（「ヒバナ」）的谱面类型（DX／标准）看不出来" in error.value.message


_REAL_BLOCK = re.compile(
    r'<div class="music_(\w+)_score_back.*?music_(dx|standard)\.png.*?music_name_block[^>]*>'
    r"([^<]*)</div>(.*?)</form>",
    re.S,
)


def test_the_real_level_list_of_both_kinds():
    text = shared_page("music_level_intl.html")
    page = parse_page(text)
    # What the page shows, found without the parser: every chart with a score, in order.
    shown = [
        (
            html.unescape(title),
            game.DX if kind == "dx" else game.STANDARD,
            game.DIFFICULTY_BY_SLUG[slug],
        )
        for slug, kind, title, rest in _REAL_BLOCK.findall(text)
        if "music_score_block" in rest
    ]
    assert len(_REAL_BLOCK.findall(text)) == 182
    assert len(shown) == 52
    assert [(s.title, s.kind, s.difficulty) for s in page.scores] == shown
    assert {s.kind for s in page.scores} == {game.DX, game.STANDARD}
    assert {s.level for s in page.scores} == {"9+"}
    assert page.scores[0].achievement == 960984


def test_a_dx_score_ends_where_its_block_ends():
    text = genre_page("3,066 / 3,567\n\t\t\t\t</div>", "3,066 / 3,567</div><div>12</div>")
    assert (parse_score_list(text).scores[0].dx_score_max) == 3567
