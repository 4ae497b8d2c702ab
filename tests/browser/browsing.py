"""Helpers for the browser tests: Debian's Chromium, the app on a local port, a watched tab."""

import contextlib
import os
import shutil
import threading
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest
from sqlalchemy import func, select
from werkzeug.serving import WSGIRequestHandler, make_server

from conftest import db_of, settings
from maimai_probe import create_app
from maimai_probe.models import Play, Player

#: Debian's chromium, headless as root, kept off the network it cannot reach here.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

WECHAT_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI "
    "Language/zh_CN"
)
PHONE_SIZE = {"width": 390, "height": 844}
DESKTOP_SIZE = {"width": 1280, "height": 900}

#: new_context() arguments: WeChat on a phone, and a desktop browser.
PHONE = {
    "viewport": PHONE_SIZE,
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": WECHAT_UA,
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}
DESKTOP = {"viewport": DESKTOP_SIZE, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
DEVICES = {"phone": PHONE, "desktop": DESKTOP}

# Records Content-Security-Policy violations on the page itself: a console message's wording
# may change between Chromium versions, the event does not.
CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || ""));
});
"""


def in_ci() -> bool:
    """Tell whether CI=true, where a missing browser fails instead of skipping."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def require(found: Any, reason: str) -> None:
    """Skip without the browser; under CI=true, where it must be installed, fail instead."""
    if found:
        return
    if in_ci():
        pytest.fail("CI=true: " + reason, pytrace=False)
    pytest.skip(reason)


def chromium_path() -> Optional[str]:
    """Return Debian's Chromium, or the one CHROMIUM names."""
    return (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )


