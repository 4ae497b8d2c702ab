"""Compress text with Brotli, else gzip; compress static files once; time every answer."""

import time
from collections import OrderedDict
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from flask import Flask, Request, Response, current_app, g, request
from flask_compress import Compress

#: Types worth compressing. Images other than SVG and icons, woff/woff2 fonts, archives and
#: media are compressed already: compressing them again costs time and saves nothing.
COMPRESSIBLE_MIMETYPES = [
    "text/html",
    "text/css",
    "text/plain",
    "text/xml",
    "text/csv",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/manifest+json",
    "application/xml",
    "application/rss+xml",
    "application/atom+xml",
    "image/svg+xml",
    "image/x-icon",
    "image/vnd.microsoft.icon",
    "font/ttf",
    "font/otf",
]

#: Flask-Compress settings, applied unless the app's config already names them.
#: Brotli quality 7 compresses HTML 5-8 % smaller than quality 5, at about gzip -6's speed,
#: with a 2 MB window: at Flask-Compress's 4 MB, quality 7 takes 7 ms instead of 2 on a 230 kB
#: page (bench.compression), and only pages longer than 2 MB could use more. gzip stays for
#: the clients without Brotli. Below 500 bytes the headers outweigh the saving.
COMPRESS_DEFAULTS: Dict[str, Any] = {
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_ALGORITHM_STREAMING": ["br", "gzip"],
    "COMPRESS_BR_LEVEL": 7,
    "COMPRESS_BR_WINDOW": 21,
    "COMPRESS_LEVEL": 6,
    "COMPRESS_MIN_SIZE": 500,
    "COMPRESS_MIMETYPES": COMPRESSIBLE_MIMETYPES,
    "COMPRESS_STREAMS": True,
}

UNCOMPRESSED_LENGTH = "Uncompressed-Content-Length"
RESPONSE_TIME = "Response-Time"

_STATIC_KEY = "flask_serverless.static:"
_NOT_CACHED = "flask_serverless.not-cached"
_STATIC_VERSION = "_flask_serverless_static_version"


class StaticCompressionCache:
    """Keep compressed static files (by path, version and encoding); ignore other answers.

    Flask-Compress asks its cache about every response it compresses; pages differ per
    request, so only the keys static_cache_key gives static files are stored.
    """

    def __init__(self, max_entries: int = 256) -> None:
        self.max_entries = max_entries
        self._entries = OrderedDict()  # path|version|encoding -> compressed body

    def get(self, key: str) -> Optional[bytes]:
        """Return a cached compressed body, or None."""
        return self._entries.get(key) if _STATIC_KEY in key else None

    def set(self, key: str, value: bytes) -> None:
        """Store a compressed static file, dropping the oldest beyond max_entries."""
        if _STATIC_KEY not in key:
            return
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


def static_cache_key(request: Request) -> str:
    """Key a static file by path, file version and Accept-Encoding; other answers by nothing."""
    version = g.get(_STATIC_VERSION)
    if version is None:
        return _NOT_CACHED
    accept_encoding = request.headers.get("Accept-Encoding", "")
    return "%s%s|%s|%s" % (_STATIC_KEY, request.path, version, accept_encoding)


def _is_static(endpoint: Optional[str]) -> bool:
    return endpoint == "static" or (endpoint or "").endswith(".static")


def _buffer_static_file(response: Response) -> Response:
    """Read a compressible static file into memory so Flask-Compress compresses and caches it.

    Flask serves files as streams, which Flask-Compress would compress again on every request
    (and newer versions chunk by chunk, without its cache).
    """
    if (
        not _is_static(request.endpoint)
        or response.status_code != 200
        or response.is_sequence
        or response.mimetype not in current_app.config["COMPRESS_MIMETYPES"]
        or "Content-Encoding" in response.headers
    ):
        return response
    etag, _ = response.get_etag()
    g.setdefault(
        _STATIC_VERSION, etag or "%s-%s" % (response.last_modified, response.content_length)
    )
    response.direct_passthrough = False
    response.set_data(response.get_data())
    return response


def _record_uncompressed_length(response: Response) -> Response:
    """Note the body's length before compression changes it."""
    if UNCOMPRESSED_LENGTH in response.headers or "Content-Encoding" in response.headers:
        return response
    length = response.calculate_content_length() if response.is_sequence else None
    if length is None:
        length = response.content_length
    if length is not None:
        response.headers[UNCOMPRESSED_LENGTH] = str(length)
    return response


class ResponseTimer:
    """Add Response-Time to every answer, and Uncompressed-Content-Length where it is plain."""

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]]) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()

        def timed_start_response(
            status: str, headers: List[Tuple[str, str]], exc_info: Any = None
        ) -> Callable:
            elapsed_ms = (time.perf_counter() - started) * 1000
            names = {name.lower(): value for name, value in headers}
            headers = [pair for pair in headers if pair[0].lower() != "response-time"]
            headers.append((RESPONSE_TIME, "%.3fms" % elapsed_ms))
            plain_length = names.get("content-length")
            if (
                UNCOMPRESSED_LENGTH.lower() not in names
                and "content-encoding" not in names
                and plain_length is not None
            ):
                headers.append((UNCOMPRESSED_LENGTH, plain_length))
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, timed_start_response)


def chosen_encoding(accept_encoding: str) -> Optional[str]:
    """Return the Content-Encoding Flask-Compress picks for an Accept-Encoding header.

    None: no compression. Where this Flask-Compress offers no way to ask, return the header
    itself, which keys cached answers more finely but never mixes encodings up.
    """
    compress = current_app.extensions.get("compress")
    if compress is None:
        return None
    try:  # Flask-Compress 1.15 and later
        from flask_compress.flask_compress import _choose_algorithm

        return _choose_algorithm(tuple(compress.enabled_algorithms), accept_encoding)
    except (ImportError, AttributeError, TypeError):
        pass
    choose = getattr(compress, "_choose_compress_algorithm", None)  # Flask-Compress 1.14
    if choose is not None:
        return choose(accept_encoding)
    return "header:" + accept_encoding.replace(" ", "").lower()


def init_app(app: Flask) -> Compress:
    """Bind Flask-Compress with our defaults, the static cache and the timing headers."""
    for name, value in COMPRESS_DEFAULTS.items():
        app.config.setdefault(name, value)
    app.config.setdefault("COMPRESS_CACHE_KEY", static_cache_key)
    app.config.setdefault("COMPRESS_CACHE_BACKEND", StaticCompressionCache)
    compress = Compress()
    compress.init_app(app)
    # after_request functions run last-registered first: buffer, measure, then compress.
    app.after_request(_record_uncompressed_length)
    app.after_request(_buffer_static_file)
    app.wsgi_app = ResponseTimer(app.wsgi_app)
    app.extensions["compress"] = compress
    return compress
