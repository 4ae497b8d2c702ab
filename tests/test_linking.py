"""Linking plays and score readings to charts: exact matches, ambiguity, the player's choice."""

from sqlalchemy import select

from maimai_probe import game
from maimai_probe.catalog.linking import ResolveError, link_all, link_plays, resolve, unmatched
from maimai_probe.catalog.sync import read_catalog, sync_catalog
from maimai_probe.models import Chart, ChartAlias, Play, Player, Score, Song
from test_catalog import small_catalog, song

#: 2025-10-03 13:06 China time, the newest play of the real record page.
BASE_TIME = 1759467960


def add_player(session, name="舞萌玩家"):
    """Add a player and commit."""
    player = Player(name=name, created_at=BASE_TIME - 86400)
    session.add(player)
    session.commit()
    return player


def add_play(session, player, title, kind=game.DX, difficulty=game.MASTER, **fields):
    """Add a play (not committed); each call gets its own time unless told."""
    add_play.clock = getattr(add_play, "clock", BASE_TIME) + 60
    achievement = fields.pop("achievement", 1000000)
    values = dict(
        player_id=player.id,
        played_at=add_play.clock,
        utc_offset=game.CHINA_UTC_OFFSET,
        title=title,
        kind=kind,
        difficulty=difficulty,
        achievement=achievement,
        rank=game.rank_for(achievement),
        dx_score=1000,
        dx_score_max=1200,
        service="cn",
        imported_at=BASE_TIME,
    )
    values.update(fields)
    play = Play(**values)
    session.add(play)
    return play


def add_score(session, player, title, kind=game.DX, difficulty=game.MASTER, **fields):
    """Add a score reading (not committed)."""
    achievement = fields.pop("achievement", 1000000)
    values = dict(
        player_id=player.id,
        title=title,
        kind=kind,
        difficulty=difficulty,
        achievement=achievement,
        rank=game.rank_for(achievement),
        source="score_list",
        observed_at=BASE_TIME,
    )
    values.update(fields)
    score = Score(**values)
    session.add(score)
    return score


def sync(session, catalog=None):
    """Sync a catalog (the small one by default) and commit."""
    result = sync_catalog(session, read_catalog(catalog or small_catalog()))
    session.commit()
    return result


def chart_id(session, catalog_id, difficulty=game.MASTER):
    """Return the id of a chart by its song's catalog id and its difficulty."""
    return session.execute(
        select(Chart.id)
        .join(Song)
        .where(Song.catalog_id == catalog_id, Chart.difficulty == difficulty)
    ).scalar_one()


def links(session, model=Play):
    """Return (title, kind, difficulty) -> chart id of every row of plays or scores."""
    rows = session.execute(select(model.title, model.kind, model.difficulty, model.chart_id))
    return {(title, kind, difficulty): chart for title, kind, difficulty, chart in rows}


def test_plays_and_scores_imported_before_the_catalog_link_once_it_is_synced(session):
    alice, bob = add_player(session, "alice"), add_player(session, "bob")
    add_play(session, alice, "Re:Unknown X")
    add_play(session, alice, "Re:Unknown X", difficulty=game.REMASTER)
    add_play(session, bob, "True Love Song", game.STANDARD, game.EXPERT)
    add_score(session, bob, "True Love Song", game.DX, game.MASTER)
    session.commit()
    assert link_all(session) == (0, 0)  # no catalog yet

    sync(session)
    assert link_all(session) == (3, 1)
    session.commit()
    assert links(session) == {
        ("Re:Unknown X", game.DX, game.MASTER): chart_id(session, "11720"),
        ("Re:Unknown X", game.DX, game.REMASTER): chart_id(session, "11720", game.REMASTER),
        ("True Love Song", game.STANDARD, game.EXPERT): chart_id(session, "8", game.EXPERT),
    }
    assert links(session, Score) == {
        ("True Love Song", game.DX, game.MASTER): chart_id(session, "10008"),
    }
    assert link_all(session) == (0, 0)  # nothing left to do


def test_kind_and_difficulty_must_match_too(session):
    sync(session)
    player = add_player(session)
    add_play(session, player, "Re:Unknown X", game.STANDARD)  # no standard chart
    add_play(session, player, "True Love Song", game.STANDARD, game.REMASTER)  # no Re:MASTER
    session.commit()
    assert link_plays(session, player.id) == 0
    assert [
        (entry.title, entry.kind, entry.difficulty, entry.candidates)
        for entry in unmatched(session, player.id)
    ] == [
        ("Re:Unknown X", game.STANDARD, game.MASTER, []),
        ("True Love Song", game.STANDARD, game.REMASTER, []),
    ]


