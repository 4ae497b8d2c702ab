"""Build a PEP 3333 environ from a gateway request, mounted under its stage or base path."""

import io
import itertools
import sys
from typing import Any, Dict, Tuple
from urllib.parse import unquote_to_bytes

from .events import GatewayRequest

#: Hosts a gateway gives an API before any custom domain: their URLs carry the stage.
DEFAULT_GATEWAY_HOST_SUFFIXES = (
    ".apigw.tencentcs.com",
    ".tencentapigw.com",
    ".apigateway.myqcloud.com",
    ".amazonaws.com",
    ".amazonaws.com.cn",
)

#: Environ keys the handler sets; a client cannot set them, so they mark trusted requests.
PLATFORM_KEY = "flask_serverless.platform"
EVENT_KEY = "flask_serverless.event"
CONTEXT_KEY = "flask_serverless.context"
REQUEST_ID_KEY = "flask_serverless.request_id"

_JOINED_WITH_SEMICOLON = ("cookie",)


def split_host(host: str, scheme: str, forwarded_port: str = "") -> Tuple[str, str]:
    """Split a Host header into server name and port, defaulting the port by scheme."""
    name, port = host, ""
    if host.startswith("[") and "]" in host:
        name, _, rest = host.partition("]")
        name, port = name + "]", rest[1:]
    elif ":" in host:
        name, _, port = host.rpartition(":")
    if not port.isdigit():
        port = forwarded_port if forwarded_port.isdigit() else ""
    return name or "localhost", port or ("443" if scheme == "https" else "80")


def is_default_gateway_host(host: str) -> bool:
    """Tell whether a host is a gateway's own domain, whose paths start with the stage."""
    known = _GATEWAY_HOSTS.get(host)
    if known is not None:
        return known
    name = split_host(host.lower(), "http")[0]
    answer = name.endswith(DEFAULT_GATEWAY_HOST_SUFFIXES)
    if len(_GATEWAY_HOSTS) < _GATEWAY_HOSTS_KEPT:  # bounded: clients choose the Host
        _GATEWAY_HOSTS[host] = answer
    return answer


#: is_default_gateway_host's and split_host's answers: a function serves one or two hosts,
#: call after call.
_GATEWAY_HOSTS: Dict[str, bool] = {}
_SERVERS: Dict[Tuple[str, str, str], Tuple[str, str]] = {}
_GATEWAY_HOSTS_KEPT = 64


def mount(request: GatewayRequest, base_path: str, strip_stage: bool = False) -> Tuple[str, str]:
    """Return SCRIPT_NAME and the path below it for a request.

    On a gateway's default host the app lives under /<stage>; on a custom domain, under the
    BASE_PATH of its path mapping (or at the root). A path that already starts with that
    prefix is stripped, so the prefix never appears twice. strip_stage (serverless-wsgi's
    STRIP_STAGE_PATH) serves the default host at the root too: for a CDN whose origin path
    holds the stage while it passes the gateway's own Host on.
    """
    on_gateway_host = is_default_gateway_host(request.host)
    if on_gateway_host:
        stage = request.stage.strip("/")
        prefix = "/" + stage if stage and stage != "$default" else ""
    else:
        base = base_path.strip("/")
        prefix = "/" + base if base else ""
    path = request.path or "/"
    if not path.startswith("/"):
        path = "/" + path
    if prefix and (path == prefix or path.startswith(prefix + "/")):
        path = path[len(prefix) :] or "/"
    if strip_stage and on_gateway_host:
        prefix = ""
    return prefix, path


def wsgi_string(text: str) -> str:
    """Percent-decode a path and carry its bytes as latin-1, as PEP 3333 wants."""
    if "%" not in text:
        try:
            text.encode("ascii")
        except UnicodeEncodeError:
            pass
        else:
            return text  # nothing to decode: the same string
    return unquote_to_bytes(text).decode("latin-1")


