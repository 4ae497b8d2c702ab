"""Chromium follows a chart link written with its title as it reads, to that very chart."""

import pytest

from conftest import db_of, settings
from factories import BASE_TIME, add_play, add_player
from maimai_probe import create_app
from test_chart_links import TITLES

from .browsing import PHONE, Tab, serving

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(browser, tmp_path_factory):
    """Serve a player whose plays bear every awkward title, one play each."""
    path = tmp_path_factory.mktemp("links") / "links.sqlite3"
    app = create_app(settings("sqlite:///%s" % path))
    session = db_of(app).session()
    alice = add_player(session)
    for number, title in enumerate(TITLES):
        add_play(session, alice, played_at=BASE_TIME + number * 60, title=title)
    session.close()
    with serving(app) as base:
        yield base
    db_of(app).dispose()


@pytest.mark.parametrize("number, title", list(enumerate(TITLES)))
def test_a_click_on_a_card_opens_its_chart(browser, site, number, title):
    context = browser.new_context(**PHONE)
    try:
        tab = Tab(context.new_page(), site)
        tab.go("/players/alice/plays")
        card = tab.page.locator(".play-title a").nth(len(TITLES) - 1 - number)  # newest first
        with tab.page.expect_navigation():
            card.click()
        assert tab.page.text_content("h1.chart-title") == title
        assert tab.page.text_content(".stats div:first-child dd") == "1"  # its one play
        tab.assert_clean()
    finally:
        context.close()
