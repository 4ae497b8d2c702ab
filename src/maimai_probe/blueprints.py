"""The site's features, one blueprint each, registered in one place."""

from flask import Flask


def register(app: Flask) -> None:
    """Register every feature's blueprint on the app."""
    from .site import bp as site

    app.register_blueprint(site)
