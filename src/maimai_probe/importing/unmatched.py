"""Titles no chart is linked to: the candidates, and the player's choice for ambiguous ones."""

import time
from typing import Any, Optional, Tuple

from flask import Blueprint, render_template, request

from .. import db, game
from ..catalog import linking
from ..jackets.serving import show
from ..jackets.store import kept
from ..models import Player
from ..plain_text import unstorable_character
from ..player.home import player_or_404
from . import tokens
from .form import remembered_hash

bp = Blueprint("unmatched", __name__, url_prefix="/players", template_folder="templates")


def token_refusal(player: Player) -> Optional[Tuple[int, str]]:
    """Return (status, message) unless the form's token, or the remembered one, is the player's."""
    presented = request.form.get("token", "").strip()
    if presented:
        return (
            None
            if tokens.verify(player, presented)
            else (403, "导入令牌不正确：请检查后重新输入。")
        )
    remembered = remembered_hash(player.name)
    if remembered and tokens.matches_hash(player, remembered):
        return None
    return 401, "请输入导入令牌：只有玩家本人可以选择谱面。"


def chosen_key() -> Optional[Tuple[linking.ChartKey, int]]:
    """Read the title, kind, difficulty and chosen chart from the form; None if malformed."""
    form = request.form
    title, kind = form.get("title", ""), form.get("kind", "")
    try:
        difficulty, chart_id = int(form.get("difficulty", "")), int(form.get("chart_id", ""))
    except ValueError:
        return None
    if not title or kind not in game.KINDS or difficulty not in game.DIFFICULTIES:
        return None
    if unstorable_character(title) is not None:
        return None
    return (title, kind, difficulty), chart_id


def render_list(player: Player, status: int = 200, **message: Any) -> Tuple[str, int]:
    """Render the player's unmatched titles and earlier choices."""
    db_session = db.session()
    entries = linking.unmatched(db_session, player.id)
    choices = linking.chosen(db_session, player.id)
    candidates = [found for entry in entries for found in entry.candidates]
    candidates.extend(found for _, chosen_from in choices for found in chosen_from)
    show(kept(db_session, charts=[candidate.chart_id for candidate in candidates]))
    page = render_template(
        "unmatched/list.html",
        player=player,
        entries=entries,
        choices=choices,
        remembered=bool(remembered_hash(player.name)),
        **message,
    )
    return page, status


@bp.route("/<name>/unmatched", methods=["GET"], endpoint="list")
def list_page(name: str) -> Any:
    """List the titles no chart is linked to, with the charts they may be."""
    return render_list(player_or_404(name, db.session()))


@bp.route("/<name>/unmatched", methods=["POST"], endpoint="resolve")
def resolve(name: str) -> Any:
    """Link an ambiguous title to the chart the player chose, now and in later imports."""
    db_session = db.session()
    player = player_or_404(name, db_session)
    refused = token_refusal(player)
    if refused is not None:
        return render_list(player, refused[0], error=refused[1])
    chosen = chosen_key()
    if chosen is None:
        return render_list(player, 400, error="表单内容不完整，请刷新页面后重试。")
    key, chart_id = chosen
    try:
        linked = linking.resolve(db_session, player.id, key, chart_id, int(time.time()))
    except linking.ResolveError as error:
        db_session.rollback()
        return render_list(player, 400, error=str(error))
    db_session.commit()
    done = "已把「%s」%s %s 对应到所选谱面：%d 次游玩、%d 条成绩。" % (
        key[0],
        game.KIND_LABELS[key[1]],
        game.DIFFICULTY_NAMES[key[2]],
        linked.plays,
        linked.scores,
    )
    return render_list(player, done=done)
