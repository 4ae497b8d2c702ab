"""Hold every request body to MAX_CONTENT_LENGTH, however it is sent: 413 beyond it.

Werkzeug checks the limit against Content-Length. A chunked body has none: Werkzeug 2.0
reads it to the end, and 3.x stops reading at the limit without an error, so the view
would take the first 8 MiB of a larger upload for the whole of it. A chunked body is read
here, up to one byte past the limit, before anything else looks at the request, and handed
on with its length, so the limit applies to it as to any other.
"""

import io

from flask import Flask, abort, current_app, request

#: Bytes read from the client at a time.
READ_SIZE = 64 * 1024


def is_chunked(environ: dict) -> bool:
    """Tell whether the body comes in chunks (a Content-Length beside them does not count)."""
    return "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()


def read_chunked_body() -> None:
    """Read a chunked body within MAX_CONTENT_LENGTH and pass it on with its length."""
    environ = request.environ
    if not is_chunked(environ):
        return
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    stream = environ["wsgi.input"]
    chunks = []
    size = 0
    while True:
        wanted = READ_SIZE if not limit else min(READ_SIZE, limit + 1 - size)
        chunk = stream.read(wanted)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if limit and size > limit:
            abort(413)
    environ["wsgi.input"] = io.BytesIO(b"".join(chunks))
    environ["CONTENT_LENGTH"] = str(size)
    environ.pop("HTTP_TRANSFER_ENCODING", None)


def init_app(app: Flask) -> None:
    """Read chunked bodies first of all, before a CSRF check or a view parses a form."""
    app.before_request_funcs.setdefault(None, []).insert(0, read_chunked_body)
