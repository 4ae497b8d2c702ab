"""Draw a chart's kept jacket, or a placeholder in its difficulty's colour, in any template."""

import functools
from typing import Dict, NamedTuple, Optional

from flask import Flask, g, url_for
from markupsafe import Markup, escape

from .. import game


class Kept(NamedTuple):
    """The digests of the jackets one page shows, by name, song and chart."""

    by_name: Dict[str, str]
    by_song: Dict[int, str]
    by_chart: Dict[int, str]

    def digest(
        self, name: Optional[str] = None, song: Optional[int] = None, chart: Optional[int] = None
    ) -> Optional[str]:
        """Return the kept jacket's digest: the page's own image first, then the song's."""
        return (
            (name and self.by_name.get(name))
            or (song is not None and self.by_song.get(song))
            or (chart is not None and self.by_chart.get(chart))
            or None
        )


NOTHING_KEPT = Kept({}, {}, {})


def show(found: Kept) -> None:
    """Tell this request's pages which jackets are kept, found by one query in the view."""
    g.jackets = found


def draw(
    title: str,
    difficulty: Optional[int] = None,
    name: Optional[str] = None,
    song: Optional[int] = None,
    chart: Optional[int] = None,
    size: int = 56,
) -> Markup:
    """Return a chart's kept jacket, or a placeholder in its difficulty's colour."""
    return draw_from(kept_jackets(), title, difficulty, name, song, chart, size)


def kept_jackets() -> Kept:
    """Return the jackets this request's view found kept."""
    return g.get("jackets", NOTHING_KEPT)


def draw_from(
    found: Kept,
    title: str,
    difficulty: Optional[int] = None,
    name: Optional[str] = None,
    song: Optional[int] = None,
    chart: Optional[int] = None,
    size: int = 56,
) -> Markup:
    """Draw a jacket from jackets found kept: for a page of cards, looked up once."""
    digest = found.digest(name, song, chart)
    if digest:
        # Markup's % would escape each argument: here the URL is escaped, the rest integers.
        url = escape(jacket_url(digest))
        return Markup(IMAGE % (url, int(size), int(size)))  # noqa: S704 - escaped above
    slug = game.DIFFICULTY_SLUGS.get(difficulty, "none") if difficulty is not None else "none"
    return _placeholder(slug, (title or "?").strip()[:1] or "?")


@functools.lru_cache(maxsize=4096)
def _placeholder(slug: str, initial: str) -> Markup:
    """Return the placeholder of a title's initial in a difficulty's colour; they repeat."""
    return Markup('<span class="jacket jacket-none diff-%s" aria-hidden="true">%s</span>') % (
        slug,
        escape(initial),
    )


IMAGE = (
    '<img class="jacket" src="%s" alt="" loading="lazy" decoding="async" width="%d" height="%d">'
)
#: A digest url_for is asked for once a request, to find where a jacket's URL names it.
SAMPLE_DIGEST = "0" * 64


def jacket_url(digest: str) -> str:
    """Return a kept jacket's URL; url_for builds the part before the digest once a request."""
    path = g.get("_jacket_path")
    if path is None:
        path = g._jacket_path = url_for("jackets.jacket", digest=SAMPLE_DIGEST)[
            : -len(SAMPLE_DIGEST)
        ]
    return path + digest


def init_app(app: Flask) -> None:
    """Give every template the jacket() global."""
    app.jinja_env.globals["jacket"] = draw
