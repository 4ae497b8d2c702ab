"""Chromium follows chart links, by a title as it reads or by song id, to that very chart."""

import pytest

from factories import BASE_TIME, add_play, add_player
from maimai_probe.catalog.linking import link_plays
from test_catalog_chart import add_song
from test_chart_links import TITLES

from .browsing import phone_tab, serving_filled

pytestmark = pytest.mark.browser


def awkward_plays(session):
    """Give alice one play of each awkward title."""
    alice = add_player(session)
    for number, title in enumerate(TITLES):
        add_play(session, alice, played_at=BASE_TIME + number * 60, title=title)
    return alice


def awkward_catalog(session):
    """Add a catalog song per awkward title (Basic and Master); alice played each Master once."""
    for number, title in enumerate(TITLES):
        add_song(session, title, str(11000 + number))
    alice = awkward_plays(session)
    link_plays(session, alice.id)
    session.commit()


@pytest.fixture(scope="module")
def site(browser, tmp_path_factory):
    """Serve a player whose plays bear every awkward title, one play each."""
    with serving_filled(tmp_path_factory.mktemp("links"), awkward_plays) as base:
        yield base


@pytest.mark.parametrize("number, title", list(enumerate(TITLES)))
def test_a_click_on_a_card_opens_its_chart(browser, site, number, title):
    with phone_tab(browser, site) as tab:
        tab.go("/players/alice/plays")
        card = tab.page.locator(".play-title a").nth(len(TITLES) - 1 - number)  # newest first
        with tab.page.expect_navigation():
            card.click()
        assert tab.page.text_content("h1.chart-title") == title
        assert tab.page.text_content(".stats div:first-child dd") == "1"  # its one play
        tab.assert_clean()


@pytest.fixture(scope="module")
def catalog_site(browser, tmp_path_factory):
    """Serve a catalog song per awkward title, each with a Basic and a Master chart.

    Alice played each Master once; the Basics stay unplayed.
    """
    with serving_filled(tmp_path_factory.mktemp("rows"), awkward_catalog) as base:
        yield base


def tap(tab, selector):
    """Tap the middle of an element the way a finger does: whatever lies on top takes it."""
    target = tab.page.locator(selector)
    target.scroll_into_view_if_needed()
    box = target.bounding_box()
    tab.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


@pytest.mark.parametrize("number, title", list(enumerate(TITLES)))
def test_a_tap_anywhere_on_a_played_chart_of_a_song_card_opens_it(
    browser, catalog_site, number, title
):
    with phone_tab(browser, catalog_site) as tab:
        tab.go("/players/alice/songs")
        assert tab.page.locator(".song-card.played").count() == len(TITLES)
        link = "/players/alice/charts/%d/master" % (11000 + number)
        with tab.page.expect_navigation():
            tap(tab, 'li.song-cell:has(a[href="%s"]) .song-chart' % link)
        assert tab.page.url.endswith(link)
        assert tab.page.text_content("h1.chart-title") == title
        assert "1 次游玩 · " in tab.page.text_content(".song-head")
        tab.assert_clean()


def test_a_tap_on_an_unplayed_chart_goes_nowhere(browser, catalog_site):
    with phone_tab(browser, catalog_site) as tab:
        tab.go("/players/alice/songs")
        unplayed = tab.page.locator(".song-cell:not(:has(a))")
        assert unplayed.count() == len(TITLES)
        assert "未游玩" in unplayed.first.inner_text()
        tap(tab, ".song-cell:not(:has(a)) >> nth=0")
        tab.page.wait_for_timeout(300)
        assert tab.page.url.endswith("/players/alice/songs")
        tab.assert_clean()
