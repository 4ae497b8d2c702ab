"""Each player's best per chart (best_score) stays in step with every write to the archive."""

import random

import pytest
from sqlalchemy import func, literal, select, text

from conftest import db_of
from factories import BASE_TIME, add_play
from import_helpers import new_player, play
from maimai_probe import db, game
from maimai_probe.catalog import linking
from maimai_probe.catalog.linking import link_all
from maimai_probe.catalog.sync import read_catalog, sync_catalog
from maimai_probe.importing import store
from maimai_probe.models import BestScore, Chart, Player, Score, Song
from maimai_probe.parsing.results import ParsedPage, ScoreRecord
from maimai_probe.rating.best50 import chart_bests
from maimai_probe.rating.bests import rating_of
from maimai_probe.rating.formula import FACTORS, best50, chart_rating
from test_catalog import song
from test_linking import chart_id, sync

TITLE = "テスト曲"


def catalog(*extra):
    """Return songs for the made-up pages: テスト曲 (DX) and 曲 (standard), and any extra."""
    return [
        song("11001", TITLE, "DX", [5.0, 8.0, 11.0, 13.5]),
        song("101", "曲", "SD", [4.0, 7.0, 10.4, 12.9]),
    ] + list(extra)


def plays_page(*plays):
    """Return a record page of the given plays."""
    return ParsedPage(page="record", service="cn", plays=list(plays))


def a_play(second, **fields):
    """Return a play of テスト曲 MASTER at BASE_TIME + second."""
    values = dict(title=TITLE, achievement=990000, dx_score=2000, dx_score_max=2400)
    values.update(fields)
    return play(BASE_TIME + second, **values)


def readings_page(*scores):
    """Return a Diving-Fish export of readings of 曲 EXPERT: (achievement, dx, fc, fs) each."""
    return ParsedPage(
        page="divingfish_json",
        service="divingfish",
        scores=[
            ScoreRecord(
                title="曲",
                kind=game.STANDARD,
                difficulty=game.EXPERT,
                achievement=achievement,
                dx_score=dx_score,
                fc=fc,
                fs=fs,
            )
            for achievement, dx_score, fc, fs in scores
        ],
    )


def bests(session, name="舞萌玩家"):
    """Return a player's best_score rows: (catalog id, difficulty) -> the kept columns."""
    session.expire_all()
    rows = session.execute(
        select(
            Song.catalog_id,
            Chart.difficulty,
            BestScore.achievement,
            BestScore.dx_score,
            BestScore.dx_score_max,
            BestScore.fc,
            BestScore.fs,
        )
        .join(Chart, Chart.id == BestScore.chart_id)
        .join(Song, Song.id == Chart.song_id)
        .join(Player, Player.id == BestScore.player_id)
        .where(Player.name == name)
    )
    return {(row[0], row[1]): tuple(row[2:]) for row in rows}


def test_an_import_keeps_each_charts_best_of_plays_and_readings(app, session):
    sync(session, catalog())
    player, _ = new_player(session)
    pages = [
        plays_page(
            a_play(0, achievement=990000, dx_score=2100, fc=game.FC),
            a_play(60, achievement=1003000, dx_score=2000, fs=game.FS),
            a_play(120, difficulty=game.EXPERT, achievement=970000, fc=game.AP),
        ),
        readings_page((1000000, 1500, game.FC_NONE, game.FDX), (995000, 1600, game.FC, 0)),
    ]
    store.import_pages(session, player, pages, BASE_TIME)
    # Each column its own best, as the game keeps them apart.
    assert bests(session) == {
        ("11001", game.MASTER): (1003000, 2100, 2400, game.FC, game.FS),
        ("11001", game.EXPERT): (970000, 2000, 2400, game.AP, game.FS_NONE),
        ("101", game.EXPERT): (1000000, 1600, None, game.FC, game.FDX),
    }
    # A better play later raises only what it beats.
    store.import_pages(session, player, [plays_page(a_play(180, dx_score=2300))], BASE_TIME)
    assert bests(session)[("11001", game.MASTER)] == (1003000, 2300, 2400, game.FC, game.FS)


