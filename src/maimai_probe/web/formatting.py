"""Template filters that show the game's numbers the way the game does."""

import datetime
import functools
from typing import Optional

from flask import Flask

from .. import game


def local_time(
    unix_time: Optional[int],
    utc_offset: int = game.CHINA_UTC_OFFSET,
    pattern: str = "%Y/%m/%d %H:%M",
) -> str:
    """Format a Unix time in the time zone it was played in."""
    if unix_time is None:
        return ""
    return datetime.datetime.fromtimestamp(unix_time, time_zone(utc_offset)).strftime(pattern)


@functools.lru_cache(maxsize=64)
def time_zone(utc_offset: int) -> datetime.timezone:
    """Return the fixed time zone of a UTC offset in minutes."""
    return datetime.timezone(datetime.timedelta(minutes=utc_offset))


def thousands(number: Optional[int]) -> str:
    """Format a count with thousands separators: 12,345."""
    if number is None:
        return ""
    return f"{number:,}"


def signed_achievement(delta: Optional[int]) -> str:
    """Format an achievement difference: +0.1234%."""
    if delta is None:
        return ""
    sign = "+" if delta >= 0 else "-"
    return sign + game.achievement_text(abs(delta))


def signed(number: Optional[int]) -> str:
    """Format a difference with its sign: +12, -3, ±0."""
    if number is None:
        return ""
    if number == 0:
        return "±0"
    return "%+d" % number


def trend(delta: Optional[int]) -> str:
    """Name a difference's direction for its CSS class: up, down or level."""
    if delta is None or delta == 0:
        return "level"
    return "up" if delta > 0 else "down"


def mark_spans(fc: int, fs: int) -> tuple:
    """Return the FC and FS mark spans of a card ('' where it has none), as the cards write them."""
    return (
        '<span class="mark fc-%s">%s</span>' % (game.FC_CODES[fc], game.FC_LABELS.get(fc, ""))
        if fc
        else "",
        '<span class="mark fs-%s">%s</span>' % (game.FS_CODES[fs], game.FS_LABELS.get(fs, ""))
        if fs
        else "",
    )


def init_app(app: Flask) -> None:
    """Give templates the filters and the game's vocabulary."""
    app.jinja_env.filters.update(
        achievement=game.achievement_text,
        signed_achievement=signed_achievement,
        signed=signed,
        thousands=thousands,
        trend=trend,
        local_time=local_time,
        rank_label=lambda code: game.RANK_LABELS.get(code, code or ""),
        difficulty_name=lambda index: game.DIFFICULTY_NAMES.get(index, str(index)),
        difficulty_slug=lambda index: game.DIFFICULTY_SLUGS.get(index, "unknown"),
        kind_label=lambda kind: game.KIND_LABELS.get(kind, kind),
        fc_label=lambda mark: game.FC_LABELS.get(mark, ""),
        fs_label=lambda mark: game.FS_LABELS.get(mark, ""),
        rating_band=game.rating_band,
    )
    app.jinja_env.globals["game"] = game
