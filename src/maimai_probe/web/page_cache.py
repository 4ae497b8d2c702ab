"""Keep rendered pages in memory, keyed by the version of the data they show; answer 304s.

A view decorated with `cached` names the version of what it shows by calling `depends_on`
once it has loaded it, or `cached` finds it first with a cheap lookup of its own (for a
player's pages: the player's id and revision, which every write to the archive bumps in its
own transaction). From then on the answer is keyed by that version, the URL and the encoding
Flask-Compress chooses for the request, so it is rendered and compressed once per process.
A request whose If-None-Match names the key's ETag gets a 304 without rendering. Answers that
touched the session (CSRF tokens, remembered tokens), set cookies, are not 200, or whose data
changed between the lookup and the view are never kept. Nothing here knows the game: any
versioned page works.

A page rendered anew is most often sent once: on a serverless platform the next request
meets another container. So its Brotli body is made at a quick level (QUICK_BR_LEVEL, a
third of the CPU of the usual level for a fifth more bytes), and a kept one is compressed
again at the app's COMPRESS_BR_LEVEL the first time it is sent again: from then on every
answer from the cache is the small body.
"""

import functools
import hashlib
import os
import threading
from collections import OrderedDict
from typing import Any, Callable, List, NamedTuple, Optional, Tuple

from flask import Flask, Response, current_app, g, request

from flask_serverless.compression import UNCOMPRESSED_LENGTH, chosen_encoding

EXTENSION = "maimai_probe.web.page_cache"
#: The default bound of the kept answers, in bytes (PAGE_CACHE_BYTES; 0 turns caching off).
DEFAULT_BYTES = 32 * 1024 * 1024
#: What an entry costs beyond its body and headers: the key, the tuple, the dict slot.
ENTRY_OVERHEAD = 512
#: Headers that belong to one answer, never to a kept copy.
UNKEPT_HEADERS = frozenset(("set-cookie", "date", "response-time", "content-length"))
#: The Brotli quality of a page's body for one answer; kept ones get COMPRESS_BR_LEVEL.
QUICK_BR_LEVEL = 4

_WANTED = "_page_cache_wanted"
_KEY = "_page_cache_key"
_CHANGED = "_page_cache_changed"
_QUICK = "_page_cache_quick"


class Entry(NamedTuple):
    """A kept answer: its headers and body, as sent."""

    headers: List[Tuple[str, str]]
    body: bytes
    quick: bool = False  # Brotli at QUICK_BR_LEVEL: compress it again when next sent

    @property
    def size(self) -> int:
        """Return roughly how many bytes the entry holds."""
        return (
            len(self.body)
            + sum(len(name) + len(value) for name, value in self.headers)
            + ENTRY_OVERHEAD
        )


class PageCache:
    """A least-recently-used map of answers bounded by their total size in bytes."""

    def __init__(self, max_bytes: int = DEFAULT_BYTES) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._entries = OrderedDict()  # type: OrderedDict
        self._lock = threading.Lock()

    def get(self, key: Any) -> Optional[Entry]:
        """Return the entry of a key, marking it recently used, or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: Any, entry: Entry) -> bool:
        """Keep an entry, dropping the least recently used beyond the bound; False if too big."""
        size = entry.size
        if size > self.max_bytes:
            return False
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= old.size
            self._entries[key] = entry
            self.size += size
            while self.size > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self.size -= dropped.size
        return True

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
            self.size = 0

    def __len__(self) -> int:
        return len(self._entries)


class _Answered(Exception):
    """Carry a kept answer (or a 304) from depends_on out of the view."""

    def __init__(self, response: Response) -> None:
        super().__init__()
        self.response = response


def page_cache(app: Optional[Flask] = None) -> Optional[PageCache]:
    """Return the app's page cache, or None when caching is off."""
    return (app or current_app).extensions.get(EXTENSION)


def cached(
    view: Callable[..., Any], version: Optional[Callable[..., Optional[Tuple[Any, ...]]]] = None
) -> Callable[..., Any]:
    """Let a view's GET answers be kept once the view calls depends_on.

    `version`, given the view's arguments, returns the version cheaply (None when it cannot
    tell): then a kept answer is found before the view runs at all.
    """

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if request.method not in ("GET", "HEAD"):
            return view(*args, **kwargs)
        try:
            if page_cache() is not None:
                g.setdefault(_WANTED, True)
                found = version(*args, **kwargs) if version is not None else None
                if found is not None:
                    depends_on(*found)
            return quickly_compressed(current_app.make_response(view(*args, **kwargs)))
        except _Answered as answered:
            return answered.response

    return wrapper


def depends_on(*version: Any) -> None:
    """Name the version of the data this answer shows; answer from the cache when kept."""
    if not g.get(_WANTED):
        return
    if _KEY in g:
        if g.get(_KEY)[0] != version:
            g.setdefault(_CHANGED, True)  # written to since the version was read: keep nothing
        return
    cache = page_cache()
    environ = request.environ
    key = (
        version,
        environ.get("wsgi.url_scheme"),
        environ.get("HTTP_HOST") or environ.get("SERVER_NAME"),
        environ.get("SCRIPT_NAME", ""),
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
        chosen_encoding(environ.get("HTTP_ACCEPT_ENCODING", "")),
    )
    if "HTTP_IF_NONE_MATCH" in environ:
        etag = etag_of(key)
        if request.if_none_match.contains_weak(etag):
            not_modified = current_app.response_class(status=304)
            not_modified.set_etag(etag)
            not_modified.headers["Vary"] = "Accept-Encoding"
            not_modified.headers["Cache-Control"] = "no-cache"
            raise _Answered(not_modified)
    entry = cache.get(key)
    if entry is not None:
        if entry.quick:
            entry = recompressed(key, entry)
        raise _Answered(current_app.response_class(entry.body, status=200, headers=entry.headers))
    g.setdefault(_KEY, key)


