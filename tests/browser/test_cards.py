"""The demo player's B50 and song cards, laid out as players expect on a phone and a desktop."""

import pytest

pytestmark = pytest.mark.browser

COLUMNS = """(selector) => {
    const tops = Array.from(document.querySelectorAll(selector))
        .map(card => Math.round(card.getBoundingClientRect().top));
    return tops.filter(top => top === tops[0]).length;
}"""


@pytest.mark.parametrize("device, columns", [("phone", 2), ("desktop", 5)])
def test_the_best_50_is_a_grid_of_jacket_cards(new_tab, demo_site, device, columns):
    tab = new_tab(device)
    tab.go("/players/%s/best50" % demo_site["player"])
    assert tab.page.locator("#b35 .b50-card").count() == 35
    assert tab.page.locator("#b15 .b50-card").count() == 15
    assert tab.page.evaluate(COLUMNS, "#b35 .b50-card") == columns
    assert tab.page.locator(".b50-card .jacket").count() == 50
    assert tab.page.locator("#b35 .b50-card.b50-floor").count() == 1
    assert tab.overflow()["scrollWidth"] <= tab.overflow()["innerWidth"]
    tab.assert_clean()


def test_a_best_50_card_opens_its_chart_page(phone, demo_site):
    phone.go("/players/%s/best50" % demo_site["player"])
    title = phone.page.text_content("#b35 .b50-card >> nth=0 >> .b50-title")
    with phone.page.expect_navigation():
        phone.page.click("#b35 .b50-card >> nth=0 >> .b50-title")
    assert "/charts/" in phone.page.url
    assert phone.page.text_content("h1.chart-title") == title
    assert phone.page.locator(".song-switcher a[aria-current=page]").count() == 1
    phone.assert_clean()


def test_the_switcher_opens_the_songs_other_difficulties(phone, demo_site):
    phone.go("/players/%s/best50" % demo_site["player"])
    with phone.page.expect_navigation():
        phone.page.click("#b35 .b50-card >> nth=0 >> .b50-title")
    tabs = phone.page.locator(".song-switcher a")
    assert tabs.count() >= 4
    first = tabs.nth(0)
    label = first.locator(".song-tab-diff").inner_text()
    with phone.page.expect_navigation():
        first.click()
    current = phone.page.locator(".song-switcher a[aria-current=page] .song-tab-diff")
    assert current.inner_text() == label
    assert all(
        box["height"] >= 44
        for box in phone.page.evaluate(
            "() => Array.from(document.querySelectorAll('.song-switcher a'))"
            ".map(tab => ({height: tab.getBoundingClientRect().height}))"
        )
    )
