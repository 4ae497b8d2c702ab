"""The charts draw in headless Chromium at phone width, from our own site only, without errors."""

from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from chart_data import add_history, add_player, load_catalog, play_row
from conftest import db_of, settings
from maimai_probe import create_app
from maimai_probe.models import Play

from .browsing import PHONE, PHONE_SIZE, Tab, assert_charts_fit, serving

pytestmark = pytest.mark.browser

HOSTILE = "</script><script>alert(1)</script>"


@pytest.fixture(scope="module")
def site(browser, tmp_path_factory):
    """Serve the app on a free local port with a catalog, a history and a hostile title."""
    path = tmp_path_factory.mktemp("browser") / "site.sqlite3"
    app = create_app(settings("sqlite:///%s" % path))
    session = db_of(app).session()
    load_catalog(session)
    alice = add_player(session, "alice")
    add_history(session, alice, days=60)
    session.add(play_row(alice, 1759500000, HOSTILE, "DX", 0, achievement=1000000))
    session.commit()
    title, kind, difficulty = session.execute(
        select(Play.title, Play.kind, Play.difficulty)
        .where(Play.title != HOSTILE)
        .group_by(Play.title, Play.kind, Play.difficulty)
        .order_by(func.count().desc(), Play.title)
        .limit(1)
    ).one()
    session.close()
    with serving(app) as base:
        yield {
            "base": base,
            "chart": "/players/alice/charts/chart?"
            + urlencode({"title": title, "kind": kind, "difficulty": difficulty}),
            "hostile": "/players/alice/charts/chart?"
            + urlencode({"title": HOSTILE, "kind": "DX", "difficulty": 0}),
        }
    db_of(app).dispose()


@pytest.fixture
def visit(browser, site):
    """Open a page of the site as a phone would; return the watched tab."""
    contexts = []

    def open_page(path):
        context = browser.new_context(**PHONE)
        contexts.append(context)
        tab = Tab(context.new_page(), site["base"])
        tab.go(path)
        return tab

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize(
    "page_name, expected",
    [
        (
            "/players/alice/charts",
            ["chart-rating", "chart-activity", "chart-ranks", "chart-fc", "chart-fs"],
        ),
        ("chart", ["chart-achievement", "chart-dx-score"]),
        ("hostile", ["chart-achievement", "chart-dx-score"]),
    ],
)
def test_every_chart_draws_inside_a_phone_screen(visit, site, page_name, expected):
    tab = visit(site.get(page_name, page_name))
    page = tab.page
    page.wait_for_function("document.documentElement.hasAttribute('data-charts-drawn')")
    page.wait_for_timeout(300)  # let a resize settle, as it would after the page loads
    drawn = assert_charts_fit(page)
    assert [box["id"] for box in drawn] == expected
    for box in drawn:
        assert box["label"], box
        assert box["canvasWidth"] >= 200, box
        assert box["box"][0] >= 0 and box["box"][1] <= PHONE_SIZE["width"], box
    assert page.get_attribute("html", "data-charts-drawn") == str(len(expected))
    assert page.get_attribute("html", "data-chart-errors") is None
    assert tab.overflow()["scrollWidth"] <= PHONE_SIZE["width"]
    tab.assert_clean()
    tab.screenshot("charts_draw_" + page_name.strip("/").replace("/", "_"))


def test_a_hostile_title_shows_as_text(visit, site):
    tab = visit(site["hostile"])
    page = tab.page
    page.wait_for_function("document.documentElement.hasAttribute('data-charts-drawn')")
    assert page.inner_text("h1") == HOSTILE
    assert page.get_attribute("[data-chart=chart-achievement]", "aria-label").startswith(HOSTILE)
    assert tab.problems == []


def test_the_song_list_loads_no_chart_script_and_fits(visit):
    tab = visit("/players/alice/songs?sort=achievement")
    assert tab.overflow()["scrollWidth"] <= PHONE_SIZE["width"]
    assert tab.page.locator(".song-card").count() == 13  # the small catalog, a card a song
    assert tab.problems == []
    paths = [url.split("?", 1)[0] for url in tab.fetched]  # static URLs carry ?v=<hash>
    scripts = [path.rsplit("/", 1)[-1] for path in paths if path.endswith(".js")]
    assert scripts == ["nav.js"]  # the tab bar's, not uPlot nor charts.js
