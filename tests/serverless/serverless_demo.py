"""A small game-free Flask app, and the documented gateway events that drive it."""

import gzip
import hashlib
import json
import pathlib
from typing import Any, Dict

import click
from flask import Flask, jsonify, request, url_for

EVENTS = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "events"

#: A page long enough to compress, with the CJK text the site is full of.
PAGE = "<!doctype html><title>舞萌DX</title>" + "<p>系ぎて — SSS+ 100.5000%</p>\n" * 200
#: A stylesheet long enough to compress.
STYLESHEET = "body { color: #222; }\n" + ".chart-%d { width: 1px; }\n" * 100
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + bytes(range(256)) * 4


def load_event(name: str) -> Dict[str, Any]:
    """Return a fresh copy of a fixture event from tests/fixtures/events/."""
    with open(str(EVENTS / name), encoding="utf-8") as file:
        return json.load(file)


class Tracker:
    """Record what the demo app's callbacks saw."""

    def __init__(self) -> None:
        self.closed = 0
        self.calls = 0


def build_demo_app(static_folder: str, **config: Any) -> Flask:
    """Return a game-free app with the routes the adapter tests need."""
    app = Flask("demo", static_folder=static_folder, static_url_path="/static")
    app.config.update(config)
    tracker = Tracker()
    app.extensions["tracker"] = tracker

    @app.route("/echo", methods=["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"])
    def echo():
        tracker.calls += 1
        body = request.get_data(cache=True)
        return jsonify(
            method=request.method,
            path=request.path,
            script_root=request.script_root,
            url=request.url,
            external=url_for("echo", _external=True),
            static_url=url_for("static", filename="site.css"),
            args=request.args.to_dict(flat=False),
            form=request.form.to_dict(flat=False),
            files={name: hashlib.sha256(f.read()).hexdigest() for name, f in request.files.items()},
            body_sha256=hashlib.sha256(body).hexdigest(),
            content_length=request.content_length,
            cookies=request.cookies,
            remote_addr=request.remote_addr,
            scheme=request.scheme,
            host=request.host,
            user_agent=request.headers.get("User-Agent"),
        )

    @app.route("/songs/<int:song_id>")
    def song(song_id: int):
        tracker.calls += 1
        return jsonify(
            song_id=song_id,
            path=request.path,
            script_root=request.script_root,
            args=request.args.to_dict(flat=False),
            external=url_for("song", song_id=song_id, _external=True),
            cookies=request.cookies,
            remote_addr=request.remote_addr,
        )

    @app.route("/cookies")
    def cookies():
        response = jsonify(set=3)
        response.set_cookie("session", "s3ss10n", httponly=True)
        response.set_cookie("theme", "dark")
        response.set_cookie("lang", "zh-CN")
        return response

    @app.route("/page")
    def page():
        return PAGE

    @app.route("/image")
    def image():
        return app.response_class(PNG, mimetype="image/png")

    @app.route("/archive")
    def archive():
        return app.response_class(b"PK\x03\x04" + bytes(2000), mimetype="application/zip")

    @app.route("/pre-compressed")
    def pre_compressed():
        response = app.response_class(gzip.compress(PAGE.encode("utf-8")), mimetype="text/html")
        response.headers["Content-Encoding"] = "gzip"
        return response

    @app.route("/stream")
    def stream():
        return app.response_class((PAGE for _ in range(3)), mimetype="text/html")

    @app.route("/sized/<int:size>")
    def sized(size: int):
        return app.response_class(b"x" * size, mimetype="application/octet-stream")

    @app.route("/boom")
    def boom():
        raise RuntimeError("the chart table is on fire")

    @app.route("/closing")
    def closing():
        response = app.response_class("closing", mimetype="text/plain")

        def on_close() -> None:
            tracker.closed += 1

        response.call_on_close(on_close)
        return response

    @app.cli.command("greet")
    @click.argument("name")
    def greet(name: str) -> None:
        click.echo("hello %s" % name)

    @app.cli.command("explode")
    def explode() -> None:
        raise RuntimeError("the migration table is locked")

    return app


class TencentContext(dict):
    """Tencent SCF passes the invocation context as a dict."""


class AwsContext:
    """AWS Lambda passes an object with attributes."""

    def __init__(self, request_id: str) -> None:
        self.aws_request_id = request_id
        self.function_name = "probe"
        self.memory_limit_in_mb = 256
