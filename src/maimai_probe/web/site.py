"""The front page: what the site is and whose plays it keeps."""

from flask import Blueprint, current_app, render_template
from sqlalchemy import func, select

from .. import db
from ..models import Play, Player

bp = Blueprint("site", __name__)


@bp.route("/")
def index() -> str:
    """List the players with their play counts."""
    rows = (
        db.session()
        .execute(
            select(Player.name, func.count(Play.id), func.max(Play.played_at))
            .outerjoin(Play, Play.player_id == Player.id)
            .group_by(Player.id, Player.name)
            .order_by(Player.name)
        )
        .all()
    )
    return render_template(
        "site/index.html", players=rows, nav_endpoints=current_app.view_functions
    )
