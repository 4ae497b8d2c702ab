"""A play's card as the record, diff and home pages write it: every part, every text escaped."""

import re

import pytest

from factories import BASE_TIME, add_play, add_player
from maimai_probe import game

#: Text a database could hold in each text column a card shows.
HOSTILE = "<b>\"x\"&'y'</b>"
#: As Jinja's autoescape (markupsafe) writes it.
ESCAPED = "&lt;b&gt;&#34;x&#34;&amp;&#39;y&#39;&lt;/b&gt;"


def cards(page: str) -> list:
    """Return the cards of a page, whitespace folded."""
    return [
        " ".join(card.split()) for card in re.findall(r"<article class=.*?</article>", page, re.S)
    ]


@pytest.mark.parametrize("path", ["/players/alice/plays", "/players/alice/diff", "/players/alice/"])
def test_every_text_from_the_database_is_escaped_on_a_card(client, session, path):
    alice = add_player(session, "alice")
    add_play(session, alice, title=HOSTILE, level="<i>", rank="<u>", jacket=None)
    page = client.get(path).get_data(as_text=True)
    (card,) = cards(page)
    assert "<b>" not in card and "<i>" not in card and "<u>" not in card
    assert '<h3 class="play-title"><a href="/players/alice/chart?title=' in card
    assert ">%s</a></h3>" % ESCAPED in card
    assert '<span class="play-diff">MASTER &lt;i&gt;</span>' in card
    assert '<span class="rank rank-&lt;u&gt;">&lt;u&gt;</span>' in card
    # The jacket's placeholder: the title's first character, escaped too.
    assert '<span class="jacket jacket-none diff-master" aria-hidden="true">&lt;</span>' in card


def test_a_card_shows_each_part_of_the_play(client, session):
    alice = add_player(session, "alice")
    add_play(
        session,
        alice,
        track=2,
        level="14+",
        achievement=1005000,
        dx_score=3500,
        dx_score_max=3567,
        dx_stars=5,
        fc=game.AP_PLUS,
        fs=game.FDX_PLUS,
        place=1,
        achievement_new_record=True,
        dx_score_new_record=True,
    )
    (card,) = cards(client.get("/players/alice/plays").get_data(as_text=True))
    assert card == (
        '<article class="play diff-master"> <header class="play-head"> '
        '<span class="play-diff">MASTER 14+</span> '
        '<span class="kind kind-dx">DX</span> '
        '<span class="play-when"><span class="track">曲目 02</span>'
        '<time datetime="2025-10-03T13:06">2025/10/03 13:06</time></span> </header> '
        '<h3 class="play-title"><a href="/players/alice/chart?title=Re:Unknown+X&amp;kind=DX'
        '&amp;difficulty=3">Re:Unknown X</a></h3> <div class="play-body"> '
        '<span class="jacket jacket-none diff-master" aria-hidden="true">R</span> '
        '<div class="play-result"> <div class="play-score"> '
        '<span class="achievement">100.5000%</span> '
        '<span class="rank rank-sssp">SSS+</span> <span class="new-record">新纪录</span> </div> '
        '<div class="play-marks"> <span class="dx-score"><span class="dx-label">DX</span> '
        "3,500 / 3,567</span> "
        '<span class="stars stars-5" title="5 星">★★★★★</span> '
        '<span class="new-record">DX 新纪录</span> <span class="mark fc-app">AP+</span> '
        '<span class="mark fs-fsdp">FDX+</span> <span class="place place-1">第 1 名</span> '
        "</div> </div> </div> </article>"
    )


def test_the_diff_line_compares_the_play_with_the_earlier_best(client, session):
    alice = add_player(session, "alice")
    add_play(session, alice, played_at=BASE_TIME - 60, achievement=990000, dx_score=3000)
    add_play(session, alice, achievement=1000500, dx_score=3100, fc=game.FC, fs=game.FS, dx_stars=2)
    newest = cards(client.get("/players/alice/diff").get_data(as_text=True))[0]
    line = newest[newest.index('<div class="diff-line') :]
    assert line == (
        '<div class="diff-line outcome-record"> <span class="diff-tag">新纪录</span> '
        '<span class="diff-value"><span class="diff-old">99.0000%</span> → '
        '<span class="diff-new">100.0500%</span> '
        '<span class="delta delta-achievement up">+1.0500%</span></span> '
        '<span class="diff-value">DX <span class="diff-old">3,000</span> → '
        '<span class="diff-new">3,100</span> <span class="delta up">+100</span></span> '
        '<span class="diff-mark">SS → SSS</span> <span class="diff-mark">首次 FC</span> '
        '<span class="diff-mark">首次 FS</span> <span class="nth">第 2 次</span> </div> </article>'
    )
