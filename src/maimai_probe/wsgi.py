"""The WSGI entry point: one production app per process, served by waitress.

    python -m maimai_probe.wsgi      (HOST, default 127.0.0.1; PORT, 8000; THREADS, 4)

waitress reads each request whole, headers and body, in its I/O loop before a worker thread
runs it, so a slow client holds a socket and never a worker. Don't serve the site with
gunicorn's sync workers: each waits on one client, and two slow clients stall two workers
until gunicorn's timeout. Another WSGI server can take `maimai_probe.wsgi:app` all the same.
"""

import os
from typing import Any, Dict, Mapping

from flask_serverless.allocator import tune_allocator

from . import create_app

os.environ.setdefault("APP_ENV", "production")
app = create_app()
tune_allocator()  # see flask_serverless.allocator: Brotli's buffers stay on the heap

#: Seconds a connection may stay silent before waitress closes it.
CHANNEL_TIMEOUT = 60
#: Open connections at most; waitress accepts more only as others close.
CONNECTION_LIMIT = 100


def server_options(environ: Mapping[str, str]) -> Dict[str, Any]:
    """Return waitress's settings: address and threads from the environment, limits from config."""
    limit = app.config.get("MAX_CONTENT_LENGTH")
    return {
        "host": environ.get("HOST") or "127.0.0.1",
        "port": int(environ.get("PORT") or 8000),
        "threads": int(environ.get("THREADS") or 4),
        "ident": "maimai-probe",
        # waitress refuses larger bodies itself (413), before buffering them; the margin
        # lets the app answer a body just past its own limit in its own words.
        "max_request_body_size": int(limit) + 65536 if limit else 1024**3,
        "channel_timeout": CHANNEL_TIMEOUT,
        "connection_limit": CONNECTION_LIMIT,
        "asyncore_use_poll": True,  # no select() limit on descriptors
    }


def main() -> None:
    """Serve the app until the process is stopped."""
    import waitress

    waitress.serve(app, **server_options(os.environ))


if __name__ == "__main__":
    main()
