"""The import and export API: bearer-token imports, public exports, admin player creation.

POST /api/players/<name>/imports takes a saved page (text/html, application/xhtml+xml or
text/plain), Diving-Fish JSON or this site's archive export (application/json), or
multipart files, with
``Authorization: Bearer <import token>``.
It answers 201 when something new was stored, 200 when everything was known already,
and 422 when every file was rejected; rejected files are listed with their reasons
either way, the accepted ones are stored. GET /api/players/<name>/export needs no token:
the archive is public on the site already.
"""

import hashlib
import hmac
import time
from typing import Any, List, Optional

from flask import Blueprint, Response, abort, current_app, jsonify, request, url_for

from .. import db
from ..player.home import player_or_404
from ..player.lookup import player_page
from ..web import errors
from . import exporting, store, tokens

bp = Blueprint("api_imports", __name__, url_prefix="/api")

#: Request bodies read as one file; anything else but multipart is refused with 415.
BODY_TYPES = frozenset(("text/html", "application/xhtml+xml", "text/plain", "application/json"))
BODY_NAME = "body"


def bearer_token() -> Optional[str]:
    """Return the token of an ``Authorization: Bearer`` header, or None."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def refuse(status: int, message: str) -> Any:
    """Answer an error as JSON, asking for a bearer token on 401."""
    response, status = errors.answer(status, message)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="maimai-probe"'
    return response, status


def read_uploads() -> List[store.Upload]:
    """Read the request into uploads: each multipart file, or the body as one file."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and (request.content_length or 0) > limit:
        abort(413)
    if request.mimetype == "multipart/form-data":
        return [
            store.read_upload(storage.filename or field, storage.read())
            for field in request.files
            for storage in request.files.getlist(field)
        ]
    if request.mimetype not in BODY_TYPES:
        abort(
            415,
            description="不支持的内容类型「%s」：请用 text/html（网页）、application/json"
            "（水鱼查分器 JSON 或本站存档）或 multipart/form-data（上传文件）。"
            % (request.mimetype or "无"),
        )
    data = request.get_data(cache=False)
    if limit and len(data) > limit:
        abort(413)
    if not data.strip():
        return []
    return [store.read_upload(BODY_NAME, data)]


@bp.route("/players/<name>/imports", methods=["POST"])
def import_pages(name: str) -> Any:
    """Import pages for a player who proves it with their import token."""
    player = player_or_404(name)
    presented = bearer_token()
    if presented is None:
        return refuse(401, "需要导入令牌：请在请求头里加上 Authorization: Bearer <令牌>。")
    if not tokens.verify(player, presented):
        return refuse(403, "导入令牌不正确。")
    uploads = read_uploads()
    if not uploads:
        return refuse(400, "请求里没有内容：请发送网页源代码、JSON 或上传文件。")
    result = store.import_uploads(db.session(), player, uploads, int(time.time()))
    if len(result.rejected) == len(result.files):
        status = 422
    else:
        status = 201 if result.stored_anything else 200
    return jsonify(player=player.name, **result.as_dict()), status


@bp.route("/players/<name>/export")
@player_page
def export(name: str) -> Response:
    """Download a player's archive: everything by default, or best scores for Diving-Fish.

    Kept, compressed, like the player's pages until the next write bumps their revision:
    building an archive of 18,000 plays costs about a second. Its exported_at is when the
    kept copy was made, which is still what the archive holds.
    """
    player = player_or_404(name)
    session = db.session()
    wanted = request.args.get("format", "archive")
    if wanted == "archive":
        document = exporting.archive(session, player, int(time.time()))
    elif wanted == "divingfish":
        document = exporting.divingfish(session, player)
    else:
        abort(400, description="未知的导出格式「%s」：可选 archive 或 divingfish。" % wanted[:20])
    response = Response(exporting.dumps(document), mimetype="application/json")
    response.headers["Content-Disposition"] = exporting.attachment(
        exporting.filename(player.name, wanted)
    )
    return response


@bp.route("/players", methods=["POST"])
def create_player() -> Any:
    """Create a player with the admin token; answer its import token, shown only this once."""
    admin = current_app.config.get("ADMIN_TOKEN")
    if not admin:
        abort(404)
    presented = bearer_token()
    if presented is None:
        return refuse(401, "需要管理令牌：Authorization: Bearer <ADMIN_TOKEN>。")
    if not hmac.compare_digest(digest(admin), digest(presented)):
        return refuse(403, "管理令牌不正确。")
    payload = request.get_json(silent=True)
    name = payload.get("name") if isinstance(payload, dict) else request.form.get("name")
    if not isinstance(name, str):
        return refuse(400, '请给出玩家名字：{"name": "…"}。')
    try:
        player, token = tokens.create_player(db.session(), name, int(time.time()))
    except tokens.InvalidName as error:
        return refuse(400, str(error))
    except tokens.PlayerExists as error:
        return refuse(409, str(error))
    imports_url = url_for("api_imports.import_pages", name=player.name)
    return jsonify(name=player.name, token=token, imports_url=imports_url), 201


def digest(secret: str) -> bytes:
    """Hash a secret so comparing two of them takes the same time whatever their lengths."""
    return hashlib.sha256(secret.encode("utf-8")).digest()
