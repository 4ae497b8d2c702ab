"""Fixtures for the browser tests: one Chromium for the package, the demo site per module."""

import sys
import time
from typing import Any, Callable, Dict, Iterator
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from conftest import db_of, settings
from maimai_probe import create_app, demo_data
from maimai_probe.models import Play, Player

from .browsing import CHROMIUM_ARGS, DEVICES, Tab, chromium_path, require, serving


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """Start headless Chromium through Playwright, never downloading a browser.

    Package scope: Playwright's sync API keeps an event loop on this thread while it runs, so
    it stops before the rest of the suite.
    """
    executable = chromium_path()
    require(executable, "Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if sys.version_info < (3, 8):
            pytest.skip("Playwright needs Python 3.8+: the current-Python pass runs the browser")
        require(False, "Playwright is not installed (pip install -r requirements-dev.txt)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def demo_site(browser, tmp_path_factory) -> Iterator[Dict[str, Any]]:
    """Serve an app on SQLite seeded with the demo player; one per module, so each starts alike."""
    path = tmp_path_factory.mktemp("demo_site") / "demo.sqlite3"
    app = create_app(settings("sqlite:///%s" % path))
    session = db_of(app).session()
    seeded = demo_data.seed(session, int(time.time()))
    title, kind, difficulty, count = session.execute(
        select(Play.title, Play.kind, Play.difficulty, func.count())
        .join(Player, Player.id == Play.player_id)
        .where(Player.name == seeded.player)
        .group_by(Play.title, Play.kind, Play.difficulty)
        .order_by(func.count().desc(), Play.title)
        .limit(1)
    ).one()
    session.close()
    chart = urlencode({"title": title, "kind": kind, "difficulty": difficulty})
    with serving(app) as base:
        yield {
            "app": app,
            "base": base,
            "player": seeded.player,
            "token": seeded.token,
            "plays": seeded.plays,
            "rating": seeded.rating,
            "chart": {"query": chart, "title": title, "plays": count},
        }
    db_of(app).dispose()


@pytest.fixture(scope="module")
def contexts(browser) -> Iterator[Dict[str, Any]]:
    """Return the module's browser contexts, one per device, made when first asked for."""
    made = {}  # type: Dict[str, Any]
    yield made
    for context in made.values():
        context.close()


@pytest.fixture
def new_tab(browser, contexts, demo_site) -> Iterator[Callable[..., Tab]]:
    """Return a maker of watched tabs on the demo site: "phone" (WeChat, 390 px) or "desktop".

    Tabs share their device's context (and cookies) within a module; own_context=True gives a
    tab a context of its own, for tests of what a browser remembers.
    """
    pages, own = [], []

    def make(device: str = "phone", own_context: bool = False) -> Tab:
        options = DEVICES[device]
        if own_context:
            context = browser.new_context(**options)
            own.append(context)
        else:
            if device not in contexts:
                contexts[device] = browser.new_context(**options)
            context = contexts[device]
        page = context.new_page()
        pages.append(page)
        return Tab(page, demo_site["base"])

    yield make
    for page in pages:
        page.close()
    for context in own:
        context.close()


@pytest.fixture
def phone(new_tab) -> Tab:
    """Return a tab of WeChat on a 390 px phone, on the demo site."""
    return new_tab("phone")


@pytest.fixture
def desktop(new_tab) -> Tab:
    """Return a tab of a 1280 px desktop browser, on the demo site."""
    return new_tab("desktop")
