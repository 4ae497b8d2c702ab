"""Every play a player kept, newest first, filtered and paged by play time."""

from flask import Blueprint, render_template
from sqlalchemy import select

from .. import db
from ..jackets.serving import show_for_plays
from ..models import Play
from . import queries
from .home import player_or_404, player_page

bp = Blueprint("records", __name__, url_prefix="/players", template_folder="templates")
bp.add_app_template_global(queries.applied_filters, "applied_filters")


@bp.route("/<name>/plays")
@player_page
def plays(name: str) -> str:
    """Show one page of a player's plays."""
    session = db.session()
    player = player_or_404(name, session)
    wanted = queries.page_request()
    page = queries.fetch_page(
        session, select(Play), player.id, wanted.filters, wanted.cursor, wanted.size
    )
    plays = [row[0] for row in page.rows]
    show_for_plays(session, plays)
    return render_template(
        "records/plays.html",
        player=player,
        wanted=wanted,
        plays=plays,
        total=queries.count_plays(session, player.id, wanted.filters),
        links=queries.pager_links("records.plays", wanted, page, name=player.name),
    )
