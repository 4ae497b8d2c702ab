"""Find the player a page is of: one light read of the row, no session, no ORM."""

from typing import Any, Callable, NamedTuple, NoReturn, Optional, Tuple

from flask import abort, g
from sqlalchemy import bindparam, select

from .. import db, tables
from ..web import page_cache


class PlayerRow(NamedTuple):
    """A player's row as pages that only read show it: no ORM object, no session."""

    id: int
    name: str
    token_hash: Optional[str]
    created_at: int
    revision: int


#: A player's row, read without a session before a kept page is looked for.
PLAYER_ROW = select(*(tables.player.c[field] for field in PlayerRow._fields)).where(
    tables.player.c.name == bindparam("name")
)
#: Where this request keeps the rows player_version read, by name.
_READ_ROWS = "_player_rows"


def player_version(name: str, **_view_args: Any) -> Optional[Tuple[int, int]]:
    """Return a player's (id, revision) by one light read, or None when it cannot tell.

    The row is kept for shown_player and player_or_404, so a page rendered anew does not
    read it again.
    """
    if not plausible_name(name):
        return None
    row = db.database().read_row(PLAYER_ROW, name=name)
    if row is None:
        return None
    g.setdefault(_READ_ROWS, {})[name] = row
    fields = PlayerRow._make(row)
    return fields.id, fields.revision


def player_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """Keep a player's page, finding a kept copy by the player's revision before the view runs."""
    return page_cache.cached(view, version=player_version)


def plausible_name(name: str) -> bool:
    """Tell whether a player could have this name at all."""
    return bool(name) and len(name) <= 32 and "\x00" not in name


def not_found(name: str) -> NoReturn:
    """Answer 404 in Chinese for a player name."""
    abort(404, description="找不到玩家「%s」。" % name[:32].replace("\x00", ""))


def shown_player(name: str) -> PlayerRow:
    """Return the row of the player a read-only page shows, or answer 404: no session opened.

    The page cache's light read has usually read it already; otherwise one raw read does.
    """
    if not plausible_name(name):
        not_found(name)
    row = g.get(_READ_ROWS, {}).pop(name, None)  # the light read's, once
    if row is None:
        rows = db.database().read_rows(PLAYER_ROW, name=name)
        if not rows:
            not_found(name)
        row = rows[0]
    player = PlayerRow._make(row)
    page_cache.depends_on(player.id, player.revision)
    return player