def test_importing_the_same_pages_again_writes_no_best(app, session):
    sync(session, catalog())
    player, _ = new_player(session)
    pages = [plays_page(a_play(0), a_play(60, difficulty=game.EXPERT)), readings_page((1, 2, 0, 0))]
    store.import_pages(session, player, pages, BASE_TIME)
    before = bests(session)
    if session.get_bind().dialect.name == "postgresql":  # the rows' versions: none rewritten
        versions = "SELECT chart_id, xmin::text FROM best_score ORDER BY chart_id"
        written = session.execute(text(versions)).all()
    result = store.import_pages(session, player, pages, BASE_TIME + 60)
    assert not result.stored_anything
    assert bests(session) == before and len(before) == 3
    if session.get_bind().dialect.name == "postgresql":
        assert session.execute(text(versions)).all() == written


def test_a_failed_import_writes_no_best(app, session):
    sync(session, catalog())
    player, _ = new_player(session)
    store.import_pages(session, player, [plays_page(a_play(0))], BASE_TIME)
    before = bests(session)
    broken = plays_page(a_play(60, achievement=1005000), a_play(120))
    broken.plays[1].title = None  # the database refuses it, after the first play is in
    with pytest.raises(Exception):  # noqa: B017 - any database error
        store.import_pages(session, player, [broken], BASE_TIME)
    assert bests(session) == before == {("11001", game.MASTER): (990000, 2000, 2400, 0, 0)}


def test_a_corrected_play_lowers_its_best_or_takes_it_to_another_chart(app, session):
    sync(session, catalog())
    player, _ = new_player(session)
    # A damaged copy of the record page showed 100.9 % where the play was 99.0 %.
    store.import_pages(session, player, [plays_page(a_play(0, achievement=1009000))], BASE_TIME)
    assert bests(session)[("11001", game.MASTER)][0] == 1009000
    store.import_pages(session, player, [plays_page(a_play(0))], BASE_TIME)
    assert bests(session)[("11001", game.MASTER)][0] == 990000
    # A play corrected to another chart takes its best along.
    store.import_pages(session, player, [plays_page(a_play(0, title="曲", kind=game.STANDARD))], 0)
    assert bests(session) == {("101", game.MASTER): (990000, 2000, 2400, 0, 0)}


def test_plays_linked_after_a_catalog_sync_get_their_best(app, session):
    player, _ = new_player(session)
    store.import_pages(session, player, [plays_page(a_play(0))], BASE_TIME)
    assert bests(session) == {}  # the catalog does not know the song yet
    sync(session, catalog())
    link_all(session)
    session.commit()
    assert bests(session) == {("11001", game.MASTER): (990000, 2000, 2400, 0, 0)}


def test_choosing_a_chart_moves_its_best(app, session):
    links = [song("131", "Link", ds=[3.0, 6.0, 9.0, 12.2])]
    links.append(song("383", "Link(CoF)", ds=[4.0, 7.0, 10.3, 12.8]))
    sync(session, catalog(*links))
    player, _ = new_player(session)
    page = plays_page(a_play(0, title="Link", kind=game.STANDARD, achievement=1001000))
    store.import_pages(session, player, [page], BASE_TIME)
    assert bests(session) == {}  # two songs are called Link: not guessed
    key = ("Link", game.STANDARD, game.MASTER)
    linking.resolve(session, player.id, key, chart_id(session, "131"), BASE_TIME)
    session.commit()
    assert list(bests(session)) == [("131", game.MASTER)]
    linking.resolve(session, player.id, key, chart_id(session, "383"), BASE_TIME)
    session.commit()
    assert list(bests(session)) == [("383", game.MASTER)]


def ratings(session, name="舞萌玩家"):
    """Return a player's kept chart fields: (catalog id, difficulty) -> constant, new, rating."""
    session.expire_all()
    rows = session.execute(
        select(
            Song.catalog_id,
            Chart.difficulty,
            BestScore.constant_tenths,
            BestScore.is_new,
            BestScore.rating,
        )
        .join(Chart, Chart.id == BestScore.chart_id)
        .join(Song, Song.id == Chart.song_id)
        .join(Player, Player.id == BestScore.player_id)
        .where(Player.name == name)
    )
    return {(row[0], row[1]): tuple(row[2:]) for row in rows}


