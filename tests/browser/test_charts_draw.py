"""The charts draw in headless Chromium at phone width, from our own site only, without errors."""

import os
import shutil
import sys
import threading
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select
from werkzeug.serving import WSGIRequestHandler, make_server

from chart_data import add_history, add_player, load_catalog, play_row
from conftest import db_of, settings
from maimai_probe import create_app
from maimai_probe.models import Play

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
HOSTILE = "</script><script>alert(1)</script>"


def require(found, reason):
    """Skip without the browser; under CI=true, where it must be installed, fail instead."""
    if found:
        return
    if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
        pytest.fail("CI=true: " + reason, pytrace=False)
    pytest.skip(reason)


def chromium_path():
    """Return Debian's Chromium, or the one CHROMIUM names."""
    return (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )


class QuietHandler(WSGIRequestHandler):
    """Serve without a log line per request."""

    def log_request(self, *args, **kwargs):
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
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
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = "http://127.0.0.1:%d" % server.server_port
    yield {
        "base": base,
        "chart": "/players/alice/charts/chart?"
        + urlencode({"title": title, "kind": kind, "difficulty": difficulty}),
        "hostile": "/players/alice/charts/chart?"
        + urlencode({"title": HOSTILE, "kind": "DX", "difficulty": 0}),
    }
    server.shutdown()
    thread.join(5)
    db_of(app).engine.dispose()


@pytest.fixture(scope="module")
def browser():
    """Start headless Chromium through Playwright, never downloading a browser."""
    executable = chromium_path()
    require(executable, "Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if sys.version_info < (3, 8):
            pytest.skip("Playwright needs Python 3.8+: the current-Python pass draws the charts")
        require(False, "Playwright is not installed (pip install -r requirements-dev.txt)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield launched
        launched.close()


def visit(browser, site, path):
    """Open a page as a phone would; return it with what went wrong and what it fetched."""
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    page = context.new_page()
    problems, fetched = [], []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append("page error: %s" % error))
    page.on("dialog", lambda dialog: problems.append("dialog: " + dialog.message))
    page.on("requestfailed", lambda request: problems.append("failed: " + request.url))
    page.on("request", lambda request: fetched.append(request.url))
    response = page.goto(site["base"] + path)
    assert response.status == 200
    return page, problems, fetched


def boxes(page):
    """Return each chart box: its data attributes, canvas and place on the screen."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll("[data-chart]")).map(box => {
            const canvas = box.querySelector("canvas");
            const rect = box.getBoundingClientRect();
            return {
                id: box.getAttribute("data-chart"),
                drawn: box.getAttribute("data-drawn"),
                label: box.getAttribute("aria-label"),
                canvasWidth: canvas ? canvas.getBoundingClientRect().width : 0,
                canvasHeight: canvas ? canvas.getBoundingClientRect().height : 0,
                left: rect.left,
                right: rect.right,
            };
        })"""
    )


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
def test_every_chart_draws_inside_a_phone_screen(browser, site, page_name, expected):
    path = site.get(page_name, page_name)
    page, problems, fetched = visit(browser, site, path)
    page.wait_for_function("document.documentElement.hasAttribute('data-charts-drawn')")
    page.wait_for_timeout(300)  # let a resize settle, as it would after the page loads
    drawn = boxes(page)
    assert [box["id"] for box in drawn] == expected
    for box in drawn:
        assert box["drawn"] == "1", box
        assert box["label"], box
        assert 200 <= box["canvasWidth"] <= box["right"] - box["left"] + 0.5, box
        assert box["canvasHeight"] >= 150, box
        assert box["left"] >= 0 and box["right"] <= PHONE["width"], box
    assert page.get_attribute("html", "data-charts-drawn") == str(len(expected))
    assert page.get_attribute("html", "data-chart-errors") is None
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert problems == []
    assert all(url.startswith(site["base"] + "/") for url in fetched), fetched
    shots = os.environ.get("SCREENSHOT_DIR")
    if shots:
        name = page_name.strip("/").replace("/", "_")
        page.screenshot(path=os.path.join(shots, name + ".png"), full_page=True)
    page.context.close()


def test_a_hostile_title_shows_as_text(browser, site):
    page, problems, _ = visit(browser, site, site["hostile"])
    page.wait_for_function("document.documentElement.hasAttribute('data-charts-drawn')")
    assert page.inner_text("h1") == HOSTILE
    assert page.get_attribute("[data-chart=chart-achievement]", "aria-label").startswith(HOSTILE)
    assert problems == []
    page.context.close()


def test_the_song_list_runs_no_script_and_fits(browser, site):
    page, problems, fetched = visit(browser, site, "/players/alice/songs?sort=achievement")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.locator(".song-row").count() == 50
    assert problems == []
    assert not [url for url in fetched if url.endswith(".js")]
    page.context.close()
