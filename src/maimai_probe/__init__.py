"""maimai DX CN Probe: keep every play from the official maimai DX pages."""

import os
from typing import Any, Mapping, Optional

from flask import Flask

import flask_serverless

from . import blueprints, commands, config, db
from .jackets import drawing
from .web import (
    compiled_templates,
    csrf,
    errors,
    formatting,
    navigation,
    page_cache,
    request_body,
    security_headers,
    static_route,
    static_versions,
)


def create_app(overrides: Optional[Mapping[str, Any]] = None) -> Flask:
    """Create the app: configuration, database, blueprints, and the web's safety nets."""
    settings = config.resolve(overrides)
    app = Flask(
        __name__,
        template_folder="web/templates",  # the site's layout and error pages
        static_folder=static_folder(settings.get("STATIC_FOLDER")),
        static_url_path="",
    )
    app.config.update(settings)
    commands.init_app(app)  # first: the parts below add their commands to it
    if hasattr(app, "json"):  # Flask 2.2+ reads this from its JSON provider, not the config
        app.json.ensure_ascii = bool(app.config["JSON_AS_ASCII"])
    register_extensions(app)
    blueprints.register(app)
    flask_serverless.init_app(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the app's parts, each in its own module."""
    request_body.init_app(app)  # first: nothing may read a body before its size is known
    db.init_app(app)
    csrf.init_app(app)
    page_cache.init_app(app)  # before the headers and compression: it keeps what they give
    security_headers.init_app(app)
    errors.init_app(app)
    formatting.init_app(app)
    navigation.init_app(app)
    drawing.init_app(app)
    static_versions.init_app(app)
    static_route.init_app(app)
    compiled_templates.init_app(app)


def static_folder(configured: Optional[str]) -> str:
    """Return the folder served at the site root: static/ beside src/ or in the code root."""
    if configured:
        return os.path.abspath(configured)
    package = os.path.dirname(os.path.abspath(__file__))
    code_root = os.path.dirname(package)
    for candidate in (
        os.path.join(os.path.dirname(code_root), "static"),
        os.path.join(code_root, "static"),
    ):
        if os.path.isdir(candidate):
            return candidate
    return os.path.join(os.path.dirname(code_root), "static")
