"""Chromium shows each kept jacket from the site itself, and a placeholder for the rest."""

import pytest

from factories import BASE_TIME, add_play, add_player
from image_server import png
from maimai_probe.jackets.store import Target, keep
from test_jackets import JACKET

from .browsing import phone_tab, serving_filled

pytestmark = pytest.mark.browser

JACKETS = """() => Array.from(document.querySelectorAll("img.jacket")).map(image => ({
    src: image.getAttribute("src"), complete: image.complete, width: image.naturalWidth}))"""
PLACEHOLDERS = """() => Array.from(document.querySelectorAll(".jacket-none")).map(box => {
    const rect = box.getBoundingClientRect();
    return {text: box.textContent, width: rect.width, height: rect.height,
            background: getComputedStyle(box).backgroundColor};
})"""


def three_plays(session):
    """Give alice a play whose jacket is kept, one whose is not, and one with a hostile name."""
    alice = add_player(session)
    add_play(session, alice, played_at=BASE_TIME, jacket=JACKET)
    add_play(session, alice, played_at=BASE_TIME + 60, jacket="a1b2c3d4e5f60718", title="Link")
    add_play(session, alice, played_at=BASE_TIME + 120, jacket='x" onerror="alert(1)')
    keep(session, Target(JACKET, None, "http://127.0.0.1:9/%s.png" % JACKET), png(8, 8), 0)
    session.commit()


@pytest.fixture(scope="module")
def site(browser, tmp_path_factory):
    """Serve alice's three plays."""
    with serving_filled(tmp_path_factory.mktemp("jackets"), three_plays) as base:
        yield base


def test_kept_jackets_load_from_the_site_and_the_rest_get_a_placeholder(browser, site):
    with phone_tab(browser, site) as tab:
        tab.go("/players/alice/plays")
        tab.page.wait_for_function(
            "() => Array.from(document.querySelectorAll('img.jacket'))"
            ".every(image => image.complete)"
        )
        [kept] = tab.page.evaluate(JACKETS)
        assert kept["src"].startswith("/jackets/") and kept["width"] == 8  # drawn, not blocked
        placeholders = tab.page.evaluate(PLACEHOLDERS)
        assert sorted(box["text"] for box in placeholders) == ["L", "R"]
        for box in placeholders:
            assert box["width"] == box["height"] == 56
            assert box["background"] not in ("rgba(0, 0, 0, 0)", "transparent")
        tab.assert_clean()
