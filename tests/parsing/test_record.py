"""The record page "最近游玩记录": the real CN page, our CN and international pages."""

import collections
import time

import pytest
from parsing_pages import page_text, real_record_page

from maimai_probe import game
from maimai_probe.parsing.playlog import local_time_text
from maimai_probe.parsing.record import parse_record_page
from maimai_probe.parsing.results import PageError


def by_slot(page):
    return {play.ring_slot: play for play in page.plays}


def test_real_page_first_play():
    text = real_record_page()
    page = parse_record_page(text)
    assert (page.page, page.service) == ("record", "cn")
    first = page.plays[0]
    assert first.track == 4
    assert first.played_at == 1759467960
    assert first.utc_offset == 480
    assert local_time_text(first.played_at, first.utc_offset) == "2025/10/03 13:06"
    assert first.title == "Re:Unknown X"
    assert first.difficulty == game.MASTER
    assert first.kind == game.DX
    assert first.achievement == 986484
    assert first.rank == "sp"
    assert (first.dx_score, first.dx_score_max) == (3066, 3567)
    assert first.dx_score_new_record is True
    assert first.achievement_new_record is False
    assert first.fc == game.FC_NONE
    assert first.fs == game.SYNC
    assert first.place == 2
    assert first.ring_slot == 33
    assert first.dx_stars == 1
    assert first.jacket == "0847c38d2a623e99"
    assert first.played_at_exact is True


def test_real_page_counts():
    text = real_record_page()
    plays = parse_record_page(text).plays
    assert len(plays) == 50
    difficulties = collections.Counter(play.difficulty for play in plays)
    assert difficulties == {game.MASTER: 48, game.REMASTER: 2}
    assert collections.Counter(play.kind for play in plays) == {game.DX: 35, game.STANDARD: 15}
    last = plays[-1]
    assert (last.ring_slot, last.played_at) == (34, 1759148778)
    assert last.title == "Got more raves？"
    # Newest first, one play per ring slot, every time on the page's own clock.
    assert [play.played_at for play in plays] == sorted((p.played_at for p in plays), reverse=True)
    assert sorted(play.ring_slot for play in plays) == list(range(50))
    assert {play.utc_offset for play in plays} == {480}


def test_real_page_other_plays():
    text = real_record_page()
    plays = by_slot(parse_record_page(text))

    hibana = plays[24]  # Re:MASTER, standard chart, 3 DX stars
    assert (hibana.title, hibana.difficulty, hibana.kind) == (
        "ヒバナ",
        game.REMASTER,
        game.STANDARD,
    )
    assert (hibana.achievement, hibana.rank) == (1004640, "sss")
    assert (hibana.dx_score, hibana.dx_score_max, hibana.dx_stars) == (2066, 2220, 3)
    assert (hibana.track, hibana.place, hibana.played_at) == (3, 1, 1759399255)

    idol = plays[46]  # FC+, a new record of both kinds
    assert (idol.title, idol.achievement, idol.rank) == ("アイドル", 1009421, "sssp")
    assert (idol.fc, idol.fs) == (game.FC_PLUS, game.SYNC)
    assert idol.achievement_new_record and idol.dx_score_new_record

    daimaou = plays[36]  # the one FS on the page
    assert daimaou.title == "偉大なる悪魔は実は大天使パトラちゃん様なのだ！"
    assert (daimaou.fc, daimaou.fs) == (game.FC, game.FS)

    hera = plays[29]  # no DX star block at all
    assert (hera.title, hera.dx_stars, hera.kind) == ("HERA", 0, game.STANDARD)

    # Entities in titles come out as the characters they stand for.
    assert plays[2].title == "World's end loneliness"
    assert plays[0].title == "DETARAME ROCK&ROLL THEORY"
    assert plays[15].title == "Tricolor⁂circuS"
    assert plays[11].title == "Excalibur ～Revived resolution～"


def test_real_page_marks():
    text = real_record_page()
    plays = parse_record_page(text).plays
    fc = collections.Counter(play.fc for play in plays)
    assert fc == {game.FC_NONE: 40, game.FC: 8, game.FC_PLUS: 2}
    assert collections.Counter(play.fs for play in plays) == {game.SYNC: 49, game.FS: 1}
    assert collections.Counter(play.place for play in plays) == {1: 43, 2: 7}
    assert collections.Counter(play.dx_stars for play in plays) == {0: 9, 1: 23, 2: 12, 3: 6}
    assert sum(play.achievement_new_record for play in plays) == 22
    assert sum(play.dx_score_new_record for play in plays) == 23
    for play in plays:
        assert play.rank == game.rank_for(play.achievement)
        assert 0 < play.dx_score <= play.dx_score_max


def test_real_page_parses_fast():
    text = real_record_page()
    best = min(_timed(parse_record_page, text) for _ in range(3))
    # Measured about 0.06 s on CPython 3.11, 0.09 s on 3.6; the bound allows a busy machine.
    assert best < 0.5


def _timed(function, argument):
    started = time.perf_counter()
    function(argument)
    return time.perf_counter() - started


