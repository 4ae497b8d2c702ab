"""Believe forwarding headers only from trusted proxies; optionally insist on HTTPS."""

import re
import sys
from typing import Any, Callable, Iterable, Optional, Sequence, Union
from urllib.parse import quote

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from .environ import PLATFORM_KEY

#: One year, the minimum browsers' preload lists accept.
HSTS_MAX_AGE_SECONDS = 365 * 24 * 3600

WsgiApp = Callable[..., Iterable[bytes]]

#: The forwarding headers ReverseProxied can believe, each only when the config names it.
FORWARDING_HEADERS = (
    "X-Forwarded-For",
    "X-Forwarded-Proto",
    "X-Forwarded-Host",
    "X-Forwarded-Port",
    "X-Forwarded-Prefix",
    "X-Api-Scheme",
)
#: Those believed when the config names none: every proxy sets the client's address and the
#: scheme, while a Host or a Prefix from a proxy that passes the client's own along would let
#: a client choose every link's address.
DEFAULT_TRUSTED_HEADERS = ("X-Forwarded-For", "X-Forwarded-Proto")
#: A Host an https link may name: DNS labels of 1-63 characters or an IPv6 literal, a port.
HOST = re.compile(
    r"\A(?:(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?\Z"
)
#: What a path keeps as it is in a URL; the rest (a literal % too) is percent-encoded.
PATH_SAFE = "/:@!$&'()*+,;=-._~"
#: The same for a query string, which arrives already encoded: its % signs stay.
QUERY_SAFE = PATH_SAFE + "%?"


def https_url(environ: dict) -> Optional[str]:
    """Return the request's URL with https, or None when its Host or path cannot make one."""
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    if not HOST.match(host):
        return None
    if host.endswith(":80"):
        host = host[:-3]
    # WSGI strings carry the request's bytes as latin-1: encode them back, then quote once.
    path = (environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")).encode("latin-1")
    if not path.startswith(b"/"):
        return None
    url = "https://" + host + quote(path, safe=PATH_SAFE)
    query = environ.get("QUERY_STRING", "")
    if query:
        url += "?" + quote(query.encode("latin-1"), safe=QUERY_SAFE)
    return url


def header_names(names: Union[str, Sequence[str], None]) -> frozenset:
    """Read the trusted headers' names (a comma-separated string or a list), in lower case."""
    if names is None:
        names = DEFAULT_TRUSTED_HEADERS
    if isinstance(names, str):
        names = names.split(",")
    wanted = frozenset(name.strip().lower() for name in names if name.strip())
    known = {name.lower() for name in FORWARDING_HEADERS}
    unknown = sorted(wanted - known)
    if unknown:
        raise ValueError(
            "unknown forwarding header %s: choose among %s"
            % (", ".join(unknown), ", ".join(FORWARDING_HEADERS))
        )
    return wanted


def connection_scheme(environ: dict) -> None:
    """Set the scheme of the connection itself, undoing a server's own reading of headers.

    gunicorn believes X-Forwarded-Proto from the addresses in its forwarded_allow_ips
    (loopback by default), so a client on the same machine, or any client of a proxy there
    that passes the header along, could claim https. Its socket tells the truth.
    """
    sock = environ.get("gunicorn.socket")
    if sock is None:
        return
    ssl = sys.modules.get("ssl")  # a TLS socket exists only once ssl is imported
    secure = ssl is not None and isinstance(sock, ssl.SSLSocket)
    environ["wsgi.url_scheme"] = "https" if secure else "http"


class ReverseProxied:
    """Take scheme, host, prefix and client address from proxies' headers, when trusted.

    Requests the serverless handler built from a gateway's event are trusted as they are: it
    set the scheme, host and client address from the event itself. Any other request is read
    the way Werkzeug's ProxyFix reads it, but only when trusted_proxies says how many proxies
    stand in front, and only the headers trusted_headers names (default: X-Forwarded-For and
    -Proto; -Host, -Port, -Prefix and Tencent's X-Api-Scheme when named). With 0 proxies a
    client's own headers change nothing, whatever the WSGI server made of them. X-Api-Scheme,
    when trusted, wins over X-Forwarded-Proto: Tencent's gateway sets it from the connection
    it accepted, and passes a client's own X-Forwarded-Proto along.
    """

    def __init__(
        self,
        wsgi_app: WsgiApp,
        trusted_proxies: int = 0,
        force_https: bool = False,
        hsts_max_age: int = HSTS_MAX_AGE_SECONDS,
        trusted_headers: Union[str, Sequence[str], None] = None,
    ) -> None:
        self.wsgi_app = wsgi_app
        self.trusted_proxies = max(0, int(trusted_proxies))
        self.force_https = force_https
        self.hsts_max_age = hsts_max_age
        self.trusted_headers = header_names(trusted_headers)
        hops = self.trusted_proxies

        def hops_for(name: str) -> int:
            return hops if name.lower() in self.trusted_headers else 0

        self.behind_proxies = ProxyFix(
            self._read_api_scheme,
            x_for=hops_for("X-Forwarded-For"),
            x_proto=hops_for("X-Forwarded-Proto"),
            x_host=hops_for("X-Forwarded-Host"),
            x_port=hops_for("X-Forwarded-Port"),
            x_prefix=hops_for("X-Forwarded-Prefix"),
        )

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get(PLATFORM_KEY):
            return self._serve(environ, start_response)
        connection_scheme(environ)
        if not self.trusted_proxies:
            return self._serve(environ, start_response)
        return self.behind_proxies(environ, start_response)

    def _read_api_scheme(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Take the scheme from X-Api-Scheme when it is trusted and says http or https."""
        if "x-api-scheme" in self.trusted_headers:
            scheme = environ.get("HTTP_X_API_SCHEME", "").strip().lower()
            if scheme in ("http", "https"):
                environ["wsgi.url_scheme"] = scheme
        return self._serve(environ, start_response)

    def _serve(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Redirect plain HTTP when HTTPS is forced; mark HTTPS answers with HSTS."""
        if not self.force_https:
            return self.wsgi_app(environ, start_response)
        if environ.get("wsgi.url_scheme") != "https":
            url = https_url(environ)
            if url is None:
                refused = Response("Bad Request: no https URL for this Host or path\n", 400)
                return refused(environ, start_response)
            return Response(status=308, headers={"Location": url})(environ, start_response)

        def start_with_hsts(status: str, headers: list, exc_info: Any = None) -> Callable:
            if not any(name.lower() == "strict-transport-security" for name, _ in headers):
                headers = headers + [
                    ("Strict-Transport-Security", "max-age=%d" % self.hsts_max_age)
                ]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start_with_hsts)


def init_app(app: Flask) -> ReverseProxied:
    """Wrap app.wsgi_app per TRUSTED_PROXIES, TRUSTED_PROXY_HEADERS and FORCE_HTTPS."""
    proxied = ReverseProxied(
        app.wsgi_app,
        trusted_proxies=int(app.config.get("TRUSTED_PROXIES") or 0),
        force_https=bool(app.config.get("FORCE_HTTPS")),
        trusted_headers=app.config.get("TRUSTED_PROXY_HEADERS"),
    )
    app.wsgi_app = proxied
    return proxied