def test_link_is_ambiguous_and_never_guessed(session):
    sync(session)
    player = add_player(session)
    for _ in range(3):
        add_play(session, player, "Link", game.STANDARD)
    add_play(session, player, "Link(CoF)", game.STANDARD, game.EXPERT)  # the catalog's own name
    add_score(session, player, "Link", game.STANDARD)
    session.commit()
    assert link_all(session, player.id) == (1, 0)
    assert links(session)[("Link(CoF)", game.STANDARD, game.EXPERT)] == chart_id(
        session, "383", game.EXPERT
    )
    [entry] = unmatched(session, player.id)
    assert (entry.title, entry.kind, entry.difficulty, entry.plays, entry.scores) == (
        "Link",
        game.STANDARD,
        game.MASTER,
        3,
        1,
    )
    assert [(c.catalog_id, c.title, c.constant_tenths) for c in entry.candidates] == [
        ("131", "Link", 122),
        ("383", "Link(CoF)", 128),
    ]


def test_the_players_choice_links_now_and_in_future_imports(session):
    sync(session)
    player, other = add_player(session, "alice"), add_player(session, "bob")
    add_play(session, player, "Link", game.STANDARD)
    add_play(session, other, "Link", game.STANDARD)
    add_score(session, player, "Link", game.STANDARD)
    session.commit()
    cof = chart_id(session, "383")

    assert resolve(session, player.id, ("Link", game.STANDARD, game.MASTER), cof, BASE_TIME) == (
        1,
        1,
    )
    session.commit()
    assert unmatched(session, player.id) == []
    assert len(unmatched(session, other.id)) == 1  # bob's Link is his own to decide

    add_play(session, player, "Link", game.STANDARD)  # a later import
    session.commit()
    assert link_plays(session, player.id) == 1
    session.commit()
    rows = session.execute(select(Play.chart_id).where(Play.player_id == player.id)).scalars()
    assert set(rows) == {cof}

    # Changing one's mind moves every row of that title over.
    original = chart_id(session, "131")
    resolve(session, player.id, ("Link", game.STANDARD, game.MASTER), original, BASE_TIME)
    session.commit()
    rows = session.execute(select(Play.chart_id).where(Play.player_id == player.id)).scalars()
    assert set(rows) == {original}
    assert session.execute(select(ChartAlias.chart_id)).scalars().all() == [original]


def test_a_choice_must_be_one_of_the_candidates(session):
    sync(session)
    player = add_player(session)
    add_play(session, player, "Link", game.STANDARD)
    session.commit()
    key = ("Link", game.STANDARD, game.MASTER)
    try:
        resolve(session, player.id, key, chart_id(session, "11720"), BASE_TIME)
    except ResolveError as error:
        assert "不是「Link」的候选之一" in str(error)
    else:
        raise AssertionError("a chart of another song was accepted")
    try:
        resolve(session, player.id, ("Re:Unknown X", game.DX, game.MASTER), 1, BASE_TIME)
    except ResolveError as error:
        assert "不是有歧义的曲名" in str(error)
    else:
        raise AssertionError("an unambiguous title was resolved")
    session.rollback()
    assert session.execute(select(ChartAlias)).all() == []


def test_utage_links_by_title_whatever_kind_the_page_shows(session):
    sync(session)
    player = add_player(session)
    add_play(session, player, "[回]ダブルラリアット", game.STANDARD, game.UTAGE)
    session.commit()
    assert link_plays(session, player.id) == 1
    assert links(session)[("[回]ダブルラリアット", game.STANDARD, game.UTAGE)] == chart_id(
        session, "110281", game.UTAGE
    )


def test_a_song_added_later_links_on_the_next_sync(session):
    sync(session)
    player = add_player(session)
    add_play(session, player, "新曲", game.STANDARD)
    session.commit()
    assert link_plays(session, player.id) == 0
    sync(session, small_catalog() + [song("799", "新曲", ds=[3.0, 6.0, 9.0, 12.0])])
    assert link_all(session) == (1, 0)
