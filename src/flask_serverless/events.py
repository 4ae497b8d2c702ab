"""Recognise a platform's event by its shape and read it into one request shape."""

import base64
import binascii
import itertools
import operator
import re
from typing import Any, Callable, Dict, List, Mapping, NamedTuple, Optional, Set, Tuple
from urllib.parse import urlencode

#: Tencent SCF behind an API Gateway trigger.
TENCENT_APIGW = "tencent-apigw"
#: Tencent SCF function URL: the API Gateway shape without requestContext.
TENCENT_FUNCTION_URL = "tencent-function-url"
#: AWS API Gateway REST API, and HTTP API with payload format 1.0.
AWS_REST = "aws-rest"
#: AWS HTTP API (and Lambda function URL) with payload format 2.0.
AWS_HTTP = "aws-http"
#: AWS Application Load Balancer target.
AWS_ALB = "aws-alb"
#: Timer triggers (Tencent) and scheduled events (AWS).
TIMER = "timer"
#: Warm-up pings that keep a container alive.
WARMUP = "warmup"
#: A Flask CLI command sent by direct invocation: {"flask_serverless": {"command": [...]}}.
COMMAND = "command"
#: Anything else.
UNKNOWN = "unknown"

HTTP_PLATFORMS = (TENCENT_APIGW, TENCENT_FUNCTION_URL, AWS_REST, AWS_HTTP, AWS_ALB)

_METHOD = re.compile(r"^[A-Za-z]{1,20}$")
_PROTOCOL = re.compile(r"^HTTP/\d(\.\d)?$")


class MalformedEvent(ValueError):
    """A gateway event whose fields are missing or not of their documented types."""


class GatewayRequest(NamedTuple):
    """One HTTP request as a gateway handed it over, whatever the platform."""

    platform: str
    method: str
    path: str  # as the event gives it, possibly percent-encoded
    query_string: str  # already encoded
    # By environ key (HTTP_ACCEPT, CONTENT_TYPE; Content-Length and names with "_" left out),
    # each repeated header folded into one value as HTTP folds it, cookies with "; ".
    headers: Dict[str, str]
    body: bytes
    host: str
    scheme: str
    remote_addr: str
    stage: str = ""
    protocol: str = "HTTP/1.1"
    request_id: str = ""
    remote_user: str = ""  # the principal an authorizer named, as REMOTE_USER


def classify(event: Any) -> str:
    """Return the platform an event comes from, judged by its shape alone."""
    if type(event) is not dict and not isinstance(event, dict):
        return UNKNOWN
    if "flask_serverless" in event and isinstance(event["flask_serverless"], dict):
        return COMMAND
    # The payload version names the format; the shape decides only when there is none.
    version = event.get("version")
    if version == "2.0":
        return AWS_HTTP
    if version == "1.0":
        return AWS_REST
    if "rawPath" in event:
        return AWS_HTTP
    context = event.get("requestContext")
    if isinstance(context, dict) and "elb" in context:
        return AWS_ALB
    if "httpMethod" in event or ("path" in event and ("headers" in event or context)):
        if "requestContext" not in event:
            return TENCENT_FUNCTION_URL
        if (
            "queryString" in event
            or "headerParameters" in event
            or (isinstance(context, dict) and "serviceId" in context)
        ):
            return TENCENT_APIGW
        return AWS_REST
    if event.get("Type") == "Timer" or event.get("source") == "aws.events":
        return TIMER
    if event.get("source") == "serverless-plugin-warmup" or "warmup" in event:
        return WARMUP
    return UNKNOWN


def read_request(event: Mapping[str, Any], platform: str) -> GatewayRequest:
    """Read an HTTP platform's event; raise MalformedEvent when it breaks the format."""
    reader = _READERS[platform]
    fields = reader(event, _unchecked_text)
    # Every text field in one go; the headers and query were checked as they were read.
    text = "".join(_text_fields(fields))
    if not is_ascii(text):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            reader(event, _text)  # again, field by field, to name the one that is not Unicode
            raise MalformedEvent("the event holds text that is not valid Unicode") from None
    host = fields[_HOST]
    if host not in _HOST_NAMES:
        _check_host(host)
    return _new_tuple(GatewayRequest, fields)


#: A reader's answer: GatewayRequest's fields in their order, every one given. Readers build
#: this plain tuple and read_request makes it a GatewayRequest once checked: keywords, or the
#: named tuple's own constructor (a Python function), cost a few percent of the handler's
#: time per invocation.
Fields = Tuple[Any, ...]
TextReader = Callable[..., str]

