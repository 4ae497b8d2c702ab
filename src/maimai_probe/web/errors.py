"""Error answers: a Chinese page for people, JSON for the API, 503 while the database is away."""

import logging
import sys
from typing import Any, Tuple

from flask import Flask, Response, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from ..db import UnstorableText
from ..plain_text import encodable

log = logging.getLogger(__name__)

MESSAGES = {
    400: "请求有误。",
    401: "需要导入令牌。",
    403: "导入令牌不正确。",
    404: "找不到这个页面。",
    405: "不支持这种请求方式。",
    413: "上传的内容太大了。",
    503: "数据库暂时无法连接，请稍后再试。",
}


def wants_json() -> bool:
    """Tell whether the request is for the JSON API."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def can_link() -> bool:
    """Tell whether url_for works in this request: not when its Host could not be matched."""
    try:
        from flask.globals import request_ctx  # Flask 2.2 and later

        context = request_ctx._get_current_object()
    except ImportError:  # Flask 2.0 and 2.1
        from flask import _request_ctx_stack

        context = _request_ctx_stack.top
    return context is not None and context.url_adapter is not None


def answer(status: int, message: str) -> Tuple[Response, int]:
    """Render an error as JSON or as a page."""
    message = encodable(message)  # a refusal may quote what the client sent: "\ud800"
    if wants_json():
        return jsonify(error=message, status=status), status
    if not can_link():
        # Werkzeug 2.3+ refuses a Host such as "a..b" before routing: no page's links can be
        # built then, so the page (whose layout links the site) gives way to plain text.
        return Response("%d %s" % (status, message), mimetype="text/plain"), status
    page = render_template("errors/error.html", status=status, message=message)
    return make_response(page), status


def http_error(error: HTTPException) -> Tuple[Response, int]:
    """Answer an HTTP error with its description in Chinese where we wrote one."""
    status = error.code or 500
    message = MESSAGES.get(status, error.name)
    if error.description and not error.description.startswith(("The ", "You ", "A ")):
        message = error.description  # our own words, given to abort()
    response, status = answer(status, message)
    for name, value in error.get_headers():
        if name.lower() != "content-type":  # a 405's Allow, a 416's Content-Range
            response.headers[name] = value
    return response, status


def database_unavailable(error: Exception) -> Tuple[Response, int]:
    """Answer fast with 503 while the database cannot be reached."""
    log.warning("database unavailable: %s", error.__class__.__name__)
    response, status = answer(503, MESSAGES[503])
    response.headers["Retry-After"] = "10"
    return response, status


def database_error(error: Any) -> Tuple[Response, int]:
    """Treat a lost connection as unavailability and anything else as a bug."""
    from sqlalchemy.exc import OperationalError

    if error.connection_invalidated or isinstance(error, OperationalError):
        return database_unavailable(error)
    log.exception("database error")
    return answer(500, "服务器出错了，请稍后再试。")


def other_error(error: Exception) -> Tuple[Response, int]:
    """Answer the database's errors; let every other error go on to Flask's 500."""
    # SQLAlchemy is imported with the first query, not with the app, so its errors are told
    # apart here instead of being registered by class; without it none can have happened.
    errors = sys.modules.get("sqlalchemy.exc")
    if errors is not None:
        if isinstance(error, errors.TimeoutError):  # no pooled connection came free
            return database_unavailable(error)
        if isinstance(error, errors.DBAPIError):
            return database_error(error)
    raise error


def unstorable_text(error: UnstorableText) -> Tuple[Response, int]:
    """Refuse a request whose text the database cannot keep, naming the character."""
    return answer(400, "请求里含有无法保存的字符（U+%04X）。" % ord(error.character))


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(UnstorableText, unstorable_text)
    app.register_error_handler(Exception, other_error)
