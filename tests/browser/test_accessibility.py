"""axe-core finds no WCAG 2 A/AA violation on any page, in the light theme and the dark one.

axe-core comes from npm (tests/browser/package.json; scripts/test runs `npm ci` there) and is
injected into each page after it loads; the context bypasses the Content-Security-Policy only
so that this one script may run, the pages themselves are as served.
"""

import json
import os

import pytest

from .browsing import DEVICES, Tab, require
from .test_pages import PAGES, path_of

pytestmark = pytest.mark.browser

AXE = os.path.join(os.path.dirname(__file__), "node_modules", "axe-core", "axe.min.js")

#: Pages beyond the demo player's tabs whose look differs: a filtered list, an empty state.
EXTRA_PAGES = [
    ("plays-filtered", "/players/{player}/plays?difficulty=3&kind=DX"),
    ("diff-improved", "/players/{player}/diff?improved=1"),
    ("catalog-search", "/songs?q=%E6%A8%B1"),
    ("no-plays", "/players/{player}/plays?title=%E6%B2%A1%E6%9C%89%E8%BF%99%E9%A6%96"),
    ("not-found", "/players/nobody-here/"),
]

ALL_PAGES = [(name, template) for name, template, _, _ in PAGES] + EXTRA_PAGES


@pytest.fixture(scope="module")
def axe_source() -> str:
    """Return axe-core's script, or skip (fail under CI) where npm did not install it."""
    require(os.path.exists(AXE), "axe-core is not installed (cd tests/browser && npm ci)")
    with open(AXE, encoding="utf-8") as stream:
        return stream.read()


@pytest.fixture(scope="module")
def themed(browser):
    """Return a maker of a tab per (device, theme), one context each, closed at the end."""
    made = {}

    def make(device: str, theme: str, base: str) -> Tab:
        key = (device, theme)
        if key not in made:
            options = dict(DEVICES[device], color_scheme=theme, bypass_csp=True)
            made[key] = browser.new_context(**options)
        return Tab(made[key].new_page(), base)

    yield make
    for context in made.values():
        context.close()


def violations(tab: Tab, axe_source: str) -> list:
    """Run axe-core on the tab's page; return each violation with the places it was found."""
    tab.page.add_script_tag(content=axe_source)
    found = tab.page.evaluate(
        """() => axe.run(document, {runOnly: {type: "tag",
                values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
            .then(result => result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: "
                    + (n.failureSummary || "").replace(/\\s+/g, " ").slice(0, 200)),
            })))"""
    )
    return found


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("device", ["phone", "desktop"])
@pytest.mark.parametrize("name, template", ALL_PAGES, ids=[page[0] for page in ALL_PAGES])
def test_no_accessibility_violation(themed, demo_site, axe_source, theme, device, name, template):
    tab = themed(device, theme, demo_site["base"])
    try:
        status = 404 if name == "not-found" else 200
        tab.go(path_of(template, demo_site), status=status)
        if "charts" in template:
            tab.page.wait_for_function("document.documentElement.hasAttribute('data-charts-drawn')")
        dark = tab.page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
        assert dark == (theme == "dark")
        found = violations(tab, axe_source)
        assert found == [], json.dumps(found, ensure_ascii=False, indent=1)
    finally:
        tab.page.close()


def test_the_dark_theme_darkens_the_page(themed, demo_site):
    colours = {}
    for theme in ("light", "dark"):
        tab = themed("phone", theme, demo_site["base"])
        tab.go("/players/%s/" % demo_site["player"])
        colours[theme] = tab.page.evaluate(
            """() => [getComputedStyle(document.body).backgroundColor,
                      getComputedStyle(document.body).color]"""
        )
        tab.page.close()
    assert colours["light"][0] == "rgb(244, 246, 251)"
    assert colours["dark"][0] == "rgb(17, 20, 27)"
    assert colours["dark"][1] == "rgb(231, 234, 243)"
