"""The rating day by day, kept in the database: written by imports, replayed once when stale."""

import re

import pytest
from sqlalchemy import select

from conftest import db_of, settings
from import_helpers import new_player, play, row_counts
from maimai_probe import create_app, game
from maimai_probe.catalog.sync import read_catalog, sync_catalog
from maimai_probe.importing import store
from maimai_probe.models import Player, RatingDay, RatingTrend
from maimai_probe.parsing.results import ParsedPage
from maimai_probe.rating.formula import chart_rating
from maimai_probe.rating.rating_days import day_ratings, kept_days, rating_trend
from maimai_probe.rating.trend import replay_trend
from querycount import queries_for
from test_catalog import small_catalog, song

NOW = 1760000000
DAY = 86400
#: 2025-10-03 13:06 China time.
PLAYED = 1759467960


def record_page(*plays) -> ParsedPage:
    """Return a record page of Re:Unknown X MASTER plays: (time, achievement) each."""
    return ParsedPage(
        page="record",
        service="cn",
        plays=[
            play(
                when, title="Re:Unknown X", achievement=achievement, rank=game.rank_for(achievement)
            )
            for when, achievement in plays
        ],
    )


def catalog(master: float = 14.6):
    """Return the small catalog, Re:Unknown X's MASTER at the given constant."""
    songs = small_catalog()
    for entry in songs:
        if entry["title"] == "Re:Unknown X":
            entry.update(song("11720", "Re:Unknown X", "DX", [6.0, 9.0, 12.4, master, 14.9]))
            entry["basic_info"]["is_new"] = True
    return songs


def sync(session, master: float = 14.6) -> None:
    sync_catalog(session, read_catalog(catalog(master)))
    session.commit()


def kept(session, player_id: int):
    """Return the kept days and the revision they were replayed at."""
    days = session.execute(
        select(RatingDay.day, RatingDay.rating, RatingDay.official_rating, RatingDay.rating_change)
        .where(RatingDay.player_id == player_id)
        .order_by(RatingDay.day)
    ).all()
    revision = session.execute(
        select(RatingTrend.revision).where(RatingTrend.player_id == player_id)
    ).scalar_one_or_none()
    return [tuple(day) for day in days], revision


def revision(session, player_id: int) -> int:
    return session.execute(select(Player.revision).where(Player.id == player_id)).scalar_one()


def day_heads(page: str):
    """Return each day's header of a diff page as text."""
    return [
        " ".join(re.sub(r"<[^>]+>", " ", head).split())
        for head in re.findall(r'<h2 class="day-head"[^>]*>(.*?)</h2>', page, re.S)
    ]


def replays(statements) -> bool:
    """Tell whether statements replayed the archive and kept its days."""
    return any(re.match(r"\s*INSERT INTO rating_day", statement) for statement in statements)


@pytest.fixture
def player(session):
    sync(session)
    return new_player(session, "alice")[0]


def test_an_import_keeps_the_days_at_its_revision_and_a_reimport_adds_nothing(session, player):
    page = record_page((PLAYED - DAY, 970000), (PLAYED, 1005000), (PLAYED + 60, 990000))
    store.import_pages(session, player, [page], NOW)
    days, kept_revision = kept(session, player.id)
    assert kept_revision == revision(session, player.id)
    replayed = day_ratings(replay_trend(session, player.id))
    assert days == [tuple(day) for day in replayed]
    first, second = chart_rating(146, 970000), chart_rating(146, 1005000)
    assert [rating for _, rating, _, _ in days] == [first, second]
    assert [change for _, _, _, change in days] == [None, second - first]

    counts = row_counts(session)
    store.import_pages(session, player, [page], NOW + 60)
    assert row_counts(session) == counts
    assert kept(session, player.id) == (days, revision(session, player.id))


def test_a_failed_import_keeps_the_days_it_had(session, player, monkeypatch):
    store.import_pages(session, player, [record_page((PLAYED, 970000))], NOW)
    before = kept(session, player.id)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "store_scores", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        store.import_pages(session, player, [record_page((PLAYED + DAY, 1005000))], NOW)
    assert kept(session, player.id) == before


def test_a_fresh_app_reads_the_days_an_import_kept_in_one_query(app, session, player):
    store.import_pages(
        session, player, [record_page((PLAYED - DAY, 970000), (PLAYED, 1005000))], NOW
    )
    # As a new serverless container would: its own process memory, the same database.
    fresh = create_app(settings(app.config["DATABASE_URL"], AUTO_MIGRATE=False))
    try:
        statements = queries_for(fresh, fresh.test_client(), "/players/alice/diff")
        assert not replays(statements)
        assert len([s for s in statements if "rating_day" in s]) == 1
        assert not [s for s in statements if "profile_snapshot" in s]  # the replay reads them
        page = fresh.test_client().get("/players/alice/diff").get_data(as_text=True)
    finally:
        db_of(fresh).dispose()
    change = chart_rating(146, 1005000) - chart_rating(146, 970000)
    assert day_heads(page)[0] == "10/3 · 1 次 · 新纪录 1 · Rating +%d" % change


def test_a_catalog_sync_makes_the_next_page_replay_the_days_once(app, client, session, player):
    store.import_pages(
        session, player, [record_page((PLAYED - DAY, 970000), (PLAYED, 1005000))], NOW
    )
    sync(session, master=14.0)  # a new constant: every player's revision moves on
    assert kept(session, player.id)[1] != revision(session, player.id)

    statements = queries_for(app, client, "/players/alice/diff")
    assert replays(statements)
    assert kept(session, player.id)[1] == revision(session, player.id)
    assert not replays(queries_for(app, client, "/players/alice/diff"))
    page = client.get("/players/alice/diff").get_data(as_text=True)
    change = chart_rating(140, 1005000) - chart_rating(140, 970000)
    assert day_heads(page)[0] == "10/3 · 1 次 · 新纪录 1 · Rating +%d" % change


@pytest.mark.parametrize("stale", [False, True])
def test_each_window_reads_what_the_whole_replay_shows(session, player, stale):
    plays = [(PLAYED + n * 7 * 3600, 950000 + n * 3000) for n in range(12)]
    store.import_pages(session, player, [record_page(*plays)], NOW)
    if stale:  # a write that bumps the revision without replaying, as a chart choice does
        session.execute(Player.__table__.update().values(revision=Player.revision + 1))
        session.commit()
    whole = day_ratings(replay_trend(session, player.id))
    assert len(whole) > 3
    assert rating_trend(session, player.id) == [day.point for day in whole]
    if stale:
        assert kept(session, player.id)[1] == revision(session, player.id)
    some = [whole[1].day, whole[3].day, whole[3].day + 1000]
    assert kept_days(session, player.id, days=some) == [whole[1], whole[3]]
    assert kept_days(session, player.id, latest=2) == whole[-2:]
    assert kept_days(session, player.id, latest=100) == whole


def test_a_player_without_plays_has_no_days(session, player):
    assert kept_days(session, player.id) == []
    assert kept_days(session, player.id, latest=60) == []
    assert kept(session, player.id) == ([], revision(session, player.id))
    assert kept_days(session, player.id + 1000) == []  # no such player: nothing kept
