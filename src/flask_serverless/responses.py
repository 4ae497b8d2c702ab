"""Run a WSGI app to completion and turn its answer into each platform's response format."""

import base64
import itertools
import json
from typing import Any, Callable, Dict, Iterable, List, Mapping, NamedTuple, Optional, Tuple

from werkzeug.http import HTTP_STATUS_CODES

from .events import AWS_ALB, AWS_HTTP, AWS_REST

#: The largest answer a synchronous invocation may return, on Tencent SCF and AWS Lambda.
PLATFORM_LIMIT_BYTES = 6 * 1024 * 1024

#: Types sent as text although they are not text/*; everything else goes base64.
TEXT_MIMETYPES = frozenset(
    [
        "application/json",
        "application/javascript",
        "application/xml",
        "application/x-www-form-urlencoded",
        "application/manifest+json",
        "image/svg+xml",
    ]
)
_TEXT_CHARSETS = ("utf-8", "utf8", "us-ascii", "ascii")
_HOP_BY_HOP = ("connection", "keep-alive", "transfer-encoding")

Headers = List[Tuple[str, str]]


class ResponseTooLarge(Exception):
    """The app's answer does not fit in what the platform can return."""

    def __init__(self, size: int) -> None:
        super().__init__("the response has at least %d bytes" % size)
        self.size = size


class WsgiResult(NamedTuple):
    """What a WSGI app answered: status, headers and the whole body."""

    status: int
    headers: Headers
    body: bytes


def run_app(
    app: Callable[..., Iterable[bytes]],
    environ: Dict[str, Any],
    limit: int = PLATFORM_LIMIT_BYTES,
) -> WsgiResult:
    """Call a WSGI app, read its whole body and close it, stopping once the body passes limit."""
    started: Dict[str, Any] = {}
    chunks: List[bytes] = []

    def start_response(status: str, headers: Headers, exc_info: Any = None) -> Callable:
        if exc_info:  # the app hit an error mid-response: let the handler answer 500
            raise exc_info[1].with_traceback(exc_info[2])
        started["status"], started["headers"] = status, list(headers)
        return chunks.append

    iterable = app(environ, start_response)
    try:
        size = sum(map(len, chunks))
        for chunk in iterable:
            if chunk:
                chunks.append(chunk)
                size += len(chunk)
                if size > limit:
                    raise ResponseTooLarge(size)
    finally:
        close = getattr(iterable, "close", None)
        if close is not None:
            close()
    if not started:
        raise RuntimeError("the app returned without calling start_response")
    status = started["status"]
    code = _STATUS_CODES.get(status) or int(status.split(" ", 1)[0])
    return _new_tuple(WsgiResult, (code, started["headers"], b"".join(chunks)))


#: Builds a WsgiResult from its three fields without the named tuple's own constructor, a
#: Python function whose call costs a few percent of the handler's time per invocation.
_new_tuple = tuple.__new__

#: Status lines and their codes: apps send the same few, call after call.
_STATUS_CODES = {"200 OK": 200, "304 NOT MODIFIED": 304, "304 Not Modified": 304}


def is_text(headers: Headers, body: bytes) -> bool:
    """Tell whether a body can travel as a JSON string and arrive byte-identical."""
    return body_text(headers, body) is not None


def body_text(headers: Headers, body: bytes) -> Optional[str]:
    """Return a body as the string it can travel as, or None when it must go as base64."""
    return _body_text(_first(headers, "content-encoding"), _first(headers, "content-type"), body)


def _body_text(encoding: Optional[str], content_type: Optional[str], body: bytes) -> Optional[str]:
    if encoding and encoding.lower() != "identity":
        return None
    if not content_type:
        return None if body else ""
    if not _is_text_type(content_type):
        return None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _is_text_type(content_type: str) -> bool:
    """Tell whether a Content-Type is text in a charset UTF-8 can carry (answers are kept)."""
    known = _TEXT_TYPES.get(content_type)
    if known is not None:
        return known
    mimetype, _, parameters = content_type.partition(";")
    mimetype = mimetype.strip().lower()
    textual = (
        mimetype.startswith("text/")
        or mimetype in TEXT_MIMETYPES
        or mimetype.endswith(("+json", "+xml"))
    )
    charset = "utf-8"
    for parameter in parameters.split(";"):
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    answer = textual and charset in _TEXT_CHARSETS
    if len(_TEXT_TYPES) < 256:  # bounded: the app chooses its types, but some echo input
        _TEXT_TYPES[content_type] = answer
    return answer


