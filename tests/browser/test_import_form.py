"""The import form in WeChat on a phone: paste a record page, type the token, see the result."""

import pytest

from conftest import PAGES, SHARED_FIXTURES
from maimai_probe.parsing.detect import parse_page

from .browsing import demo_plays

pytestmark = pytest.mark.browser

FORBIDDEN = "导入令牌不正确：请检查后重新输入。"


@pytest.fixture(scope="module")
def record_page():
    """Return a record page's text and its plays: the real one when ../shared has it."""
    real = SHARED_FIXTURES / "maimai-mobile" / "record.html"
    path = real if real.exists() else PAGES / "record_cn.html"
    text = path.read_text(encoding="utf-8")
    plays = len(parse_page(text).plays)
    assert plays > 0
    return {"text": text, "plays": plays}


def paste(tab, text):
    """Paste text into the form's text box from the clipboard, as a person would."""
    page = tab.page
    # Typing it instead (fill) takes Chromium seconds per 10 kB; a paste is one edit.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=tab.base)
    page.evaluate("(text) => navigator.clipboard.writeText(text)", text)
    page.tap("textarea[name=html]")
    page.keyboard.press("Control+V")
    pasted = page.input_value("textarea[name=html]")
    assert pasted == text.replace("\r\n", "\n")


def submit(tab, html, token=None):
    """Paste a page into the form, type the token when given, tap 导入; return the response."""
    page = tab.page
    paste(tab, html)
    if token is not None:
        page.locator("#import-token").press_sequentially(token)
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.tap(".import-form button[type=submit]")
    page.wait_for_load_state("load")
    return posted.value


def test_a_pasted_record_page_is_imported_once(new_tab, demo_site, record_page):
    before = demo_plays(demo_site)
    tab = new_tab("phone", own_context=True)
    page = tab.page
    tab.go("/players/%s/import" % demo_site["player"])
    assert page.get_attribute("#import-token", "type") == "password"

    response = submit(tab, record_page["text"], demo_site["token"])
    assert response.status == 200
    summary = page.inner_text(".import-summary")
    assert "新增 %d 次游玩" % record_page["plays"] in summary, summary
    assert "已有 0" in summary, summary
    assert page.inner_text(".import-file .import-page") == "最近游玩记录"
    assert demo_plays(demo_site) == before + record_page["plays"]

    # Again, as someone would after a moment: the device remembers the token.
    with page.expect_navigation():
        page.get_by_role("link", name="继续导入").tap()
    assert page.get_attribute("#import-token", "placeholder") == "这台设备已记住令牌，可以留空"
    response = submit(tab, record_page["text"])
    assert response.status == 200
    summary = page.inner_text(".import-summary")
    assert "新增 0" in summary, summary
    assert "已有 %d 次游玩" % record_page["plays"] in summary, summary
    assert demo_plays(demo_site) == before + record_page["plays"]
    tab.assert_clean()
    tab.screenshot("phone_import_result")


def test_a_wrong_token_is_refused(new_tab, demo_site, record_page):
    before = demo_plays(demo_site)
    tab = new_tab("phone", own_context=True)
    tab.go("/players/%s/import" % demo_site["player"])

    response = submit(tab, record_page["text"], "not-the-token")
    assert response.status == 403
    assert tab.page.inner_text(".import-error") == FORBIDDEN
    assert tab.page.get_attribute(".import-error", "role") == "alert"
    # What was pasted is still there to send again with the right token; the token is not.
    assert tab.page.input_value("textarea[name=html]") == record_page["text"].replace("\r\n", "\n")
    assert tab.page.input_value("#import-token") == ""
    assert demo_plays(demo_site) == before
    # The 403 itself is all that went wrong: Chromium logs a refused page as an error.
    assert tab.problems
    assert all("403" in problem for problem in tab.problems), tab.problems
    assert tab.elsewhere() == []
    assert tab.csp_violations() == []
    tab.screenshot("phone_import_refused")
