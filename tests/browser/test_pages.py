"""Every page of the demo player loads cleanly in Chromium, as WeChat on a phone and on a desktop.

Clean means: no console error, no uncaught script error, no failed or refused request, nothing
the Content-Security-Policy blocked, nothing fetched from another site, and at phone width
nothing wider than the screen. The official jackets would come from maimai.wahlap.com, which
the demo player has none of, so any request elsewhere is a defect.

Playwright has no release for Python 3.6 (pip refuses every version there), so the CPython 3.6
pass of scripts/test skips the browser tests and the pass on the current Python runs them. The
Selenium 3 that 3.6 could have sees neither failed requests nor page errors, which these check.
"""

import pytest

from maimai_probe.demo_data import load_catalog
from maimai_probe.progress.plates import PLATES
from maimai_probe.web.navigation import PLAYER_TABS

from .browsing import PHONE_SIZE, assert_charts_fit

pytestmark = pytest.mark.browser

#: The plates the demo catalog has charts for: the page lists no plate of an absent version.
DEMO_VERSIONS = {song["basic_info"]["from"] for song in load_catalog()}
DEMO_PLATES = [plate for plate in PLATES if DEMO_VERSIONS & set(plate.group.versions)]

# (name, path, what shows the page is the right one: a selector and how many of it)
PAGES = [
    ("home", "/", ".player-list a", 1),
    ("player", "/players/{player}/", ".play", None),
    ("plays", "/players/{player}/plays", ".play", 50),
    ("diff", "/players/{player}/diff", ".diff-line", 50),
    ("chart-history", "/players/{player}/chart?{chart}", ".history-step", "chart-plays"),
    ("charts", "/players/{player}/charts", "[data-chart][data-drawn='1']", 5),
    ("chart", "/players/{player}/charts/chart?{chart}", "[data-chart][data-drawn='1']", 2),
    ("best50", "/players/{player}/best50", ".b50-total-value", 1),
    ("plan", "/players/{player}/plan", ".pg-card", None),
    ("plates", "/players/{player}/plates", ".pg-plate", len(DEMO_PLATES)),
    ("plate", "/players/{player}/plates/%E9%95%9C%E5%B0%86", ".pg-card", None),
    ("songs", "/players/{player}/songs", ".song-card", 50),
    ("catalog", "/songs", ".song-card", 50),
    ("unmatched", "/players/{player}/unmatched", ".unmatched-entry", None),
    ("import", "/players/{player}/import", "textarea[name=html]", 1),
]


def path_of(template, demo_site):
    """Fill a page's path with the demo player and its most played chart."""
    return template.format(player=demo_site["player"], chart=demo_site["chart"]["query"])


@pytest.mark.parametrize("device", ["phone", "desktop"])
@pytest.mark.parametrize(
    "name, template, selector, expected", PAGES, ids=[page[0] for page in PAGES]
)
def test_the_page_loads_cleanly(new_tab, demo_site, device, name, template, selector, expected):
    tab = new_tab(device)
    response = tab.go(path_of(template, demo_site))
    if selector.startswith("[data-chart]"):
        tab.page.wait_for_function("document.documentElement.hasAttribute('data-charts-drawn')")
    facts = tab.page.evaluate(
        """(selector) => ({
            found: document.querySelectorAll(selector).length,
            lang: document.documentElement.lang,
            title: document.title,
            scrollWidth: document.documentElement.scrollWidth,
            innerWidth: window.innerWidth,
        })""",
        selector,
    )
    if expected == "chart-plays":
        expected = demo_site["chart"]["plays"]
    if expected is None:
        assert facts["found"] >= 1, selector
    else:
        assert facts["found"] == expected, selector
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert facts["lang"] == "zh-CN"
    assert facts["title"].endswith("舞萌DX 查分器")
    tab.assert_clean()
    if device == "phone":
        assert facts["innerWidth"] == PHONE_SIZE["width"]
        assert facts["scrollWidth"] <= facts["innerWidth"], name
        tab.screenshot("phone_" + name)


