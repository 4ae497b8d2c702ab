"""The import page: paste or upload official pages, Diving-Fish JSON or an archive export."""

import time
from typing import Any, List, Optional, Tuple

from flask import Blueprint, Response, redirect, render_template, request, session, url_for

from .. import db
from ..player.home import player_or_404
from . import store, tokens
from .wording import PAGE_LABELS, counts_text

bp = Blueprint("imports", __name__, url_prefix="/players", template_folder="templates")

#: The signed session cookie remembers, per player name, the token hash last used here.
REMEMBERED = "import_tokens"
PASTED = "粘贴的内容"


def remembered_hash(name: str) -> Optional[str]:
    """Return the token hash this browser remembers for a player."""
    return (session.get(REMEMBERED) or {}).get(name)


def remember(name: str, token_hash: Optional[str]) -> None:
    """Remember a player's token hash in the signed cookie, or forget it with None."""
    remembered = dict(session.get(REMEMBERED) or {})
    if token_hash:
        remembered[name] = token_hash
    else:
        remembered.pop(name, None)
    session[REMEMBERED] = remembered


def check_token(player: Any) -> Optional[Tuple[int, str]]:
    """Return (status, message) when the form's token does not let it import, else None."""
    presented = request.form.get("token", "").strip()
    if presented:
        if tokens.verify(player, presented):
            return None
        return 403, "导入令牌不正确：请检查后重新输入。"
    remembered = remembered_hash(player.name)
    if remembered and tokens.matches_hash(player, remembered):
        return None
    if remembered:
        remember(player.name, None)
        return 401, "这台设备记住的令牌已经失效（令牌换过了），请输入新的导入令牌。"
    return 401, "请输入导入令牌。"


def collect_uploads() -> List[store.Upload]:
    """Read the pasted text and every chosen file into uploads."""
    uploads = []
    pasted = request.form.get("html", "")
    if pasted.strip():
        uploads.append(store.read_upload(PASTED, pasted))
    for storage in request.files.getlist("files"):
        if not storage or not storage.filename:
            continue
        name = storage.filename.replace("\\", "/").rsplit("/", 1)[-1][:120]
        uploads.append(store.read_upload(name, storage.read()))
    return uploads


def render_form(player: Any, status: int = 200, error: Optional[str] = None) -> Tuple[str, int]:
    """Render the import form, with an error when the last attempt failed."""
    page = render_template(
        "imports/form.html",
        player=player,
        error=error,
        remembered=bool(remembered_hash(player.name)),
    )
    return page, status


@bp.route("/<name>/import", methods=["GET"])
def form(name: str) -> Any:
    """Show the import form."""
    return render_form(player_or_404(name))


@bp.route("/<name>/import", methods=["POST"])
def submit(name: str) -> Any:
    """Import the pasted page and the uploaded files; show what became of each."""
    player = player_or_404(name)
    refused = check_token(player)
    if refused is not None:
        return render_form(player, *refused)
    uploads = collect_uploads()
    if not uploads:
        return render_form(player, 400, "请粘贴网页源代码，或选择要上传的文件。")
    result = store.import_uploads(db.session(), player, uploads, int(time.time()))
    if request.form.get("remember"):
        remember(player.name, player.token_hash)
    status = 200 if len(result.rejected) < len(result.files) else 422
    page = render_template(
        "imports/result.html",
        player=player,
        result=result,
        labels=PAGE_LABELS,
        counts_text=counts_text,
    )
    return page, status


@bp.route("/<name>/import/forget", methods=["POST"])
def forget(name: str) -> Response:
    """Forget the token this browser remembers for a player."""
    player = player_or_404(name)
    remember(player.name, None)
    return redirect(url_for("imports.form", name=player.name))