_new_tuple = tuple.__new__
_text_fields = operator.itemgetter(
    *(
        GatewayRequest._fields.index(name)
        for name in GatewayRequest._fields
        if name not in ("platform", "headers", "body")
    )
)
_HOST = GatewayRequest._fields.index("host")


def _encodes_as_ascii(text: str) -> bool:
    try:
        text.encode("ascii")
    except UnicodeEncodeError:
        return False
    return True


#: Tell whether a string is all ASCII: str.isascii reads a flag the string keeps (Python 3.7+).
is_ascii: Callable[[str], bool] = getattr(str, "isascii", _encodes_as_ascii)


def _check_host(host: str) -> None:
    """Refuse a Host a WSGI app cannot serve; remember one it can (a function serves a few)."""
    if not is_ascii(host):
        # Host names travel as ASCII (IDNs as punycode); Werkzeug 2.0 fails on anything else.
        raise MalformedEvent("host %s is not an ASCII host name" % ascii(host[:60]))
    try:
        # As Werkzeug's URL map does, which fails on an empty label or one over 63 characters.
        host.partition(":")[0].encode("idna")
    except UnicodeError:
        raise MalformedEvent("host %s is not a valid host name" % ascii(host[:60])) from None
    if len(_HOST_NAMES) < _HOST_NAMES_KEPT:  # bounded: clients choose the Host
        _HOST_NAMES.add(host)


_HOST_NAMES: Set[str] = set()
_HOST_NAMES_KEPT = 64


def _tencent_apigw(event: Mapping[str, Any], text: "TextReader") -> Fields:
    context = _mapping(event, "requestContext", required=True)
    headers = _headers(_mapping(event, "headers"), None)[0]
    query = _mapping(event, "queryString") or _mapping(event, "queryStringParameters")
    scheme = _header(headers, "HTTP_X_API_SCHEME") or _header(headers, "HTTP_X_FORWARDED_PROTO")
    return (
        TENCENT_APIGW,  # platform
        _method(text(event, "httpMethod", required=True)),  # method
        text(event, "path", required=True),  # path
        _encode_query(query),  # query_string
        headers,  # headers
        _body(event),  # body
        _header(headers, "HTTP_HOST"),  # host
        scheme or "http",  # scheme
        text(context, "sourceIp") or _forwarded_client(headers, tencent=True),  # remote_addr
        text(context, "stage"),  # stage
        "HTTP/1.1",  # protocol
        text(context, "requestId") or _header(headers, "HTTP_X_API_REQUESTID"),  # request_id
        "",  # remote_user
    )


def _tencent_function_url(event: Mapping[str, Any], text: "TextReader") -> Fields:
    headers = _headers(_mapping(event, "headers"), None)[0]
    return (
        TENCENT_FUNCTION_URL,  # platform
        _method(text(event, "httpMethod", required=True)),  # method
        text(event, "path", required=True),  # path
        _encode_query(_mapping(event, "queryString")),  # query_string
        headers,  # headers
        _body(event),  # body
        _header(headers, "HTTP_HOST"),  # host
        "https",  # scheme: function URLs are https endpoints, whatever X-Forwarded-Proto says
        _forwarded_client(headers, tencent=True),  # remote_addr
        "",  # stage: a function URL serves the function at its root
        "HTTP/1.1",  # protocol
        "",  # request_id: the context's
        "",  # remote_user
    )


def _aws_rest(event: Mapping[str, Any], text: "TextReader") -> Fields:
    context = _mapping(event, "requestContext")
    headers, first = _headers(_mapping(event, "headers"), _mapping(event, "multiValueHeaders"))
    query = _mapping(event, "multiValueQueryStringParameters") or _mapping(
        event, "queryStringParameters"
    )
    return (
        AWS_REST,  # platform
        _method(text(event, "httpMethod", required=True)),  # method
        text(event, "path", required=True),  # path
        _encode_query(query),  # query_string
        headers,  # headers
        _body(event),  # body
        _header(first, "HTTP_HOST") or text(context, "domainName"),  # host
        _header(first, "HTTP_X_FORWARDED_PROTO") or "https",  # scheme
        # remote_addr
        text(_mapping(context, "identity"), "sourceIp") or _forwarded_client(headers),
        text(context, "stage"),  # stage
        _protocol(text(context, "protocol")),  # protocol
        text(context, "requestId"),  # request_id
        text(_mapping(context, "authorizer"), "principalId"),  # remote_user
    )