def test_each_best_keeps_its_charts_constant_version_and_rating(app, session):
    sync(session, catalog(song("202", "新曲", "DX", [6.0, 9.0, 12.0, 14.1], is_new=True)))
    player, _ = new_player(session)
    pages = [
        plays_page(
            a_play(0, achievement=1003000),
            a_play(60, title="新曲", achievement=995000),
        ),
        readings_page((970000, 1500, 0, 0)),
    ]
    store.import_pages(session, player, pages, BASE_TIME)
    assert ratings(session) == {
        ("11001", game.MASTER): (135, False, chart_rating(135, 1003000)),
        ("202", game.MASTER): (141, True, chart_rating(141, 995000)),
        ("101", game.EXPERT): (104, False, chart_rating(104, 970000)),
    }


def test_a_utage_best_is_kept_in_no_frame(app, session):
    from test_catalog import small_catalog
    from test_linking import add_play as add_linked_play

    sync(session, small_catalog())
    player, _ = new_player(session)
    utage = "[回]ダブルラリアット"
    add_linked_play(session, player, utage, game.DX, game.UTAGE, achievement=1005000)
    add_linked_play(session, player, "True Love Song", game.STANDARD, achievement=990000)
    session.commit()
    link_all(session)
    session.commit()
    assert ratings(session)[("110281", game.UTAGE)] == (130, None, chart_rating(130, 1005000))
    rating = best50(chart_bests(session, player.id))
    assert [entry.chart.title for entry in rating.old] == ["True Love Song"]
    assert not rating.new and not rating.unknown


def test_a_catalog_sync_rerates_the_bests_of_the_charts_it_changes(app, session):
    sync(session, catalog())
    player, _ = new_player(session)
    pages = [plays_page(a_play(0, achievement=1003000)), readings_page((970000, 1500, 0, 0))]
    store.import_pages(session, player, pages, BASE_TIME)
    session.commit()
    # テスト曲 MASTER's constant rises; 曲 moves to the current version, its constants kept.
    changed = [
        song("11001", TITLE, "DX", [5.0, 8.0, 11.0, 13.8]),
        song("101", "曲", "SD", [4.0, 7.0, 10.4, 12.9], is_new=True),
    ]
    sync(session, changed)
    assert ratings(session) == {
        ("11001", game.MASTER): (138, False, chart_rating(138, 1003000)),
        ("101", game.EXPERT): (104, True, chart_rating(104, 970000)),
    }
    rating = best50(chart_bests(session, player.id))
    assert [entry.rating for entry in rating.new] == [chart_rating(104, 970000)]
    assert [entry.rating for entry in rating.old] == [chart_rating(138, 1003000)]


def test_a_failed_catalog_sync_rerates_nothing(app, session):
    sync(session, catalog())
    player, _ = new_player(session)
    store.import_pages(session, player, [plays_page(a_play(0))], BASE_TIME)
    session.commit()
    before = ratings(session)
    sync_catalog(session, read_catalog([song("11001", TITLE, "DX", [5.0, 8.0, 11.0, 14.5])]))
    assert ratings(session)[("11001", game.MASTER)][0] == 145  # in the sync's transaction
    session.rollback()
    assert ratings(session) == before


@pytest.mark.parametrize("constant", [1, 10, 125, 137, 150, 155])
def test_the_databases_rating_is_the_formulas(app, session, constant):
    achievements = {0, 1, 1004999, 1005000, 1005001, 1010000}
    for lowest, _ in FACTORS:
        achievements.update((lowest - 1, lowest, lowest + 1, lowest + 4321))
    achievements = sorted(value for value in achievements if value >= 0)
    rated = session.execute(
        select(*[rating_of(literal(constant), literal(value)) for value in achievements])
    ).one()
    assert list(rated) == [chart_rating(constant, value) for value in achievements]


