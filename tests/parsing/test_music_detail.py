"""The song page (musicDetail): the player's best on each played difficulty of one song."""

import pytest
from parsing_pages import page_text, shared_page

from maimai_probe import game
from maimai_probe.parsing.detect import parse_page
from maimai_probe.parsing.results import PageError, ScoreRecord


def song_page(old: str = "", new: str = "") -> str:
    text = page_text("music_detail.html")
    if old:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def test_each_played_difficulty_is_a_score_reading():
    page = parse_page(song_page())
    assert (page.page, page.service, page.plays, page.profile) == ("music_detail", "cn", [], None)
    assert page.scores == [
        ScoreRecord(
            title="セイクリッド\u3000ルイン",
            kind=game.STANDARD,
            difficulty=game.EXPERT,
            achievement=1006321,
            dx_score=1702,
            dx_score_max=1716,
            fc=game.AP,
            fs=game.FDX,
            rank="sssp",
            level="12+",
        ),
        ScoreRecord(
            title="セイクリッド\u3000ルイン",
            kind=game.STANDARD,
            difficulty=game.MASTER,
            achievement=972001,
            dx_score=2811,
            dx_score_max=3303,
            fc=game.FC_NONE,
            fs=game.SYNC,
            rank="s",
            level="14",
        ),
    ]


def test_a_block_without_its_kind_icon_takes_the_songs_kind():
    text = song_page(
        '<img src="https://maimai.wahlap.com/maimai-mobile/img/music_standard.png" '
        'class="music_kind_icon f_r"/>',
        "",
    )
    assert [score.kind for score in parse_page(text).scores] == [game.STANDARD] * 2


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (">セイクリッド\u3000ルイン<", "><", "乐曲详情页面（musicDetail），但上面的曲名不见了"),
        (
            "100.6321%",
            "10O.6321%",
            "「セイクリッド ルイン」的第 1 个难度的达成率「10O.6321%」读不出来",
        ),
        ("2,811 / 3,303", "3,811 / 3,303", "第 2 个难度的DX 分数「3,811 / 3,303」读不出来"),
        (
            "music_icon_s.png?ver",
            "music_icon_q.png?ver",
            "第 2 个难度的标记图标「music_icon_q」不认识",
        ),
    ],
)
def test_a_damaged_song_page_is_refused(old, new, message):
    with pytest.raises(PageError) as error:
        parse_page(song_page(old, new))
    assert error.value.recognised == "music_detail"
    assert message in error.value.message


def test_the_real_international_song_page():
    page = parse_page(shared_page("music_detail_intl.html"))
    assert (page.page, page.service) == ("music_detail", "intl")
    rows = [
        (
            s.title,
            s.kind,
            s.difficulty,
            s.achievement,
            s.rank,
            s.fc,
            s.fs,
            s.dx_score,
            s.dx_score_max,
        )
        for s in page.scores
    ]
    title = "シリウスの輝きのように"
    assert rows == [
        (title, game.DX, game.EXPERT, 984787, "sp", game.FC, game.SYNC, 1019, 1248),
        (title, game.DX, game.MASTER, 1000252, "sss", game.FC_NONE, game.SYNC, 1292, 1434),
    ]
