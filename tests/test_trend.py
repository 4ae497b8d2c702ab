"""The rating day by day: one pass over the plays, checked against recomputing every day."""

import random

from sqlalchemy import event

from maimai_probe import game
from maimai_probe.catalog.linking import link_all
from maimai_probe.importing import tokens
from maimai_probe.models import ProfileSnapshot
from maimai_probe.play_days import local_date
from maimai_probe.rating.best50 import player_rating
from maimai_probe.rating.formula import ChartBest, best50
from maimai_probe.rating.trend import TrendPoint, replay_trend, trend_points
from test_linking import BASE_TIME, add_play, sync

DAY = 86400
CHINA = game.CHINA_UTC_OFFSET
#: 2025-10-03 00:00 China time.
MIDNIGHT = 1759420800


def play(when, chart, achievement, constant=130, is_new=False, difficulty=game.MASTER):
    """Return one play as the trend reads it."""
    return (when, CHINA, chart, achievement, constant, difficulty, is_new)


def test_local_dates_follow_the_plays_time_zone():
    assert str(local_date(MIDNIGHT - 60, CHINA)) == "2025-10-02"
    assert str(local_date(MIDNIGHT, CHINA)) == "2025-10-03"
    assert str(local_date(MIDNIGHT, 0)) == "2025-10-02"  # 16:00 UTC the day before


def test_each_day_shows_the_rating_at_its_end():
    plays = [
        play(MIDNIGHT + 3600, 1, 1000000),  # 13.0 SSS: 280
        play(MIDNIGHT + 7200, 1, 990000),  # worse: nothing changes
        play(MIDNIGHT + 3 * DAY, 2, 1005000, constant=140, is_new=True),  # 14.0 SSS+: 315
        play(MIDNIGHT + 3 * DAY + 60, 1, 1005000),  # 13.0 SSS+: 292
        play(MIDNIGHT + 4 * DAY, 3, 1005000, difficulty=game.UTAGE),  # UTAGE never counts
        play(MIDNIGHT + 5 * DAY, None, 1005000, constant=None),  # an unlinked play: a day of play
    ]
    official = [(MIDNIGHT + 2 * DAY, 12000), (MIDNIGHT + 3 * DAY + 9, 12100)]
    assert trend_points(plays, official) == [
        TrendPoint("2025-10-03", 280, None),
        TrendPoint("2025-10-05", 280, 12000),  # a profile without plays carries the rating
        TrendPoint("2025-10-06", 292 + 315, 12100),
        TrendPoint("2025-10-07", 607, None),
        TrendPoint("2025-10-08", 607, None),
    ]


def test_a_profile_before_the_first_play_has_no_rating_yet():
    assert trend_points([], [(MIDNIGHT, 15000)]) == [TrendPoint("2025-10-03", None, 15000)]


def test_the_one_pass_agrees_with_recomputing_the_best_50_every_day():
    rnd = random.Random(2025)
    charts = {chart: (rnd.randrange(100, 151), rnd.random() < 0.25) for chart in range(1, 200)}
    plays = []
    when = MIDNIGHT
    for _ in range(3000):
        when += rnd.randrange(30, 4 * 3600)
        chart = rnd.randrange(1, 200)
        constant, is_new = charts[chart]
        plays.append(play(when, chart, rnd.randrange(900000, 1010000), constant, is_new))
    points = trend_points(plays, [])
    assert len(points) > 50

    for point in points:
        day_end = [p for p in plays if str(local_date(p[0], CHINA)) <= point.date]
        best = {}
        for _, _, chart, achievement, _, _, _ in day_end:
            best[chart] = max(best.get(chart, 0), achievement)
        bests = [
            ChartBest(chart, "", game.DX, game.MASTER, None, charts[chart][0], a, charts[chart][1])
            for chart, a in best.items()
        ]
        assert point.rating == best50(bests).total, point.date


def test_the_archive_trend_ends_at_the_best_50(session):
    sync(session)
    player, _ = tokens.create_player(session, "舞萌玩家", now=BASE_TIME)
    add_play(session, player, "Re:Unknown X", played_at=MIDNIGHT + 600, achievement=970000)
    add_play(session, player, "Re:Unknown X", played_at=MIDNIGHT + DAY, achievement=1000000)
    add_play(session, player, "True Love Song", game.STANDARD, played_at=MIDNIGHT + DAY + 60)
    add_play(session, player, "Link", game.STANDARD, played_at=MIDNIGHT + 2 * DAY)  # unlinked
    session.add(
        ProfileSnapshot(
            player_id=player.id,
            observed_at=MIDNIGHT + DAY + 3600,
            page="home",
            name="ＭＡＩ",
            rating=13000,
            fingerprint="0" * 64,
        )
    )
    session.commit()
    link_all(session)
    session.commit()

    statements = []

    def count(*_args):
        statements.append(1)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        trend = replay_trend(session, player.id)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 2  # the plays, the profiles: not a query per day
    total = player_rating(session, player.id).best50.total
    assert trend == [
        TrendPoint("2025-10-03", 283, None),  # 14.6 x 20.0 x 97 / 100
        TrendPoint("2025-10-04", total, 13000),
        TrendPoint("2025-10-05", total, None),
    ]
