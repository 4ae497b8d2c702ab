"""Believe forwarding headers only from trusted proxies; optionally insist on HTTPS."""

from typing import Any, Callable, Iterable

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.utils import redirect
from werkzeug.wsgi import get_current_url

from .environ import PLATFORM_KEY

#: One year, the minimum browsers' preload lists accept.
HSTS_MAX_AGE_SECONDS = 365 * 24 * 3600

WsgiApp = Callable[..., Iterable[bytes]]


class ReverseProxied:
    """Take scheme, host, prefix and client address from proxies' headers, when trusted.

    Requests the serverless handler built from a gateway's event are trusted as they are: it
    set the scheme, host and client address from the event itself. Any other request is read
    the way Werkzeug's ProxyFix reads it (X-Forwarded-For, -Proto, -Host, -Port, -Prefix, and
    Tencent's X-Api-Scheme in place of X-Forwarded-Proto), but only when trusted_proxies says
    how many proxies stand in front; with 0, a client's own headers change nothing.
    """

    def __init__(
        self,
        wsgi_app: WsgiApp,
        trusted_proxies: int = 0,
        force_https: bool = False,
        hsts_max_age: int = HSTS_MAX_AGE_SECONDS,
    ) -> None:
        self.wsgi_app = wsgi_app
        self.trusted_proxies = max(0, int(trusted_proxies))
        self.force_https = force_https
        self.hsts_max_age = hsts_max_age
        hops = self.trusted_proxies
        self.behind_proxies = ProxyFix(
            self._serve, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get(PLATFORM_KEY) or not self.trusted_proxies:
            return self._serve(environ, start_response)
        api_scheme = environ.get("HTTP_X_API_SCHEME")
        if api_scheme and "HTTP_X_FORWARDED_PROTO" not in environ:
            environ["HTTP_X_FORWARDED_PROTO"] = api_scheme
        return self.behind_proxies(environ, start_response)

    def _serve(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Redirect plain HTTP when HTTPS is forced; mark HTTPS answers with HSTS."""
        if not self.force_https:
            return self.wsgi_app(environ, start_response)
        if environ.get("wsgi.url_scheme") != "https":
            url = "https://" + get_current_url(environ).split("://", 1)[1]
            return redirect(url, code=308)(environ, start_response)

        def start_with_hsts(status: str, headers: list, exc_info: Any = None) -> Callable:
            if not any(name.lower() == "strict-transport-security" for name, _ in headers):
                headers = headers + [
                    ("Strict-Transport-Security", "max-age=%d" % self.hsts_max_age)
                ]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start_with_hsts)


def init_app(app: Flask) -> ReverseProxied:
    """Wrap app.wsgi_app per TRUSTED_PROXIES (default 0) and FORCE_HTTPS (default off)."""
    proxied = ReverseProxied(
        app.wsgi_app,
        trusted_proxies=int(app.config.get("TRUSTED_PROXIES") or 0),
        force_https=bool(app.config.get("FORCE_HTTPS")),
    )
    app.wsgi_app = proxied
    return proxied