def make_environ(
    request: GatewayRequest,
    base_path: str = "",
    event: Any = None,
    context: Any = None,
    request_id: str = "",
    strip_stage: bool = False,
) -> Dict[str, Any]:
    """Return the WSGI environ for one gateway request."""
    script_name, path = mount(request, base_path, strip_stage)
    grouped = request.headers
    forwarded_port = ", ".join(grouped.get("x-forwarded-port", ()))
    key = (request.host, request.scheme, forwarded_port)
    server = _SERVERS.get(key)
    if server is None:
        server = split_host(request.host, request.scheme, forwarded_port)
        if len(_SERVERS) < _GATEWAY_HOSTS_KEPT:
            _SERVERS[key] = server
    server_name, server_port = server
    environ = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": wsgi_string(script_name),
        "PATH_INFO": wsgi_string(path),
        "QUERY_STRING": request.query_string,
        "CONTENT_TYPE": ", ".join(grouped.get("content-type", ())),
        "CONTENT_LENGTH": str(len(request.body)),
        "SERVER_NAME": server_name,
        "SERVER_PORT": server_port,
        "SERVER_PROTOCOL": request.protocol,
        "REMOTE_ADDR": request.remote_addr,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": request.scheme if request.scheme in ("http", "https") else "http",
        "wsgi.input": io.BytesIO(request.body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        PLATFORM_KEY: request.platform,
        EVENT_KEY: event,
        CONTEXT_KEY: context,
        REQUEST_ID_KEY: request_id or request.request_id,
    }
    for name, values in grouped.items():
        key = _ENVIRON_KEYS.get(name) or _environ_key(name)
        if key:
            if len(values) == 1:
                environ[key] = values[0]
            else:
                # Repeated headers fold the way HTTP folds them; cookies join with "; ".
                separator = "; " if name in _JOINED_WITH_SEMICOLON else ", "
                environ[key] = separator.join(values)
    if request.host:
        environ["HTTP_HOST"] = request.host
    if request.remote_user:
        environ["REMOTE_USER"] = request.remote_user
    fields = (request.query_string, request.host, request.remote_addr, request.remote_user)
    texts = itertools.chain(fields, itertools.chain.from_iterable(grouped.values()))
    try:  # ASCII reads the same as latin-1: one check for the whole request, usually
        "".join(texts).encode("ascii")
    except UnicodeEncodeError:
        return _native_strings(environ)
    return environ


#: Environ values a server reads from the request line and headers, besides HTTP_*.
_FROM_THE_REQUEST = ("QUERY_STRING", "CONTENT_TYPE", "SERVER_NAME", "REMOTE_ADDR", "REMOTE_USER")


def _native_strings(environ: Dict[str, Any]) -> Dict[str, Any]:
    """Carry the request's text as a server would: its UTF-8 bytes read as latin-1.

    Gateways hand over decoded text ("?kind=😀", a header with Chinese in it); PEP 3333
    wants latin-1 strings, and Werkzeug 2.0 fails with a 500 on anything else.
    """
    for key, value in environ.items():
        if isinstance(value, str) and (key.startswith("HTTP_") or key in _FROM_THE_REQUEST):
            environ[key] = value.encode("utf-8").decode("latin-1")
    return environ


#: Environ keys of the header names seen so far ("" for those left out); bounded, since
#: clients choose the names.
_ENVIRON_KEYS: Dict[str, str] = {}
_ENVIRON_KEYS_KEPT = 512


def _environ_key(name: str) -> str:
    """Return the environ key of a lower-case header name, or "" when it is left out."""
    if name in ("content-type", "content-length") or "_" in name:
        key = ""  # underscores would let a header pose as another one
    else:
        key = "HTTP_" + name.upper().replace("-", "_")
    if len(_ENVIRON_KEYS) < _ENVIRON_KEYS_KEPT:
        _ENVIRON_KEYS[name] = key
    return key
