"""The reading pages cost a constant number of queries, whatever the page size or archive."""

import pytest

from factories import BASE_TIME, add_play, add_player, add_profile
from image_server import png
from maimai_probe import game
from maimai_probe.catalog.linking import link_all
from maimai_probe.jackets.store import Target, keep
from maimai_probe.models import Chart, Song, bump_revision
from querycount import count_queries, queries_for

PAGES = [
    # (URL, queries: the player and the page; the HTML pages read with their rows the count of
    # matching plays, the jackets and whether any play is unlinked (the 未对应 tab); the API
    # counts in a query of its own; a title search adds the catalog's signature, which tells
    # whether the search index is current; the diff page the kept rating of the page's days)
    ("/players/alice/plays?size={size}", 2),
    ("/players/alice/plays?size={size}&before={middle}&difficulty=3&difficulty=4&fc=fc", 2),
    ("/players/alice/diff?size={size}", 3),
    ("/players/alice/diff?size={size}&before={middle}&title=song+1&from=2025-10-01", 4),
    ("/players/alice/diff?size={size}&improved=1", 3),
    ("/api/players/alice/plays?size={size}", 3),
    ("/api/players/alice/plays?size={size}&after={oldest}&kind=DX", 3),
    ("/api/players/alice/diff?size={size}", 2),
]


def add_chart_plays(session, player, start: int, stop: int) -> None:
    """Add plays number start..stop-1 spread over 7 charts, so each has earlier plays."""
    for number in range(start, stop):
        add_play(
            session,
            player,
            commit=False,
            played_at=BASE_TIME + number * 60,
            title="Song %d" % (number % 7),
            difficulty=(game.MASTER, game.REMASTER, game.EXPERT)[number % 3],
            achievement=970000 + number * 7 % 30000,
            fc=number % 5,
        )
    session.commit()


def add_archive(session, count: int):
    """Add a player with a profile and count plays; return the player."""
    alice = add_player(session, "alice")
    add_profile(session, alice)
    add_chart_plays(session, alice, 0, count)
    return alice


def cost(app, client, url: str, count: int, size: int) -> int:
    """Return how many queries a page costs, once the process has built its search index.

    The first page after a write replays the rating day by day and keeps it (see
    test_rating_days): that page is rendered once before the one counted.
    """
    client.get("/players/alice/plays?title=warm+up")
    middle = BASE_TIME + count // 2 * 60
    page = url.format(size=size, middle=middle, oldest=BASE_TIME)
    queries_for(app, client, page)
    return len(queries_for(app, client, page))


@pytest.mark.slow
def test_pages_cost_the_same_for_any_page_size_and_archive_size(app, client, session):
    alice = add_archive(session, 60)
    small = {
        url: (cost(app, client, url, 60, 5), cost(app, client, url, 60, 50)) for url, _ in PAGES
    }
    add_chart_plays(session, alice, 60, 600)
    large = {
        url: (cost(app, client, url, 600, 5), cost(app, client, url, 600, 50)) for url, _ in PAGES
    }
    for url, expected in PAGES:
        assert small[url] == large[url] == (expected, expected), url


def test_the_home_page_costs_a_constant_number_of_queries(app, client, session):
    alice = add_archive(session, 30)
    queries_for(app, client, "/players/alice/")  # keeps the rating day by day
    first = queries_for(app, client, "/players/alice/")
    add_chart_plays(session, alice, 30, 200)
    bump_revision(session, alice.id)  # as every write does: the kept days are replayed
    session.commit()
    queries_for(app, client, "/players/alice/")
    # the player, the profile, the totals (2), the newest plays, the newest records, the
    # archive's best 50, the kept rating of the newest days and the tabs' unlinked plays
    assert len(queries_for(app, client, "/players/alice/")) == len(first) == 9


def test_the_chart_page_costs_six_queries(app, client, session):
    add_archive(session, 70)
    url = "/players/alice/chart?title=Song+0&kind=DX&difficulty=3"
    # The player, the chart's plays, its score readings, the song's charts in the catalog, the
    # player's best on each difficulty of the title and the tabs' unlinked plays.
    assert len(queries_for(app, client, url)) == 6


def test_count_queries_sees_each_statement(app, session):
    from sqlalchemy import text

    with count_queries(app) as statements:
        session.execute(text("SELECT 1"))
        session.execute(text("SELECT 2"))
    assert statements == ["SELECT 1", "SELECT 2"]


def add_linked_archive(session) -> None:
    """Add catalog songs of the 7 chart titles, a kept jacket each, and link alice's plays."""
    for number in range(7):
        song = Song(title="Song %d" % number, kind=game.DX, catalog_id=str(100 + number))
        session.add(song)
        session.flush()
        for difficulty in (game.EXPERT, game.MASTER, game.REMASTER):
            session.add(Chart(song_id=song.id, difficulty=difficulty, constant_tenths=130))
        keep(session, Target("song-%d" % song.id, song.id, "http://127.0.0.1:9/"), png(2, 2), 0)
    session.commit()
    link_all(session)
    session.commit()


LINKED_PAGES = [
    # The record and diff pages read the kept jackets with their rows, whatever the page size:
    # no query more than without jackets. Other pages add one for the kept jackets of what they
    # show and one for the tabs (whether any play is unlinked); the home the archive's best 50,
    # the kept rating of the newest days and the new records.
    ("/players/alice/plays?size={size}", 2),
    ("/players/alice/diff?size={size}", 3),
    ("/players/alice/", 10),
    # The player; then, in one query, the official rating and the unlinked plays (which the
    # tabs reuse) beside the frames' charts with their marks and jackets.
    ("/players/alice/best50", 2),
    # The player (or the catalog's version), the choices (versions and genres, levels), the
    # count, the page's songs, their charts with the player's bests, the jackets (and the
    # player's tabs).
    ("/players/alice/songs", 8),
    ("/songs", 7),
    # A chart's page, by title and by song id (which looks the song up first), with the tabs.
    ("/players/alice/chart?title=Song+0&kind=DX&difficulty=3", 7),
    ("/players/alice/charts/100/master", 8),
]


@pytest.mark.slow
def test_pages_with_jackets_cost_the_same_for_any_archive_size(app, client, session):
    alice = add_archive(session, 60)
    add_linked_archive(session)
    small = {url: cost(app, client, url, 60, 5) for url, _ in LINKED_PAGES}
    add_chart_plays(session, alice, 60, 400)
    link_all(session)
    session.commit()
    large = {url: cost(app, client, url, 400, 50) for url, _ in LINKED_PAGES}
    assert small == large == dict(LINKED_PAGES)
    for url, _ in LINKED_PAGES:  # the jackets are really there to be found
        assert '<img class="jacket" src="/jackets/' in client.get(url.format(size=5)).get_data(
            as_text=True
        ), url