def _aws_http(event: Mapping[str, Any], text: "TextReader") -> Fields:
    context = _mapping(event, "requestContext", required=True)
    http = _mapping(context, "http", required=True)
    headers = _headers(_mapping(event, "headers"), None)[0]
    cookies = _list_of_text(event, "cookies")
    if cookies:
        # The gateway moves the Cookie header into cookies; a local gateway may send both.
        header = headers.get("HTTP_COOKIE")
        if header:
            listed = set(cookies)
            extra = [
                cookie.strip()
                for cookie in header.split(";")
                if cookie.strip() and cookie.strip() not in listed
            ]
            cookies = cookies + extra
        headers["HTTP_COOKIE"] = "; ".join(cookies)
    authorizer = _mapping(context, "authorizer")
    remote_user = ""
    if authorizer:  # a JWT authorizer names the subject; a Lambda one, a principal
        subject = _mapping(_mapping(authorizer, "jwt"), "claims").get("sub")
        remote_user = subject if isinstance(subject, str) else text(authorizer, "principalId")
    return (
        AWS_HTTP,  # platform
        _method(text(http, "method", required=True)),  # method
        text(event, "rawPath") or text(http, "path", required=True),  # path
        text(event, "rawQueryString"),  # query_string
        headers,  # headers
        _body(event),  # body
        _header(headers, "HTTP_HOST") or text(context, "domainName"),  # host
        _header(headers, "HTTP_X_FORWARDED_PROTO") or "https",  # scheme
        text(http, "sourceIp") or _forwarded_client(headers),  # remote_addr
        text(context, "stage"),  # stage
        _protocol(text(http, "protocol")),  # protocol
        text(context, "requestId"),  # request_id
        remote_user,  # remote_user
    )


def _aws_alb(event: Mapping[str, Any], text: "TextReader") -> Fields:
    headers, first = _headers(_mapping(event, "headers"), _mapping(event, "multiValueHeaders"))
    query = _mapping(event, "multiValueQueryStringParameters") or _mapping(
        event, "queryStringParameters"
    )
    return (
        AWS_ALB,  # platform
        _method(text(event, "httpMethod", required=True)),  # method
        text(event, "path", required=True),  # path
        _join_encoded_query(query),  # query_string
        headers,  # headers
        _body(event),  # body
        _header(first, "HTTP_HOST"),  # host
        _header(first, "HTTP_X_FORWARDED_PROTO") or "http",  # scheme
        _forwarded_client(headers, appended=True),  # remote_addr
        "",  # stage
        "HTTP/1.1",  # protocol
        "",  # request_id
        "",  # remote_user
    )


_READERS = {
    TENCENT_APIGW: _tencent_apigw,
    TENCENT_FUNCTION_URL: _tencent_function_url,
    AWS_REST: _aws_rest,
    AWS_HTTP: _aws_http,
    AWS_ALB: _aws_alb,
}


def _mapping(source: Mapping[str, Any], name: str, required: bool = False) -> Dict[str, Any]:
    """Return a field that must be an object, or {} when absent and optional."""
    value = source.get(name)
    if type(value) is dict:
        return value
    if value is None:
        if required:
            raise MalformedEvent("%s is missing" % name)
        return {}
    if not isinstance(value, dict):
        raise MalformedEvent("%s must be an object, not %s" % (name, type(value).__name__))
    return value


def _text(source: Mapping[str, Any], name: str, required: bool = False) -> str:
    """Return a field that must be a string, or "" when absent and optional."""
    value = source.get(name)
    if value is None:
        if required:
            raise MalformedEvent("%s is missing" % name)
        return ""
    if not isinstance(value, str):
        raise MalformedEvent("%s must be a string, not %s" % (name, type(value).__name__))
    return _unicode(value, name)


def _unchecked_text(source: Mapping[str, Any], name: str, required: bool = False) -> str:
    """Return a field that must be a string, leaving its Unicode to one check of them all."""
    value = source.get(name)
    if type(value) is str:
        return value
    if value is None:
        if required:
            raise MalformedEvent("%s is missing" % name)
        return ""
    if not isinstance(value, str):
        raise MalformedEvent("%s must be a string, not %s" % (name, type(value).__name__))
    return value