_TEXT_TYPES: Dict[str, bool] = {}


def platform_answer(platform: str, result: WsgiResult, event: Mapping[str, Any]) -> Dict[str, Any]:
    """Return the answer a platform expects for a WSGI result."""
    if platform in (AWS_REST, AWS_ALB):
        return _multi_value_answer(platform, result, event)
    # AWS HTTP API, Tencent API Gateway and function URL: headers joined, Set-Cookie apart.
    joined: Dict[str, str] = {}  # by each name's first spelling, hop-by-hop ones left out
    spelling: Dict[str, str] = {}  # lower-case name -> its first spelling
    cookies: List[str] = []
    repeated = False
    for name, value in result.headers:
        lower = name.lower()
        if lower == "set-cookie":
            cookies.append(value)
        elif lower in spelling:
            key = spelling[lower]
            joined[key] = joined[key] + ", " + value
            repeated = True
        elif lower not in _HOP_BY_HOP:
            spelling[lower] = name
            joined[name] = value
    if repeated:  # the body's type and encoding are their first values
        encoding = _first(result.headers, "content-encoding")
        content_type = _first(result.headers, "content-type")
    else:
        encoding_name = spelling.get("content-encoding")
        encoding = joined[encoding_name] if encoding_name else None
        type_name = spelling.get("content-type")
        content_type = joined[type_name] if type_name else None
    answer = _answer(result, encoding, content_type)
    answer["headers"] = joined
    if platform == AWS_HTTP:
        answer["cookies"] = cookies
    elif cookies:  # Tencent: Set-Cookie as a list
        joined["Set-Cookie"] = cookies
    return answer


def _multi_value_answer(
    platform: str, result: WsgiResult, event: Mapping[str, Any]
) -> Dict[str, Any]:
    """Return the answer of a REST API, or of a load balancer."""
    grouped: Dict[str, List[str]] = {}  # by each name's first spelling, hop-by-hop ones left out
    spelling: Dict[str, str] = {}  # lower-case name -> its first spelling
    for name, value in result.headers:
        lower = name.lower()
        key = spelling.get(lower)
        if key is not None:
            grouped[key].append(value)
        elif lower not in _HOP_BY_HOP:
            spelling[lower] = name
            grouped[name] = [value]
    encoding = spelling.get("content-encoding")
    content_type = spelling.get("content-type")
    answer = _answer(
        result,
        grouped[encoding][0] if encoding else None,
        grouped[content_type][0] if content_type else None,
    )
    if platform == AWS_REST:
        answer["multiValueHeaders"] = grouped
        return answer
    answer["statusDescription"] = "%d %s" % (
        result.status,
        HTTP_STATUS_CODES.get(result.status, "Unknown"),
    )
    if "multiValueHeaders" in event:
        answer["multiValueHeaders"] = grouped
    else:
        kept = [(name, value) for name, value in result.headers if name.lower() in spelling]
        answer["headers"] = _with_cookie_casings(kept)
    return answer


def _answer(result: WsgiResult, encoding: Optional[str], content_type: Optional[str]) -> Dict:
    """Return an answer's status and body, the body as text when it can travel as text."""
    text = _body_text(encoding, content_type, result.body)
    return {
        "statusCode": result.status,
        "body": text if text is not None else base64.b64encode(result.body).decode("ascii"),
        "isBase64Encoded": text is None,
    }


def answer_size(answer: Mapping[str, Any]) -> int:
    """Return how many bytes an answer takes once the runtime serialises it."""
    return len(json.dumps(answer))


