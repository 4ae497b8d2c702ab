"""The tabs a player's pages share, limited to the features this app has."""

from typing import Any, List, Tuple

from flask import Flask, current_app, g, request, url_for
from markupsafe import Markup, escape

from .. import db

#: Each player page, in tab order: (endpoint, label).
PLAYER_TABS = (
    ("players.home", "主页"),
    ("records.plays", "游玩记录"),
    ("diffs.plays", "成绩变化"),
    ("rating.best50", "B50"),
    ("progress.plan", "推分"),
    ("progress.plates", "牌子"),
    ("charts.trends", "图表"),
    ("songs.list", "曲目"),
    ("imports.form", "导入"),
)
#: The tab of titles no chart is linked to, shown while there is something to match.
UNMATCHED_TAB = ("unmatched.list", "未对应")


#: unlinked_exists() and has_unmatched's query, built on first use (with SQLAlchemy) and kept:
#: a statement SQLAlchemy has seen keeps its cache key, one built anew costs as much as running.
_UNMATCHED = []  # type: List[Any]


def unlinked_exists() -> Any:
    """Return EXISTS (a play of the parameter player_id with no chart linked), built once."""
    if not _UNMATCHED:
        from sqlalchemy import bindparam, exists, select  # with the first page

        from ..tables import play

        unlinked = exists().where(
            play.c.player_id == bindparam("player_id"), play.c.chart_id.is_(None)
        )
        _UNMATCHED.extend((unlinked, select(unlinked)))
    return _UNMATCHED[0]


def has_unmatched(player: Any) -> bool:
    """Tell whether any of the player's plays has no chart linked, once per request."""
    known = g.setdefault("_has_unmatched", {})
    if player.id not in known:
        unlinked_exists()
        if request.method in db.READING_METHODS:  # a raw read: nothing of this request unseen
            found = db.database().read_rows(_UNMATCHED[1], player_id=player.id)[0][0]
        else:
            found = db.session().execute(_UNMATCHED[1], {"player_id": player.id}).scalar()
        known[player.id] = bool(found)
    return known[player.id]


def note_unmatched(player_id: int, unmatched: bool) -> None:
    """Tell the tabs whether any of the player's plays is unlinked, as a view found out."""
    g.setdefault("_has_unmatched", {})[player_id] = unmatched


def nav_links(player: Any = None) -> List[Tuple[str, str]]:
    """Return the player tabs whose views are registered, 未对应 while plays are unlinked."""
    views = current_app.view_functions
    tabs = [(endpoint, label) for endpoint, label in PLAYER_TABS if endpoint in views]
    endpoint = UNMATCHED_TAB[0]
    shown = player is not None and endpoint in views
    if shown and (request.endpoint == endpoint or has_unmatched(player)):
        tabs.append(UNMATCHED_TAB)
    return tabs


#: A player's tabs as the nav writes them; the page's own is marked.
TAB = '<a href="%s">%s</a>'
ACTIVE_TAB = '<a href="%s" class="active" aria-current="page">%s</a>'
#: Where an app keeps the tabs it wrote, and how many at most (one per player and page).
EXTENSION = "maimai_probe.player_tabs"
MAX_TABS = 2048


def player_tabs(player: Any) -> Markup:
    """Return the player's tabs, the current page's marked: written once per player and page.

    Their links depend only on the player's name and where the app is mounted.
    """
    tabs = nav_links(player)
    endpoint = request.endpoint
    written = current_app.extensions.setdefault(EXTENSION, {})
    key = (request.script_root, player.name, endpoint, tuple(tabs))
    found = written.get(key)
    if found is None:
        if len(written) >= MAX_TABS:
            written.clear()
        found = written[key] = Markup(  # noqa: S704 - each value escaped here
            "\n      ".join(
                (ACTIVE_TAB if tab == endpoint else TAB)
                % (escape(url_for(tab, name=player.name)), escape(label))
                for tab, label in tabs
            )
        )
    return found


def init_app(app: Flask) -> None:
    """Give templates nav_links() and player_tabs()."""
    app.jinja_env.globals["nav_links"] = nav_links
    app.jinja_env.globals["player_tabs"] = player_tabs