def test_the_charts_the_database_keeps_give_the_same_best_50(app, session):
    rnd = random.Random(50)
    songs = []
    for number in range(70):
        constants = [round(rnd.choice((12.0, 12.5, 13.0, 13.7, 14.2, 14.9)), 1) for _ in range(4)]
        songs.append(
            song(str(1000 + number), "曲%d" % number, "DX", constants, is_new=number % 4 == 0)
        )
    songs.append(song("3000", "定数なし", "DX", [5.0, 7.0, 9.0, 12.0]))
    sync(session, songs)
    unknown = select(Song.id).where(Song.catalog_id == "3000").scalar_subquery()
    session.execute(
        Chart.__table__.update().where(Chart.song_id == unknown).values(constant_tenths=None)
    )
    session.commit()
    player, _ = new_player(session)
    steps = (1005000, 1004999, 1000000, 999999, 995000, 990000, 980000, 970000, 940000)
    second = 0
    for entry in songs:
        for difficulty in range(4):
            for _ in range(rnd.randint(0, 2)):
                second += 60
                achievement = rnd.choice(steps) + rnd.choice((0, 0, 1, 2500))
                add_play(
                    session,
                    player,
                    commit=False,
                    played_at=BASE_TIME + second,
                    title=entry["title"],
                    difficulty=difficulty,
                    achievement=achievement,
                )
    session.commit()
    link_all(session)
    session.commit()
    everything = chart_bests_of_every_chart(session, player.id)
    kept = chart_bests(session, player.id)
    assert len(kept) < len(everything)
    assert best50(kept) == best50(everything)
    assert best50(kept).unknown  # the charts without a constant are kept apart, all of them


def chart_bests_of_every_chart(session, player_id):
    """Return the player's best on every chart, read whole from best_score."""
    from maimai_probe.rating.formula import ChartBest

    rows = session.execute(
        select(
            Chart.id,
            Song.title,
            Song.kind,
            Chart.difficulty,
            Chart.level,
            Chart.constant_tenths,
            BestScore.achievement,
            Song.is_new,
        )
        .join(BestScore, BestScore.chart_id == Chart.id)
        .join(Song, Song.id == Chart.song_id)
        .where(BestScore.player_id == player_id)
    )
    return [ChartBest(*row) for row in rows]


def test_the_migration_fills_the_bests_of_an_existing_archive(app, session):
    from alembic import command

    database = db_of(app)
    sync(session, catalog())
    player, _ = new_player(session)
    store.import_pages(
        session,
        player,
        [plays_page(a_play(0), a_play(60, achievement=1001000)), readings_page((1, 5, 2, 0))],
        BASE_TIME,
    )
    expected = bests(session)
    session.close()
    try:
        with database.engine.begin() as connection:
            command.downgrade(db.alembic_config(connection), "0007")
        with database.engine.connect() as connection:
            assert "best_score" not in database.engine.dialect.get_table_names(connection)
    finally:
        database.migrate()
    assert len(expected) == 2 and bests(session) == expected
    assert session.execute(select(func.count()).select_from(Score)).scalar() == 1


def test_the_migration_rates_the_bests_an_archive_keeps(app, session):
    from alembic import command

    database = db_of(app)
    sync(session, catalog(song("202", "新曲", "DX", [6.0, 9.0, 12.0, 14.1], is_new=True)))
    unknown = select(Song.id).where(Song.catalog_id == "101").scalar_subquery()
    session.execute(
        Chart.__table__.update().where(Chart.song_id == unknown).values(constant_tenths=None)
    )
    session.commit()
    player, _ = new_player(session)
    pages = [
        plays_page(a_play(0, achievement=1003000), a_play(60, title="新曲", achievement=1005000)),
        readings_page((970000, 1500, 0, 0)),
    ]
    store.import_pages(session, player, pages, BASE_TIME)
    session.commit()
    expected = ratings(session)
    session.close()
    try:
        with database.engine.begin() as connection:
            command.downgrade(db.alembic_config(connection), "0008")
        with database.engine.connect() as connection:
            columns = database.engine.dialect.get_columns(connection, "best_score")
            assert "rating" not in [column["name"] for column in columns]
    finally:
        database.migrate()
    assert (
        ratings(session)
        == expected
        == {
            ("11001", game.MASTER): (135, False, chart_rating(135, 1003000)),
            ("202", game.MASTER): (141, True, chart_rating(141, 1005000)),
            ("101", game.EXPERT): (None, False, None),
        }
    )
