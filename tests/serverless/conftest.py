"""Fixtures for the serverless adapter: the demo app, its handler and invocation contexts."""

import pathlib

import pytest
from flask import Flask

import flask_serverless

from .serverless_demo import PNG, STYLESHEET, AwsContext, TencentContext, build_demo_app


@pytest.fixture(scope="session")
def static_dir(tmp_path_factory) -> pathlib.Path:
    """Return a static folder: a stylesheet, a PNG and a woff2 font."""
    folder = tmp_path_factory.mktemp("static")
    (folder / "site.css").write_text(STYLESHEET, encoding="utf-8")
    (folder / "logo.png").write_bytes(PNG)
    (folder / "font.woff2").write_bytes(b"wOF2" + bytes(range(256)) * 8)
    return folder


@pytest.fixture
def demo_app(static_dir) -> Flask:
    """Return the demo app, wired the way an app factory wires it."""
    app = build_demo_app(str(static_dir))
    flask_serverless.init_app(app)
    return app


@pytest.fixture
def handler(demo_app):
    """Return the serverless handler of the demo app."""
    return flask_serverless.make_handler(demo_app)


@pytest.fixture
def tencent_context() -> TencentContext:
    """Return a Tencent-style invocation context."""
    return TencentContext(request_id="scf-req-0001", memory_limit_in_mb=256, time_limit_in_ms=15000)


@pytest.fixture
def aws_context() -> AwsContext:
    """Return an AWS-style invocation context."""
    return AwsContext("aws-req-0001")