def test_the_rating_shown_is_the_demo_rating(phone, demo_site):
    phone.go("/players/%s/best50" % demo_site["player"])
    assert phone.page.inner_text(".b50-total-value") == str(demo_site["rating"])


@pytest.mark.parametrize("width", [390, 320])
def test_the_charts_fit_inside_their_cards(new_tab, demo_site, width):
    tab = new_tab("phone")
    tab.page.set_viewport_size({"width": width, "height": 844})
    tab.go("/players/%s/charts" % demo_site["player"])
    tab.page.wait_for_function("document.documentElement.hasAttribute('data-charts-drawn')")
    boxes = assert_charts_fit(tab.page)
    assert [box["id"] for box in boxes] == [
        "chart-rating",
        "chart-activity",
        "chart-ranks",
        "chart-fc",
        "chart-fs",
    ]
    assert tab.overflow()["scrollWidth"] <= width
    tab.assert_clean()


def test_the_charts_follow_a_phone_turned_upright(new_tab, demo_site):
    tab = new_tab("phone")
    tab.page.set_viewport_size({"width": 844, "height": 390})
    tab.go("/players/%s/charts" % demo_site["player"])
    page = tab.page
    page.wait_for_function("document.documentElement.hasAttribute('data-charts-drawn')")
    wide = assert_charts_fit(page)
    page.set_viewport_size(PHONE_SIZE)
    # charts.js redraws at the new width a moment after the resize
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll("[data-chart]")).every(box => {
            const canvas = box.querySelector("canvas");
            return canvas && canvas.getBoundingClientRect().width <= box.clientWidth;
        })""",
        timeout=5000,
    )
    narrow = assert_charts_fit(page)
    assert all(box["canvasWidth"] < 400 for box in narrow)
    assert all(box["canvasWidth"] > 700 for box in wide)
    assert tab.overflow()["scrollWidth"] <= PHONE_SIZE["width"]
    tab.assert_clean()


@pytest.mark.parametrize("path", ["songs", "import"])
def test_the_current_tab_is_in_view_on_a_narrow_phone(new_tab, demo_site, path):
    tab = new_tab("phone")
    tab.page.set_viewport_size({"width": 320, "height": 640})
    tab.go("/players/%s/%s" % (demo_site["player"], path))
    box = tab.page.eval_on_selector(
        ".tabs a.active",
        """active => {
            const bar = active.parentNode.getBoundingClientRect();
            const tab = active.getBoundingClientRect();
            return {left: tab.left, right: tab.right, barLeft: bar.left, barRight: bar.right};
        }""",
    )
    assert box["barLeft"] <= box["left"] and box["right"] <= box["barRight"] + 1, box
    tab.assert_clean()


@pytest.mark.parametrize("width", [320, 390])
def test_every_tab_is_on_screen_whole_and_big_enough_to_tap(new_tab, demo_site, width):
    tab = new_tab("phone")
    tab.page.set_viewport_size({"width": width, "height": 640})
    tab.go("/players/%s/diff" % demo_site["player"])
    tabs = tab.page.eval_on_selector_all(
        ".tabs a",
        """links => links.map(link => {
            const box = link.getBoundingClientRect();
            return {label: link.textContent.trim(), left: box.left, right: box.right,
                    top: box.top, height: box.height,
                    clipped: link.scrollWidth > link.clientWidth};
        })""",
    )
    labels = [entry["label"] for entry in tabs]
    assert labels[: len(PLAYER_TABS)] == [label for _, label in PLAYER_TABS]
    for entry in tabs:
        assert entry["left"] >= 0 and entry["right"] <= width, entry
        assert entry["top"] >= 0 and entry["height"] >= 44, entry
        assert not entry["clipped"], entry
    assert tab.overflow()["scrollWidth"] <= width
    tab.assert_clean()