def answer_bound(result: WsgiResult) -> int:
    """Return at least the bytes any platform's answer for a result takes as JSON.

    Each character of the body and the headers takes at most 12 bytes as JSON (base64 takes
    4 for 3), each header at most 64 more for quotes, separators and a repeated name's
    spelling, and the answer's own keys and status 256: all counted in C, without building
    the answer's JSON.
    """
    header_chars = len("".join(itertools.chain.from_iterable(result.headers)))
    return 12 * (len(result.body) + header_chars) + 64 * len(result.headers) + 256


def oversize(answer: Mapping[str, Any], limit: int) -> int:
    """Return an answer's serialised size when it exceeds limit, else 0.

    Serialising the answer costs time on every invocation, so it is done only when an upper
    bound on its size says the answer might not fit.
    """
    bound = _size_bound(answer)
    if bound is not None and bound <= limit:
        return 0
    size = answer_size(answer)
    return size if size > limit else 0


def _size_bound(answer: Mapping[str, Any]) -> Optional[int]:
    """Return at least the bytes json.dumps(answer) takes, or None for a shape it does not know.

    No character takes more than 12 bytes as JSON (an escaped surrogate pair), a base64 body
    is ASCII that JSON keeps as it is, and each string, key, separator and scalar of an
    answer's shape costs at most 12 more. Joining strings counts them in C; it fails on
    anything that is not a string.
    """
    bound = 2
    try:
        for name, value in answer.items():
            bound += 12 * len(name) + 12
            if isinstance(value, str):
                base64_body = name == "body" and answer.get("isBase64Encoded") is True
                bound += len(value) if base64_body else 12 * len(value)
            elif isinstance(value, bool) or value is None:
                pass
            elif isinstance(value, int):
                bound += len(str(value))
            elif isinstance(value, dict):
                bound += 12 * (len("".join(value)) + len(value))
                for item in value.values():
                    if isinstance(item, str):
                        bound += 12 * len(item)
                    elif isinstance(item, list):
                        bound += 12 * (len("".join(item)) + len(item))
                    else:
                        return None
            elif isinstance(value, list):
                bound += 12 * (len("".join(value)) + len(value))
            else:
                return None
    except TypeError:
        return None
    return bound


def json_result(status: int, payload: Mapping[str, Any]) -> WsgiResult:
    """Return a small JSON result the handler answers by itself."""
    # A lone surrogate (from a request id, say) becomes its JSON escape instead of failing.
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8", "backslashreplace")
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    return WsgiResult(status, headers, body)


def _first(headers: Headers, name: str) -> Optional[str]:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def _grouped(headers: Iterable[Tuple[str, str]]) -> Dict[str, List[str]]:
    """Group values under the first spelling of each header name."""
    grouped: Dict[str, List[str]] = {}
    spelling: Dict[str, str] = {}
    for name, value in headers:
        key = spelling.setdefault(name.lower(), name)
        grouped.setdefault(key, []).append(value)
    return grouped


def _joined(headers: Iterable[Tuple[str, str]]) -> Dict[str, Any]:
    return {name: ", ".join(values) for name, values in _grouped(headers).items()}


def _with_cookie_casings(headers: Headers) -> Dict[str, Any]:
    """Return single-value headers, each Set-Cookie under its own spelling of the name.

    A load balancer without multi-value headers takes one value per key, but keys differ by
    case, so every cookie still reaches the browser.
    """
    answer = _joined(h for h in headers if h[0].lower() != "set-cookie")
    cookies = [value for name, value in headers if name.lower() == "set-cookie"]
    for spelling, cookie in zip(_casings("set-cookie"), cookies):
        answer[spelling] = cookie
    return answer


def _casings(name: str) -> Iterable[str]:
    """Yield every upper/lower-case spelling of a name, the conventional one first."""
    conventional = "-".join(part.capitalize() for part in name.split("-"))
    yield conventional
    letters = [index for index, char in enumerate(name) if char.isalpha()]
    for flags in itertools.product((False, True), repeat=len(letters)):
        chars = list(name)
        for index, upper in zip(letters, flags):
            if upper:
                chars[index] = chars[index].upper()
        spelling = "".join(chars)
        if spelling != conventional:
            yield spelling
