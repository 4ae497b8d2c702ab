"""The tabs a player's pages share, limited to the features this app has."""

from typing import Any, List, Tuple

from flask import Flask, current_app

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


def nav_links(_player: Any = None) -> List[Tuple[str, str]]:
    """Return the player tabs whose views are registered."""
    views = current_app.view_functions
    return [(endpoint, label) for endpoint, label in PLAYER_TABS if endpoint in views]


def init_app(app: Flask) -> None:
    """Give templates nav_links()."""
    app.jinja_env.globals["nav_links"] = nav_links
