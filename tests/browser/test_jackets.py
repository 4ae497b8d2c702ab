"""Chromium shows each play's jacket from its service's official site, as the policy allows."""

import base64

import pytest

from factories import BASE_TIME, add_play, add_player
from maimai_probe import game
from test_jackets import JACKET

from .browsing import phone_tab, serving_filled

pytestmark = pytest.mark.browser

#: A 1 x 1 PNG, what the official sites answer with here (the machine can't reach them).
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)
INTL_JACKET = "a1b2c3d4e5f60718"
EXPECTED = [
    "https://maimai.wahlap.com/maimai-mobile/img/Music/%s.png" % JACKET,
    "https://maimaidx-eng.com/maimai-mobile/img/Music/%s.png" % INTL_JACKET,
]
JACKETS = """() => Array.from(document.querySelectorAll("img.jacket")).map(image => ({
    src: image.src, complete: image.complete, width: image.naturalWidth}))"""


def three_plays(session):
    """Give alice a Chinese play, an international one and one with a hostile jacket."""
    alice = add_player(session)
    add_play(session, alice, played_at=BASE_TIME, jacket=JACKET)
    add_play(session, alice, played_at=BASE_TIME + 60, jacket=INTL_JACKET, service="intl")
    add_play(session, alice, played_at=BASE_TIME + 120, jacket='x" onerror="alert(1)')


@pytest.fixture(scope="module")
def site(browser, tmp_path_factory):
    """Serve alice's three plays."""
    with serving_filled(tmp_path_factory.mktemp("jackets"), three_plays) as base:
        yield base


def test_jackets_load_from_the_official_sites_and_from_nowhere_else(browser, site):
    answered = []

    def official(route):
        answered.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=PIXEL)

    with phone_tab(browser, site) as tab:
        for origin in game.JACKET_SITES.values():
            tab.page.route(origin + "/**", official)
        tab.go("/players/alice/plays")
        tab.page.wait_for_function(
            "() => Array.from(document.querySelectorAll('img.jacket'))"
            ".every(image => image.complete)"
        )
        jackets = tab.page.evaluate(JACKETS)
        assert sorted(jacket["src"] for jacket in jackets) == EXPECTED
        assert all(jacket["width"] == 1 for jacket in jackets)  # drawn, not blocked
        assert sorted(answered) == EXPECTED
        assert sorted(tab.elsewhere()) == EXPECTED
        assert tab.problems == [] and tab.csp_violations() == []
