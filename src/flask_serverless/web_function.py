"""Serve a WSGI app as a Tencent SCF Web function: waitress on 0.0.0.0:9000 behind Tencent's front.

Tencent's front (the function URL, or an API Gateway trigger) passes each request through a
proxy inside the function's instance to port 9000. It sets the X-Scf-* headers itself, and a
client cannot set them (Tencent's Web function docs: "X-SCF- 开头的自定义字段" are filled by the
platform): X-Scf-Request-Id names the request, X-Scf-Remote-Addr the client's address. Nothing
else it passes is trusted: X-Forwarded-*, Forwarded, X-Real-IP and X-Api-Scheme come from the
client as far as the app can tell, so they are dropped before the app sees them.
"""

import ipaddress
import logging
import os
import platform
from typing import Any, Callable, Dict, Iterable, Optional

from .environ import PLATFORM_KEY, REQUEST_ID_KEY

logger = logging.getLogger("flask_serverless")

#: The platform name a Web function's requests carry in the environ.
TENCENT_WEB_FUNCTION = "tencent-web-function"

#: Where SCF sends a Web function's requests: its docs require 0.0.0.0 and port 9000.
HOST = "0.0.0.0"  # noqa: S104 - the platform requires it
PORT = 9000

#: Worker threads: an instance gets one request at a time unless the function enables
#: single-instance concurrency; four keeps within the default database pool (5) either way.
DEFAULT_THREADS = 4

#: Forwarding headers a client can forge; Tencent's front documents none of them.
FORGEABLE_KEYS = (
    "HTTP_FORWARDED",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PREFIX",
    "HTTP_X_FORWARDED_SCHEME",
    "HTTP_X_FORWARDED_SSL",
    "HTTP_X_REAL_IP",
    "HTTP_X_API_SCHEME",
)

WsgiApp = Callable[..., Iterable[bytes]]


class TencentFront:
    """Read a request as Tencent's front passed it: its client address, https, its request id.

    scheme is what clients use to reach the function: https for a function URL and for an
    API Gateway trigger that allows https only (the site's default).
    """

    def __init__(self, wsgi_app: WsgiApp, scheme: str = "https") -> None:
        if scheme not in ("http", "https"):
            raise ValueError("scheme must be http or https, not %r" % scheme)
        self.wsgi_app = wsgi_app
        self.scheme = scheme

    def __call__(self, environ: Dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        for key in FORGEABLE_KEYS:
            environ.pop(key, None)
        address = client_address(environ.get("HTTP_X_SCF_REMOTE_ADDR", ""))
        if address:
            environ["REMOTE_ADDR"] = address
        environ["wsgi.url_scheme"] = self.scheme
        # The port clients reached, not the instance's own 9000.
        environ["SERVER_PORT"] = "443" if self.scheme == "https" else "80"
        environ[PLATFORM_KEY] = TENCENT_WEB_FUNCTION
        environ[REQUEST_ID_KEY] = environ.get("HTTP_X_SCF_REQUEST_ID", "")[:128]
        return self.wsgi_app(environ, start_response)


def client_address(value: str) -> str:
    """Return the client's IP address from X-Scf-Remote-Addr, or "" when it is not one."""
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return ""


def threads_from_environment(environ: Optional[Dict[str, str]] = None) -> int:
    """Return the worker thread count: WEB_THREADS (1-64), else DEFAULT_THREADS."""
    value = (environ if environ is not None else os.environ).get("WEB_THREADS", "")
    if value.strip().isdigit() and 1 <= int(value) <= 64:
        return int(value)
    if value.strip():
        logger.warning("WEB_THREADS=%r is not 1 to 64: using %d", value, DEFAULT_THREADS)
    return DEFAULT_THREADS


def server_options(app: Any, threads: int, port: int = PORT, host: str = HOST) -> Dict[str, Any]:
    """Return waitress's settings for one Web function instance."""
    limit = getattr(app, "config", {}).get("MAX_CONTENT_LENGTH")
    options = {
        "host": host,
        "port": port,
        "threads": threads,
        "ident": "waitress",
        # Waitress drops the forwarding headers of any proxy it does not trust (here: all),
        # besides TencentFront doing so for the app.
        "clear_untrusted_proxy_headers": True,
        # Bodies are read in full by waitress's I/O thread before a worker sees them; bodies
        # past the app's own limit are refused there with 413.
        "max_request_body_size": int(limit) + 65536 if limit else 1073741824,
        "channel_timeout": 60,
        "connection_limit": 100,
        "asyncore_use_poll": True,
    }
    return options


def serve(app: Any, port: int = PORT, threads: Optional[int] = None, scheme: str = "https") -> None:
    """Serve app with waitress until the process is stopped; logs go to stderr."""
    import waitress  # the layer's server; imported here so the handler never needs it

    threads = threads or threads_from_environment()
    options = server_options(app, threads, port)
    logger.info(
        "serving on http://%s:%d with %d threads (waitress, Python %s), scheme %s",
        options["host"],
        options["port"],
        threads,
        platform.python_version(),
        scheme,
    )
    waitress.serve(TencentFront(app, scheme), **options)
