"""Serve a Flask app from Tencent SCF or AWS Lambda: event adapter, proxy trust, compression."""

from flask import Flask

from . import compression, proxy
from .handler import make_handler
from .proxy import ReverseProxied

__all__ = ["ReverseProxied", "init_app", "make_handler"]


def init_app(app: Flask) -> None:
    """Trust proxies per config, then compress and time every answer (the timer outermost)."""
    proxy.init_app(app)
    compression.init_app(app)
