"""The record page's filter form and pager, used with taps in WeChat on a phone."""

import pytest

from maimai_probe import game
from maimai_probe.models import Play

from .browsing import demo_plays

pytestmark = pytest.mark.browser

CARDS = """() => Array.from(document.querySelectorAll("article.play")).map(card => ({
    classes: card.className,
    difficulty: card.querySelector(".play-diff").textContent.trim(),
    key: card.querySelector("time").getAttribute("datetime") + " "
        + (card.querySelector(".track") || {textContent: ""}).textContent + " "
        + card.querySelector(".play-title").textContent.trim(),
}))"""


def test_filtering_by_difficulty_then_paging_older(phone, demo_site):
    expected = demo_plays(demo_site, Play.difficulty == game.EXPERT)
    assert expected > 100  # three pages of 50 at least, or the pager is not exercised
    page = phone.page
    phone.go("/players/%s/plays" % demo_site["player"])
    assert page.locator("article.play").count() == 50

    page.tap("details.filters > summary")
    page.tap("label.chip.diff-expert")
    assert page.is_checked("input[name=difficulty][value='%d']" % game.EXPERT)
    with page.expect_navigation():
        page.tap(".filter-form button[type=submit]")
    assert "difficulty=%d" % game.EXPERT in page.url
    assert ("符合条件 %d 次" % expected) in page.inner_text(".page-head")
    # The panel folds away; the filter shows as a chip and the results start on screen.
    assert page.get_attribute("details.filters", "open") is None
    assert page.inner_text(".applied-filters").split() == ["EXPERT", "×", "全部清除"]
    assert page.locator("article.play").first.bounding_box()["y"] < 844
    assert page.is_checked("input[name=difficulty][value='%d']" % game.EXPERT)

    seen, pages = [], []
    while True:
        cards = page.evaluate(CARDS)
        assert cards, page.url
        for card in cards:
            assert "diff-expert" in card["classes"].split(), card
            assert card["difficulty"].split()[0] == "EXPERT", card
        pages.append([card["key"] for card in cards])
        seen.extend(card["key"] for card in cards)
        older = page.locator("nav.pager a[rel=next]")
        if older.count() == 0:
            break
        assert older.inner_text().strip() == "较旧 ›"
        with page.expect_navigation():
            older.tap()
        assert "difficulty=%d" % game.EXPERT in page.url and "before=" in page.url
    full, rest = divmod(expected, 50)
    assert [len(keys) for keys in pages] == [50] * full + ([rest] if rest else [])
    assert len(set(seen)) == expected  # no play twice, none left out
    assert seen == sorted(seen, reverse=True)  # newest first, across pages
    assert page.locator("nav.pager span.disabled").inner_text().strip() == "较旧 ›"

    with page.expect_navigation():
        page.locator("nav.pager a[rel=prev]").tap()
    assert [card["key"] for card in page.evaluate(CARDS)] == pages[-2]
    phone.assert_clean()
