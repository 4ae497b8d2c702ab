"""Build a PEP 3333 environ from a gateway request, mounted under its stage or base path."""

import io
import sys
from typing import Any, Dict, Iterable, NamedTuple, Tuple
from urllib.parse import unquote_to_bytes

from .events import GatewayRequest, is_ascii

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
    point, path = _mount(request, base_path, strip_stage)
    return point.script_name, path


class _MountPoint(NamedTuple):
    """Where requests to one host and stage are mounted, worked out once."""

    prefix: str  # stripped from a path that starts with it
    prefix_slash: str
    script_name: str
    wsgi_script_name: str  # as the environ carries it


def _mount(request: GatewayRequest, base_path: str, strip_stage: bool) -> Tuple[_MountPoint, str]:
    key = (request.host, request.stage, base_path, strip_stage)
    point = _MOUNT_POINTS.get(key)
    if point is None:
        point = _mount_point(*key)
        if len(_MOUNT_POINTS) < _GATEWAY_HOSTS_KEPT:  # bounded: clients choose the Host
            _MOUNT_POINTS[key] = point
    path = request.path or "/"
    if path[0] != "/":
        path = "/" + path
    prefix = point.prefix
    if prefix and (path == prefix or path.startswith(point.prefix_slash)):
        path = path[len(prefix) :] or "/"
    return point, path


def _mount_point(host: str, stage: str, base_path: str, strip_stage: bool) -> _MountPoint:
    on_gateway_host = is_default_gateway_host(host)
    if on_gateway_host:
        stage = stage.strip("/")
        prefix = "/" + stage if stage and stage != "$default" else ""
    else:
        base = base_path.strip("/")
        prefix = "/" + base if base else ""
    script_name = "" if strip_stage and on_gateway_host else prefix
    return _MountPoint(prefix, prefix + "/", script_name, wsgi_string(script_name))


_MOUNT_POINTS: Dict[Tuple[str, str, str, bool], _MountPoint] = {}


def wsgi_string(text: str) -> str:
    """Percent-decode a path and carry its bytes as latin-1, as PEP 3333 wants."""
    if "%" not in text and is_ascii(text):
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
    point, path = _mount(request, base_path, strip_stage)
    if "%" in path or not is_ascii(path):
        path = wsgi_string(path)
    headers = request.headers
    host, scheme, body = request.host, request.scheme, request.body
    forwarded_port = headers.get("HTTP_X_FORWARDED_PORT", "")
    key = (host, scheme, forwarded_port)
    server = _SERVERS.get(key)
    if server is None:
        server = split_host(host, scheme, forwarded_port)
        if len(_SERVERS) < _GATEWAY_HOSTS_KEPT:
            _SERVERS[key] = server
    environ = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": point.wsgi_script_name,
        "PATH_INFO": path,
        "QUERY_STRING": request.query_string,
        "CONTENT_TYPE": "",
        "CONTENT_LENGTH": str(len(body)) if body else "0",
        "SERVER_NAME": server[0],
        "SERVER_PORT": server[1],
        "SERVER_PROTOCOL": request.protocol,
        "REMOTE_ADDR": request.remote_addr,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scheme if scheme == "https" or scheme == "http" else "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        PLATFORM_KEY: request.platform,
        EVENT_KEY: event,
        CONTEXT_KEY: context,
        REQUEST_ID_KEY: request_id or request.request_id,
    }
    environ.update(headers)  # already by environ key, CONTENT_TYPE among them
    if host:
        environ["HTTP_HOST"] = host
    remote_user = request.remote_user
    if remote_user:
        environ["REMOTE_USER"] = remote_user
    # ASCII reads the same as latin-1: the usual request needs no recoding.
    if (
        is_ascii(request.query_string)
        and is_ascii(host)
        and is_ascii(request.remote_addr)
        and is_ascii(remote_user)
        and _all_ascii(headers.values())
    ):
        return environ
    return _native_strings(environ)


if hasattr(str, "isascii"):

    def _all_ascii(texts: Iterable[str]) -> bool:
        """Tell whether every string is all ASCII."""
        return all(map(str.isascii, texts))

else:  # Python 3.6

    def _all_ascii(texts: Iterable[str]) -> bool:
        """Tell whether every string is all ASCII."""
        return is_ascii("".join(texts))


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