def _unicode(value: str, name: str) -> str:
    """Return text that can be encoded, refusing the lone surrogates JSON's \\ud800 allows."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedEvent("%s is not valid Unicode text" % ascii(name)[1:-1]) from None
    return value


def _list_of_text(source: Mapping[str, Any], name: str) -> List[str]:
    """Return a field that must be a list of strings, or [] when absent."""
    value = source.get(name)
    if value is None:
        return []
    if type(value) is list:
        try:  # every item a string of valid Unicode, checked in C
            "".join(value).encode("utf-8")
        except (TypeError, UnicodeEncodeError):
            pass
        else:
            return value
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise MalformedEvent("%s must be a list of strings" % name)
    return [_unicode(item, name) for item in value]


def _values_of(name: str, value: Any) -> List[str]:
    """Return one header's or query parameter's values as a list of strings."""
    name = _unicode(name, ascii(name)[1:-1])
    if isinstance(value, str):
        return [_unicode(value, name)]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [str(value)]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [_unicode(item, name) for item in value]
    raise MalformedEvent("%s must be a string or a list of strings" % name)


class _Unusual(Exception):
    """A field the fast path leaves to the checks that name what is wrong with it."""


def _plain_values(sources: Tuple[Mapping[str, Any], ...], lower: bool) -> Dict[str, List[str]]:
    """Merge string and list-of-string values by name, checking their Unicode in one go.

    Any other value, or text that cannot be encoded, raises _Unusual: the callers then read
    the same fields item by item, which raises the precise MalformedEvent.
    """
    merged: Dict[str, List[str]] = {}
    for source in sources:
        for name, value in source.items():
            if value is None:
                continue
            if type(value) is str:
                values = [value]
            elif type(value) is list:
                values = value  # the join below refuses items that are not strings
            else:
                raise _Unusual
            merged[name.lower() if lower else name] = values
    try:
        "".join(merged).encode("utf-8")
        "".join(itertools.chain.from_iterable(merged.values())).encode("utf-8")
    except (UnicodeEncodeError, TypeError):
        raise _Unusual from None
    return merged


def _headers(
    single: Mapping[str, Any], multi: Optional[Mapping[str, Any]]
) -> Tuple[Dict[str, str], Dict[str, str]]:
    """Merge single- and multi-value headers (multi wins) by their environ key.

    Return them folded as the environ holds them, and each one's first value.
    """
    try:
        if not multi:
            folded = _single_headers(single)
            return folded, folded
        if not single or single.keys() <= multi.keys():
            # A gateway sends each header in both; the multi-value one wins.
            return _multi_headers(multi)
    except _Unusual:
        pass
    try:
        grouped = _plain_values((single, multi or {}), lower=True)
    except _Unusual:
        grouped = _checked_headers(single, multi)
    return _multi_headers(grouped)


def _single_headers(source: Mapping[str, Any]) -> Dict[str, str]:
    """Return headers of one value each by environ key; anything unusual raises _Unusual.

    One join checks every value's type and Unicode in C; a None, a number or a list is left
    to the general merge, and so is a name that is not text.
    """
    try:
        "".join(source.values()).encode("utf-8")
    except (TypeError, UnicodeEncodeError):
        raise _Unusual from None
    folded = {}
    known = _ENVIRON_KEYS.get
    for name, value in source.items():
        key = known(name)
        if key is None:
            key = _environ_key(name)
        if key:
            folded[key] = value
    return folded


def _multi_headers(source: Mapping[str, Any]) -> Tuple[Dict[str, str], Dict[str, str]]:
    """Return headers of lists of values, folded and first, as _headers; or raise _Unusual."""
    try:
        "".join(itertools.chain.from_iterable(source.values())).encode("utf-8")
    except (TypeError, UnicodeEncodeError):
        raise _Unusual from None
    folded = {}
    first = {}  # the first of values that are not alone
    known = _ENVIRON_KEYS.get
    for name, values in source.items():
        if type(values) is not list:  # a string's characters would pass the join above
            raise _Unusual
        key = known(name)
        if key is None:
            key = _environ_key(name)
        if not key:
            continue
        if len(values) == 1:
            folded[key] = values[0]
        else:
            # Repeated headers fold the way HTTP folds them; cookies join with "; ".
            folded[key] = ("; " if key == "HTTP_COOKIE" else ", ").join(values)
            first[key] = values[0] if values else ""
    if not first:
        return folded, folded
    first = dict(folded, **first)
    return folded, first


def _checked_headers(
    single: Mapping[str, Any], multi: Optional[Mapping[str, Any]]
) -> Dict[str, List[str]]:
    """Merge headers item by item, raising MalformedEvent at the first that breaks the format."""
    merged: Dict[str, List[str]] = {}
    for source in (single, multi or {}):
        for name, value in source.items():
            if value is None:
                continue
            merged[name.lower()] = _values_of("header %s" % name, value)
    return merged


def _environ_key(name: str) -> str:
    """Return the environ key of a header name (HTTP_ACCEPT, CONTENT_TYPE), "" if left out.

    Content-Length is left out (the body decides it), and so is any name with an underscore,
    which would let a header pose as another one. A name that is not text raises _Unusual.
    """
    try:
        name.encode("utf-8")
    except (AttributeError, UnicodeEncodeError):
        raise _Unusual from None
    lower = name.lower()
    if lower == "content-type":
        key = "CONTENT_TYPE"
    elif lower == "content-length" or "_" in lower:
        key = ""
    else:
        key = "HTTP_" + lower.upper().replace("-", "_")
    if len(_ENVIRON_KEYS) < _ENVIRON_KEYS_KEPT:
        _ENVIRON_KEYS[name] = key
    return key


#: Environ keys of the header names seen so far, as events spell them; bounded, since
#: clients choose the names.
_ENVIRON_KEYS: Dict[str, str] = {}
_ENVIRON_KEYS_KEPT = 512


def _header(headers: Dict[str, str], key: str) -> str:
    """Return a header's first value by its environ key, or ""."""
    value = headers.get(key)
    return value.strip() if value else ""