def etag_of(key: Any) -> str:
    """Return the ETag of a cache key: a digest of it and of the code that renders it."""
    salt = current_app.extensions.get(EXTENSION + ".salt")
    if salt is None:  # on the first ETag, not at startup: it reads every file of the package
        salt = current_app.extensions[EXTENSION + ".salt"] = source_salt(current_app)
    return hashlib.sha256(repr((salt, key)).encode()).hexdigest()[:40]


def keep(response: Response) -> Response:
    """Keep a cacheable answer as it will be sent: compressed, with its headers."""
    key = g.pop(_KEY, None)
    if key is None or response.status_code != 200 or g.pop(_CHANGED, False):
        return response
    response.set_etag(etag_of(key))
    response.headers.setdefault("Cache-Control", "no-cache")  # revalidate: a cheap 304
    if (
        response.is_streamed
        or response.direct_passthrough
        or session_touched()
        or "Set-Cookie" in response.headers
    ):
        return response
    headers = [
        (name, value) for name, value in response.headers if name.lower() not in UNKEPT_HEADERS
    ]
    quick = g.pop(_QUICK, False)
    page_cache().put(key, Entry(headers, response.get_data(), quick))
    return response


def quickly_compressed(response: Response) -> Response:
    """Compress a page's body with Brotli at QUICK_BR_LEVEL, where Flask-Compress would.

    Flask-Compress leaves an answer with a Content-Encoding alone; anything but Brotli
    (gzip for older clients) is still its to do.
    """
    config = current_app.config
    if (
        response.status_code != 200
        or response.direct_passthrough
        or response.is_streamed
        or "Content-Encoding" in response.headers
        or response.mimetype not in config.get("COMPRESS_MIMETYPES", ())
        or chosen_encoding(request.headers.get("Accept-Encoding", "")) != "br"
    ):
        return response
    body = response.get_data()
    if len(body) < config.get("COMPRESS_MIN_SIZE", 500):
        return response
    import brotli  # Flask-Compress has imported it already

    window = config.get("COMPRESS_BR_WINDOW", 22)
    response.set_data(brotli.compress(body, quality=QUICK_BR_LEVEL, lgwin=window))
    response.headers["Content-Encoding"] = "br"
    response.headers[UNCOMPRESSED_LENGTH] = str(len(body))
    response.vary.add("Accept-Encoding")
    g.setdefault(_QUICK, True)
    return response


def recompressed(key: Any, entry: Entry) -> Entry:
    """Compress a kept quick body again at COMPRESS_BR_LEVEL, keep it and return it."""
    import brotli

    config = current_app.config
    body = brotli.compress(
        brotli.decompress(entry.body),
        quality=config.get("COMPRESS_BR_LEVEL", 7),
        lgwin=config.get("COMPRESS_BR_WINDOW", 22),
    )
    entry = Entry(entry.headers, body)
    page_cache().put(key, entry)
    return entry


def session_touched() -> bool:
    """Tell whether this request read or wrote the session (a CSRF token, a remembered token)."""
    try:
        from flask.globals import _cv_request  # Flask 2.2 and later

        context = _cv_request.get(None)
    except ImportError:  # Flask 2.0 and 2.1
        from flask import _request_ctx_stack

        context = _request_ctx_stack.top
    if context is None:
        return False
    # Flask 3.1 opens the session on first use, and asking its proxy counts as a use.
    opened = context.__dict__.get("_session") if "_session" in context.__dict__ else None
    if opened is None:
        opened = context.__dict__.get("session")
    return bool(getattr(opened, "accessed", False))


def source_salt(app: Flask) -> str:
    """Return a digest of the code, templates and settings that shape pages, for the ETags."""
    parts = []  # type: List[str]
    for folder, _, files in sorted(os.walk(app.root_path)):
        for name in sorted(files):
            if name.endswith((".py", ".html", ".json")):
                stat = os.stat(os.path.join(folder, name))
                parts.append("%s:%d:%d" % (name, stat.st_size, stat.st_mtime_ns))
    for name in ("PAGE_SIZE", "JSON_AS_ASCII", "BASE_PATH"):
        parts.append("%s=%r" % (name, app.config.get(name)))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def init_app(app: Flask) -> None:
    """Make the cache, unless PAGE_CACHE_BYTES is 0, and keep answers after every request.

    Register this before the compression and security headers: after-request functions run
    last-registered first, so `keep` sees the answer as it is sent.
    """
    app.config.setdefault("PAGE_CACHE_BYTES", DEFAULT_BYTES)
    max_bytes = int(app.config["PAGE_CACHE_BYTES"] or 0)
    if max_bytes <= 0:
        return
    app.extensions[EXTENSION] = PageCache(max_bytes)
    app.after_request(keep)