class QuietHandler(WSGIRequestHandler):
    """Serve without a log line per request."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


@contextlib.contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve an app on a free port of 127.0.0.1 in a thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield "http://127.0.0.1:%d" % server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


class Tab:
    """A page with everything that went wrong on it and every URL it asked for."""

    def __init__(self, page: Any, base: str) -> None:
        self.page = page
        self.base = base
        self.problems = []  # type: List[str]
        self.fetched = []  # type: List[str]
        page.add_init_script(CSP_WATCH)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append("page error: %s" % error))
        page.on("dialog", self._dialog)
        page.on("request", lambda request: self.fetched.append(request.url))
        page.on(
            "requestfailed",
            lambda request: self.problems.append(
                "request failed: %s (%s)" % (request.url, request.failure)
            ),
        )
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.problems.append("console: " + message.text)

    def _dialog(self, dialog: Any) -> None:
        # A listened-to dialog stays open until answered, and would hold up the page.
        self.problems.append("dialog: " + dialog.message)
        dialog.dismiss()

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.problems.append("HTTP %d: %s" % (response.status, response.url))

    def go(self, path: str, status: int = 200) -> Any:
        """Open a path of the site, check the status, and wait until it has loaded."""
        response = self.page.goto(self.base + path)
        assert response.status == status, (path, response.status)
        self.page.wait_for_load_state("load")
        return response

    def elsewhere(self) -> List[str]:
        """Return the URLs asked for outside the site (data: URLs are the page's own)."""
        return [
            url
            for url in self.fetched
            if not url.startswith(self.base + "/") and not url.startswith("data:")
        ]

    def csp_violations(self) -> List[str]:
        """Return what the Content-Security-Policy blocked on the current page."""
        return self.page.evaluate("window.__cspViolations || []")

    def overflow(self) -> Dict[str, int]:
        """Return the document's scroll width and the window's width."""
        return self.page.evaluate(
            "({scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth})"
        )

    def assert_clean(self) -> None:
        """Assert nothing went wrong, nothing was blocked and nothing came from elsewhere."""
        assert self.problems == []
        assert self.csp_violations() == []
        assert self.elsewhere() == []

    def screenshot(self, name: str) -> None:
        """Save a full-page screenshot as SCREENSHOT_DIR/NAME.png when SCREENSHOT_DIR is set."""
        folder = os.environ.get("SCREENSHOT_DIR")
        if folder:
            os.makedirs(folder, exist_ok=True)
            self.page.screenshot(path=os.path.join(folder, name + ".png"), full_page=True)


def chart_boxes(page: Any) -> List[Dict[str, Any]]:
    """Return each chart box: its data attributes and the places of its parts on the screen.

    Each place is [left, right] in CSS pixels; `card` is the content box of the card around
    the chart (inside its padding), which everything drawn must stay within.
    """
    return page.evaluate(
        """() => Array.from(document.querySelectorAll("[data-chart]")).map(box => {
            const span = element => {
                if (!element) { return null; }
                const rect = element.getBoundingClientRect();
                return [rect.left, rect.right];
            };
            const canvas = box.querySelector("canvas");
            const card = box.closest(".card");
            const style = getComputedStyle(card);
            const outer = card.getBoundingClientRect();
            return {
                id: box.getAttribute("data-chart"),
                drawn: box.getAttribute("data-drawn"),
                label: box.getAttribute("aria-label"),
                box: span(box),
                boxWidth: box.clientWidth,
                canvas: span(canvas),
                canvasWidth: canvas ? canvas.getBoundingClientRect().width : 0,
                canvasHeight: canvas ? canvas.getBoundingClientRect().height : 0,
                plot: span(box.querySelector(".uplot")),
                legend: span(box.querySelector(".u-legend")),
                legendParts: Array.from(box.querySelectorAll(".u-legend th, .u-legend td"))
                    .map(span),
                card: [
                    outer.left + parseFloat(style.paddingLeft),
                    outer.right - parseFloat(style.paddingRight),
                ],
            };
        })"""
    )


def assert_charts_fit(page: Any) -> List[Dict[str, Any]]:
    """Assert every chart is drawn and fits its card: canvas, axes and legend, nothing cut off."""
    boxes = chart_boxes(page)
    assert boxes, "no charts on the page"
    for box in boxes:
        left, right = box["card"]
        assert box["drawn"] == "1", box
        assert box["canvas"] is not None, box
        # The canvas holds the axes: inside the card, and as wide as its box, not clipped by it.
        assert left - 0.5 <= box["canvas"][0] and box["canvas"][1] <= right + 0.5, box
        assert box["canvas"][1] <= box["box"][1] + 0.5, box
        assert box["canvasWidth"] >= box["boxWidth"] * 0.9, box
        assert box["canvasHeight"] >= 150, box
        for part in [box["plot"], box["legend"]] + box["legendParts"]:
            assert part is not None and left - 0.5 <= part[0] and part[1] <= right + 0.5, box
    return boxes


def demo_plays(demo_site: Dict[str, Any], *conditions: Any) -> int:
    """Count the demo player's plays in the database, of those that meet the conditions."""
    session = db_of(demo_site["app"]).session()
    try:
        return session.scalar(
            select(func.count())
            .select_from(Play)
            .join(Player, Player.id == Play.player_id)
            .where(Player.name == demo_site["player"], *conditions)
        )
    finally:
        session.close()


@contextlib.contextmanager
def serving_filled(folder: Any, fill: Callable[[Any], None]) -> Iterator[str]:
    """Serve an app on a new SQLite file in a folder once fill(session) wrote its rows."""
    app = create_app(settings("sqlite:///%s" % os.path.join(str(folder), "site.sqlite3")))
    session = db_of(app).session()
    try:
        fill(session)
    finally:
        session.close()
    try:
        with serving(app) as base:
            yield base
    finally:
        db_of(app).dispose()


@contextlib.contextmanager
def phone_tab(browser: Any, base: str) -> Iterator[Tab]:
    """Open a watched tab of WeChat on a phone in a context of its own; close it after."""
    context = browser.new_context(**PHONE)
    try:
        yield Tab(context.new_page(), base)
    finally:
        context.close()