def _forwarded_client(
    headers: Dict[str, str], appended: bool = False, tencent: bool = False
) -> str:
    """Return the client's address from the gateway's headers, for events that carry none.

    Tencent's function URL names it in X-Scf-Remote-Addr (on Tencent, clients cannot set
    X-Scf-* headers; elsewhere they can, so it is read on Tencent only). Otherwise a gateway's own
    X-Forwarded-For starts with the client it saw (a CDN in front adds itself after it); a load
    balancer (appended=True) appends the client it saw to whatever the client sent.
    """
    scf = _header(headers, "HTTP_X_SCF_REMOTE_ADDR") if tencent else ""
    if scf:
        return scf
    forwarded = headers.get("HTTP_X_FORWARDED_FOR")
    if not forwarded:
        return ""
    addresses = [address.strip() for address in forwarded.split(",") if address.strip()]
    if not addresses:
        return ""
    return addresses[-1] if appended else addresses[0]


def _encode_query(parameters: Mapping[str, Any]) -> str:
    """Encode decoded query parameters (single or multi-valued) as a query string."""
    if not parameters:
        return ""
    try:
        merged = _plain_values((parameters,), lower=False)
    except _Unusual:
        pass
    else:
        return urlencode([(name, item) for name, values in merged.items() for item in values])
    pairs = []
    for name, value in parameters.items():
        if value is None:
            continue
        pairs.extend((name, item) for item in _values_of("query parameter %s" % name, value))
    return urlencode(pairs)


def _join_encoded_query(parameters: Mapping[str, Any]) -> str:
    """Join query parameters the load balancer passes still percent-encoded."""
    pairs = []
    for name, value in parameters.items():
        if value is None:
            continue
        for item in _values_of("query parameter %s" % name, value):
            pairs.append("%s=%s" % (name, item))
    return "&".join(pairs)


def _body(event: Mapping[str, Any]) -> bytes:
    """Return the request body's bytes, decoding base64 when the event says so."""
    body = _unchecked_text(event, "body")
    encoded = event.get("isBase64Encoded", False)
    if isinstance(encoded, str) and encoded.lower() in ("true", "false"):
        encoded = encoded.lower() == "true"
    if not isinstance(encoded, bool):
        raise MalformedEvent("isBase64Encoded must be a boolean")
    if not encoded:
        try:
            return body.encode("utf-8")
        except UnicodeEncodeError:
            raise MalformedEvent("body is not valid Unicode text") from None
    try:
        return base64.b64decode("".join(body.split()), validate=True)
    except (binascii.Error, ValueError):
        raise MalformedEvent("body is not valid base64") from None


def _method(method: str) -> str:
    """Return an HTTP method in upper case, refusing what cannot be one."""
    known = _METHODS.get(method)
    if known:
        return known
    if not _METHOD.match(method):
        raise MalformedEvent("httpMethod %r is not an HTTP method" % method[:40])
    if len(_METHODS) < 64:  # bounded: clients choose the method
        _METHODS[method] = method.upper()
    return method.upper()


def _protocol(protocol: str) -> str:
    """Return the HTTP version the gateway spoke, HTTP/1.1 when it does not say."""
    if protocol in _PROTOCOLS:
        return protocol
    return protocol if _PROTOCOL.match(protocol) else "HTTP/1.1"


#: The methods seen so far, each as its upper case; the protocols every gateway speaks.
_METHODS: Dict[str, str] = {}
_PROTOCOLS = frozenset(["HTTP/1.1", "HTTP/2.0", "HTTP/1.0", "HTTP/2", "HTTP/3"])
