"""The demo: a believable history on the demo catalog, loaded by one safe-to-repeat command."""

import datetime

from sqlalchemy import func, select

from maimai_probe import demo_data, game
from maimai_probe.models import Chart, Play, ProfileSnapshot, Song
from maimai_probe.rating.best50 import player_rating


def test_history_spans_months_with_improvements_and_full_combos():
    plays = demo_data.demo_history()
    assert 300 <= len(plays) <= 900
    days = {datetime.datetime.fromtimestamp(p.played_at, demo_data.CHINA).date() for p in plays}
    assert (max(days) - min(days)).days > 150
    assert len({p.played_at for p in plays}) == len(plays)  # a play's time is its identity
    assert any(p.fc >= game.FC for p in plays) and any(p.fc >= game.AP for p in plays)
    assert sum(p.achievement_new_record for p in plays) > 50
    assert {p.track for p in plays} == {1, 2, 3, 4}
    assert all(p.rank == game.rank_for(p.achievement) for p in plays)
    assert plays == demo_data.demo_history()  # the same seed gives the same history


def test_monthly_snapshots_show_a_rising_official_rating():
    ratings = [
        page.profile.rating
        for _, page in demo_data.monthly_pages(demo_data.demo_history())
        if page.profile is not None
    ]
    assert len(ratings) == 6
    assert ratings == sorted(ratings) and ratings[0] < ratings[-1]


def test_seed_demo_loads_everything_once(app, runner, session):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    plays = session.scalar(select(func.count(Play.id)))
    assert "示例玩家 demo：%d 次游玩（新增 %d），新增 6 份玩家信息" % (plays, plays) in (
        first.output
    )
    assert "demo 的导入令牌（只显示这一次）：" in first.output
    assert session.scalar(select(func.count(Song.id))) == len(demo_data.load_catalog())
    unlinked = session.scalars(select(Play.title).where(Play.chart_id.is_(None))).all()
    assert set(unlinked) == {"Link"}  # two catalog songs share the title: left to the player

    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert "%d 次游玩（新增 0），新增 0 份玩家信息" % plays in again.output
    assert "导入令牌" not in again.output
    assert session.scalar(select(func.count(Play.id))) == plays
    assert session.scalar(select(func.count(ProfileSnapshot.id))) == 6
    assert session.scalar(select(func.count(Chart.id))) > 100


def test_newest_snapshot_shows_the_rating_the_archive_computes(app, runner, session):
    runner.invoke(args=["seed-demo"])
    newest = session.scalars(
        select(ProfileSnapshot).order_by(ProfileSnapshot.observed_at.desc()).limit(1)
    ).one()
    rating = player_rating(session, newest.player_id)
    assert newest.rating == rating.best50.total
    assert len(rating.best50.old) == 35 and len(rating.best50.new) == 15


def test_demo_pages_are_populated(app, runner, client):
    runner.invoke(args=["seed-demo"])
    for path, expected in (
        ("/", "demo"),
        ("/players/demo/", "ＤＥＭＯ"),
        ("/players/demo/plays", "星屑のメロディー"),
        ("/players/demo/diff", "首次游玩"),
        ("/players/demo/best50", "13"),
        ("/players/demo/charts", "uplot"),
        ("/players/demo/songs", "Neon Drive 2077"),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert expected in response.get_data(as_text=True), path
