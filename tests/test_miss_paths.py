"""The faster path of uncached diff pages gives what the plain one gave."""

import pytest

from factories import BASE_TIME, add_play, add_player
from maimai_probe.player import diffs, queries


def test_lateral_and_correlated_diffs_agree(app, session):
    player = add_player(session)
    marks = [(980000, 2, 0), (995000, 1, 1), (970000, 3, 2), (1005000, 0, 1), (990000, 4, 0)]
    for number, (achievement, fc, fs) in enumerate(marks * 3):
        add_play(
            session,
            player,
            played_at=BASE_TIME + number * 60,
            title="Song %d" % (number % 4),
            difficulty=3 + number % 2,
            achievement=achievement,
            fc=fc,
            fs=fs,
            dx_score=2000 + number * 7 % 300,
        )
    if not diffs.lateral_joins(session):
        pytest.skip("SQLite has no LATERAL")

    def rows(lateral):
        page = queries.fetch_page(
            session,
            diffs.diff_select(lateral),
            player.id,
            queries.PlayFilters(),
            queries.Cursor(),
            50,
        )
        return [(row[0].id,) + tuple(row[1:]) for row in page.rows]

    assert rows(True) == rows(False)
    assert len(rows(True)) == 15