def test_cn_page_by_hand():
    page = parse_record_page(page_text("record_cn.html"))
    assert (page.page, page.service) == ("record", "cn")
    cirno, utage, detarame, space = page.plays
    # U+3000 inside a title and a title made of U+3000 alone are both kept.
    assert cirno.title == "チルノのパーフェクトさんすう教室\u3000⑨周年バージョン"
    assert (cirno.fc, cirno.fs, cirno.dx_stars) == (game.AP_PLUS, game.FDX_PLUS, 5)
    assert (cirno.achievement, cirno.rank) == (1010000, "sssp")
    assert (cirno.ring_slot, cirno.played_at, cirno.track) == (20, 1759652893, 4)

    assert (utage.difficulty, utage.kind, utage.utage_kind) == (game.UTAGE, game.DX, "宴")
    assert utage.title == "CYCLES"  # the indentation around it is dropped
    assert (utage.fc, utage.fs, utage.place, utage.dx_stars) == (game.FC, game.SYNC, 2, 0)

    assert (detarame.difficulty, detarame.kind) == (game.BASIC, game.STANDARD)
    assert detarame.title == "DETARAME ROCK&ROLL THEORY"
    assert (detarame.fc, detarame.fs, detarame.place) == (game.FC_PLUS, game.FS_PLUS, 3)

    assert space.title == "\u3000"
    assert (space.difficulty, space.rank, space.place) == (game.ADVANCED, "bbb", None)
    assert (space.fc, space.fs) == (game.FC_NONE, game.FS_NONE)


def test_international_page_by_hand():
    page = parse_record_page(page_text("record_intl.html"))
    assert (page.page, page.service) == ("record", "intl")
    assert {play.utc_offset for play in page.plays} == {540}
    shuwa, utage, space, link = page.plays
    assert shuwa.title == "ぼくたちいつでも\u3000しゅわっしゅわ！"
    assert (shuwa.level, shuwa.track, shuwa.played_at) == ("13+", 4, 1759580134)
    assert local_time_text(shuwa.played_at, shuwa.utc_offset) == "2025/10/04 21:15"
    assert (shuwa.fc, shuwa.fs, shuwa.rank) == (game.AP, game.FDX, "sssp")

    assert (utage.title, utage.level, utage.utage_kind) == ("Garakuta Doll Play", "14?", "は")
    assert (utage.difficulty, utage.kind, utage.place) == (game.UTAGE, game.DX, None)

    assert (space.title, space.level, space.kind) == ("\u3000", "12", game.STANDARD)
    assert (link.title, link.difficulty, link.achievement) == ("Link", game.REMASTER, 800000)


def _break(text: str, old: str, new: str, count: int = 1) -> str:
    assert old in text
    return text.replace(old, new, count)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('<input type="hidden" name="idx" value="18,1759652467" />', ""), "第 3 条"),
        (('95<span class="f_20">.0000%</span>', "abc%"), "达成率「abc%」"),
        (('101<span class="f_20">.0000%</span>', "102.0000%"), "超过了 101%"),
        (("300 / 900", "900 / 300"), "DX 分数"),
        (('value="17,1759652260"', 'value="17,abc"'), "idx（游玩编号）「17,abc」"),
        (("2025/10/05 16:17", "2025/10/05 17:17"), "时间对不上"),
        (("diff_basic.png", "diff_legend.png"), "难度图标"),
        (("music_standard.png", "music_deluxe.png"), "谱面类型图标"),
        (("playlog/bbb.png", "playlog/zzz.png"), "评级图标"),
    ],
)
def test_one_bad_play_rejects_the_page(change, message):
    text = _break(page_text("record_cn.html"), *change)
    with pytest.raises(PageError) as error:
        parse_record_page(text)
    assert error.value.recognised == "record"
    assert message in error.value.message
    assert "整页都没有导入" in error.value.message


def test_missing_idx_names_the_play_and_title():
    text = _break(page_text("record_cn.html"), 'name="idx" value="19,1759652671"', 'name="x"')
    with pytest.raises(PageError) as error:
        parse_record_page(text)
    assert error.value.message.startswith("第 2 条游玩记录（「CYCLES」）的idx（游玩编号）不见了")


def test_duplicated_play_rejects_the_page():
    text = page_text("record_cn.html")
    start = text.index('<div class="p_10 t_l f_0 v_b">')
    end = text.index('<div class="p_10 t_l f_0 v_b">', start + 1)
    with pytest.raises(PageError) as error:
        parse_record_page(text[:end] + text[start:end] + text[end:])
    assert "第 1 条和第 2 条游玩记录的 idx 时间相同" in error.value.message


def test_page_cut_in_the_middle_of_a_play():
    text = real_record_page()
    cut = text[: text.index("3,317 / 3,867")]
    with pytest.raises(PageError) as error:
        parse_record_page(cut)
    assert error.value.recognised == "record"
    assert "第 2 条游玩记录（「Λzure Vixen」）" in error.value.message


def test_page_without_plays():
    text = page_text("record_cn.html")
    head = text[: text.index('<div class="p_10 t_l f_0 v_b">')]
    with pytest.raises(PageError) as error:
        parse_record_page(head + "</div></body></html>")
    assert error.value.recognised == "record"
    assert "一条游玩记录也没有" in error.value.message


def test_difficulty_and_rank_without_their_icons():
    text = _break(
        page_text("record_cn.html"),
        '<img src="https://maimai.wahlap.com/maimai-mobile/img/diff_basic.png" '
        'class="playlog_diff v_b"/>',
        "",
    )
    text = _break(
        text,
        '<img src="https://maimai.wahlap.com/maimai-mobile/img/playlog/sss.png?ver=1.50" '
        'class="playlog_scorerank"/>',
        "",
    )
    play = parse_record_page(text).plays[2]
    # The result block's class names the difficulty; the achievement gives the rank.
    assert (play.difficulty, play.rank) == (game.BASIC, "sss")
