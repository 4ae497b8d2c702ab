"""Serve kept jackets from the site's own URL."""

import re
from typing import Any, Iterable

from flask import Blueprint, Response, abort, request

from .. import db
from .drawing import show
from .store import image, kept

bp = Blueprint("jackets", __name__)

#: A URL names a jacket by its bytes' digest, so its answer never changes: cache it for a year.
DIGEST = re.compile(r"[0-9a-f]{64}\Z")
FOREVER = "public, max-age=31536000, immutable"


@bp.route("/jackets/<digest>")
def jacket(digest: str) -> Response:
    """Send a kept jacket's bytes, or 304 when the browser already has them."""
    if not DIGEST.match(digest):
        abort(404, description="没有这张封面。")
    found = image(db.session(), digest)
    if found is None:
        abort(404, description="没有这张封面。")
    response = Response(bytes(found.data), mimetype=found.media_type)
    response.headers["Cache-Control"] = FOREVER
    response.set_etag(found.digest)
    return response.make_conditional(request)


def show_for_plays(session: Any, plays: Iterable[Any]) -> None:
    """Find the kept jackets of some plays: the image their page named, or their chart's."""
    plays = list(plays)
    show(
        kept(
            session,
            names=[play.jacket for play in plays],
            charts=[play.chart_id for play in plays],
        )
    )
