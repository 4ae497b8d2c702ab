"""CSRF protection for every form: a per-session token checked on each unsafe request."""

import hmac
import secrets
from typing import Set

from flask import Flask, abort, current_app, request, session

SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "TRACE"))
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"


def token() -> str:
    """Return this session's CSRF token, creating it on first use."""
    if FIELD not in session:
        session[FIELD] = secrets.token_urlsafe(32)
    return session[FIELD]


def exempt_blueprints(app: Flask) -> Set[str]:
    """Return the blueprints whose views authenticate by bearer token, not by cookie."""
    return app.extensions.setdefault("maimai_probe.csrf_exempt", set())


def exempt(blueprint_name: str) -> None:
    """Exempt a blueprint whose requests carry no cookies to ride on (token APIs)."""
    exempt_blueprints(current_app).add(blueprint_name)


def check() -> None:
    """Refuse an unsafe request whose CSRF token is missing or wrong."""
    if request.method in SAFE_METHODS or current_app.config.get("CSRF_DISABLED"):
        return
    if getattr(request.routing_exception, "code", None) in (404, 405):
        return  # no view will run: the 404 or 405 (with its Allow header) tells the truth
    if request.blueprint in exempt_blueprints(current_app):
        return
    expected = session.get(FIELD)
    sent = request.form.get(FIELD) or request.headers.get(HEADER) or ""
    if not expected or not hmac.compare_digest(expected.encode(), sent.encode()):
        abort(400, description="表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试。")


def init_app(app: Flask) -> None:
    """Check every unsafe request and give templates csrf_token()."""
    exempt_blueprints(app)
    app.before_request(check)
    app.jinja_env.globals["csrf_token"] = token
