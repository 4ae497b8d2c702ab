"""Brotli first, gzip second, static files compressed once, and the timing headers."""

import gzip
import os
import re

import brotli
import flask_compress.flask_compress as flask_compress_module
import pytest

import flask_serverless
from flask_serverless import compression

from .serverless_demo import PAGE, PNG, STYLESHEET, build_demo_app


@pytest.fixture
def client(demo_app):
    """Return a test client of the wired demo app."""
    return demo_app.test_client()


def fetch(client, path, accept_encoding="", method="GET"):
    """Request a path, read the whole body and close the response (and its file)."""
    with client.open(path, method=method, headers={"Accept-Encoding": accept_encoding}) as response:
        return response, response.get_data()


@pytest.fixture
def brotli_calls(monkeypatch):
    """Count how often Flask-Compress runs Brotli."""
    calls = []
    original = flask_compress_module.brotli.compress

    def counting(data, *args, **kwargs):
        calls.append(len(data))
        return original(data, *args, **kwargs)

    monkeypatch.setattr(flask_compress_module.brotli, "compress", counting)
    return calls


@pytest.mark.parametrize(
    "accept_encoding, encoding",
    [
        ("gzip, deflate, br", "br"),
        ("br", "br"),
        ("gzip", "gzip"),
        ("gzip;q=1.0, br;q=0.5", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("*", "br"),
        ("deflate", None),
        ("identity", None),
        ("", None),
    ],
)
def test_brotli_first_then_gzip(client, accept_encoding, encoding):
    response, body = fetch(client, "/page", accept_encoding)

    assert response.headers.get("Content-Encoding") == encoding
    assert response.headers["Vary"] == "Accept-Encoding"
    decompress = {"br": brotli.decompress, "gzip": gzip.decompress, None: bytes}[encoding]
    assert decompress(body) == PAGE.encode("utf-8")


def test_compression_is_configured_deliberately(demo_app):
    config = demo_app.config

    assert list(config["COMPRESS_ALGORITHM"]) == ["br", "gzip"]
    assert (config["COMPRESS_BR_LEVEL"], config["COMPRESS_BR_WINDOW"]) == (7, 21)
    assert config["COMPRESS_LEVEL"] == 6
    assert config["COMPRESS_MIN_SIZE"] == 500
    assert config["COMPRESS_CACHE_BACKEND"] is compression.StaticCompressionCache


def test_the_apps_own_settings_win(static_dir):
    app = build_demo_app(str(static_dir), COMPRESS_ALGORITHM=["gzip"], COMPRESS_MIN_SIZE=10**6)
    flask_serverless.init_app(app)

    response, _ = fetch(app.test_client(), "/page", "br, gzip")

    assert "Content-Encoding" not in response.headers


def test_small_answers_are_not_compressed(client):
    response, body = fetch(client, "/echo", "br")

    assert "Content-Encoding" not in response.headers
    assert response.headers["Uncompressed-Content-Length"] == str(len(body))


@pytest.mark.parametrize(
    "path, mimetype",
    [
        ("/image", "image/png"),
        ("/archive", "application/zip"),
        ("/static/logo.png", "image/png"),
        ("/static/font.woff2", "font/woff2"),
    ],
)
def test_already_compressed_types_are_left_alone(client, path, mimetype):
    response, _ = fetch(client, path, "br, gzip")

    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert "Content-Encoding" not in response.headers
    assert response.headers["Uncompressed-Content-Length"] == response.headers["Content-Length"]


def test_nothing_is_compressed_twice(client):
    response, body = fetch(client, "/pre-compressed", "br, gzip")

    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == PAGE.encode("utf-8")


def test_a_streamed_page_is_compressed_whole(client):
    response, body = fetch(client, "/stream", "br")

    assert response.headers["Content-Encoding"] == "br"
    assert brotli.decompress(body) == PAGE.encode("utf-8") * 3


def test_static_files_are_compressed_once_then_served_from_the_cache(
    demo_app, client, brotli_calls
):
    first = fetch(client, "/static/site.css", "br")
    second = fetch(client, "/static/site.css", "br")

    assert len(brotli_calls) == 1
    for response, body in (first, second):
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == "br"
        assert brotli.decompress(body) == STYLESHEET.encode("utf-8")
        assert response.headers["Uncompressed-Content-Length"] == str(len(STYLESHEET))
    assert len(demo_app.extensions["compress"].cache) == 1


def test_each_encoding_of_a_static_file_is_cached_apart(demo_app, client):
    _, br = fetch(client, "/static/site.css", "br")
    _, gz = fetch(client, "/static/site.css", "gzip")
    _, br_again = fetch(client, "/static/site.css", "br")

    assert brotli.decompress(br) == STYLESHEET.encode("utf-8")
    assert gzip.decompress(gz) == STYLESHEET.encode("utf-8")
    assert br_again == br
    assert len(demo_app.extensions["compress"].cache) == 2


def test_pages_are_compressed_on_every_request_and_never_cached(demo_app, client, brotli_calls):
    fetch(client, "/page", "br")
    fetch(client, "/page", "br")

    assert len(brotli_calls) == 2
    assert len(demo_app.extensions["compress"].cache) == 0


def test_a_changed_static_file_is_compressed_again(tmp_path, brotli_calls):
    stylesheet = tmp_path / "site.css"
    stylesheet.write_text(STYLESHEET, encoding="utf-8")
    app = build_demo_app(str(tmp_path))
    flask_serverless.init_app(app)
    client = app.test_client()

    fetch(client, "/static/site.css", "br")
    stylesheet.write_text(STYLESHEET + "/* v2 */\n", encoding="utf-8")
    stat = stylesheet.stat()
    os.utime(str(stylesheet), (stat.st_atime, stat.st_mtime + 10))
    _, changed = fetch(client, "/static/site.css", "br")

    assert len(brotli_calls) == 2
    assert brotli.decompress(changed).endswith(b"/* v2 */\n")


def test_the_static_cache_keeps_a_bounded_number_of_files():
    cache = compression.StaticCompressionCache(max_entries=2)
    for name in ("a", "b", "c"):
        cache.set("br;flask_serverless.static:/%s.css|v1|br" % name, name.encode())
    cache.set("br;flask_serverless.not-cached", b"page")

    assert len(cache) == 2
    assert cache.get("br;flask_serverless.static:/a.css|v1|br") is None
    assert cache.get("br;flask_serverless.static:/c.css|v1|br") == b"c"
    assert cache.get("br;flask_serverless.not-cached") is None


RESPONSE_TIME = re.compile(r"^\d+\.\d{3}ms$")


@pytest.mark.parametrize(
    "method, path, accept_encoding",
    [
        ("GET", "/page", "br"),
        ("GET", "/page", ""),
        ("GET", "/echo", "br"),
        ("GET", "/image", "br"),
        ("GET", "/static/site.css", "gzip"),
        ("GET", "/static/logo.png", "br"),
        ("GET", "/nowhere", "br"),
        ("HEAD", "/page", "br"),
        ("POST", "/page", "br"),
    ],
)
def test_every_answer_carries_its_uncompressed_length_and_response_time(
    client, method, path, accept_encoding
):
    response, body = fetch(client, path, accept_encoding, method)
    if method == "HEAD":
        assert body == b""
        body = PAGE.encode("utf-8")
    elif response.headers.get("Content-Encoding") == "br":
        body = brotli.decompress(body)
    elif response.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)

    assert RESPONSE_TIME.match(response.headers["Response-Time"])
    assert response.headers["Uncompressed-Content-Length"] == str(len(body))


def test_a_redirect_from_the_proxy_layer_is_timed_too(static_dir):
    app = build_demo_app(str(static_dir), FORCE_HTTPS=True)
    flask_serverless.init_app(app)

    response, _ = fetch(app.test_client(), "/page")

    assert response.status_code == 308
    assert RESPONSE_TIME.match(response.headers["Response-Time"])
    assert response.headers["Uncompressed-Content-Length"] == response.headers["Content-Length"]


def test_png_bytes_are_served_unchanged(client):
    assert fetch(client, "/image", "br")[1] == PNG
