"""Recognise a platform's event by its shape and read it into one request shape."""

import base64
import binascii
import itertools
import re
from typing import Any, Callable, Dict, List, Mapping, NamedTuple, Optional, Tuple
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
    headers: Dict[str, List[str]]  # lower-case name -> its values
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
    if not isinstance(event, dict):
        return UNKNOWN
    if isinstance(event.get("flask_serverless"), dict):
        return COMMAND
    context = event.get("requestContext")
    # The payload version names the format; the shape decides only when there is none.
    version = event.get("version")
    if version == "2.0":
        return AWS_HTTP
    if version == "1.0":
        return AWS_REST
    if "rawPath" in event:
        return AWS_HTTP
    if isinstance(context, dict) and "elb" in context:
        return AWS_ALB
    if "httpMethod" in event or ("path" in event and ("headers" in event or context)):
        if "requestContext" not in event:
            return TENCENT_FUNCTION_URL
        tencent_keys = ("queryString", "headerParameters")
        if any(key in event for key in tencent_keys) or (
            isinstance(context, dict) and "serviceId" in context
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
    request = reader(event, _unchecked_text)
    try:
        # Every text field in one go; the headers and query were checked as they were read.
        _joined_fields(request).encode("utf-8")
    except UnicodeEncodeError:
        reader(event, _text)  # again, field by field, to name the one that is not Unicode
        raise MalformedEvent("the event holds text that is not valid Unicode") from None
    try:
        request.host.encode("ascii")
    except UnicodeEncodeError:
        # Host names travel as ASCII (IDNs as punycode); Werkzeug 2.0 fails on anything else.
        host = ascii(request.host[:60])
        raise MalformedEvent("host %s is not an ASCII host name" % host) from None
    return request


TextReader = Callable[..., str]


def _joined_fields(request: GatewayRequest) -> str:
    """Return a request's text fields read without checks, joined."""
    return "".join(
        (
            request.method,
            request.path,
            request.query_string,
            request.host,
            request.scheme,
            request.remote_addr,
            request.stage,
            request.protocol,
            request.request_id,
            request.remote_user,
        )
    )


def _tencent_apigw(event: Mapping[str, Any], text: "TextReader") -> GatewayRequest:
    context = _mapping(event, "requestContext", required=True)
    headers = _headers(_mapping(event, "headers"), None)
    query = _mapping(event, "queryString") or _mapping(event, "queryStringParameters")
    return GatewayRequest(
        platform=TENCENT_APIGW,
        method=_method(text(event, "httpMethod", required=True)),
        path=text(event, "path", required=True),
        query_string=_encode_query(query),
        headers=headers,
        body=_body(event),
        host=_header(headers, "host"),
        scheme=_header(headers, "x-api-scheme") or _header(headers, "x-forwarded-proto") or "http",
        remote_addr=text(context, "sourceIp") or _forwarded_client(headers, tencent=True),
        stage=text(context, "stage"),
        request_id=text(context, "requestId") or _header(headers, "x-api-requestid"),
    )


def _tencent_function_url(event: Mapping[str, Any], text: "TextReader") -> GatewayRequest:
    headers = _headers(_mapping(event, "headers"), None)
    return GatewayRequest(
        platform=TENCENT_FUNCTION_URL,
        method=_method(text(event, "httpMethod", required=True)),
        path=text(event, "path", required=True),
        query_string=_encode_query(_mapping(event, "queryString")),
        headers=headers,
        body=_body(event),
        host=_header(headers, "host"),
        scheme="https",  # function URLs are https endpoints; a client's X-Forwarded-Proto is not
        remote_addr=_forwarded_client(headers, tencent=True),
    )


def _aws_rest(event: Mapping[str, Any], text: "TextReader") -> GatewayRequest:
    context = _mapping(event, "requestContext")
    identity = _mapping(context, "identity")
    headers = _headers(_mapping(event, "headers"), _mapping(event, "multiValueHeaders"))
    query = _mapping(event, "multiValueQueryStringParameters") or _mapping(
        event, "queryStringParameters"
    )
    return GatewayRequest(
        platform=AWS_REST,
        method=_method(text(event, "httpMethod", required=True)),
        path=text(event, "path", required=True),
        query_string=_encode_query(query),
        headers=headers,
        body=_body(event),
        host=_header(headers, "host") or text(context, "domainName"),
        scheme=_header(headers, "x-forwarded-proto") or "https",
        remote_addr=text(identity, "sourceIp") or _forwarded_client(headers),
        stage=text(context, "stage"),
        protocol=_protocol(text(context, "protocol")),
        request_id=text(context, "requestId"),
        remote_user=text(_mapping(context, "authorizer"), "principalId"),
    )


def _aws_http(event: Mapping[str, Any], text: "TextReader") -> GatewayRequest:
    context = _mapping(event, "requestContext", required=True)
    http = _mapping(context, "http", required=True)
    headers = _headers(_mapping(event, "headers"), None)
    cookies = _list_of_text(event, "cookies")
    if cookies:
        # The gateway moves the Cookie header into cookies; a local gateway may send both.
        extra: List[str] = []
        if "cookie" in headers:
            listed = set(cookies)
            extra = [
                cookie.strip()
                for value in headers["cookie"]
                for cookie in value.split(";")
                if cookie.strip() and cookie.strip() not in listed
            ]
        headers["cookie"] = ["; ".join(cookies + extra)]
    authorizer = _mapping(context, "authorizer")
    remote_user = ""
    if authorizer:  # a JWT authorizer names the subject; a Lambda one, a principal
        subject = _mapping(_mapping(authorizer, "jwt"), "claims").get("sub")
        remote_user = subject if isinstance(subject, str) else text(authorizer, "principalId")
    return GatewayRequest(
        platform=AWS_HTTP,
        method=_method(text(http, "method", required=True)),
        path=text(event, "rawPath") or text(http, "path", required=True),
        query_string=text(event, "rawQueryString"),
        headers=headers,
        body=_body(event),
        host=_header(headers, "host") or text(context, "domainName"),
        scheme=_header(headers, "x-forwarded-proto") or "https",
        remote_addr=text(http, "sourceIp") or _forwarded_client(headers),
        stage=text(context, "stage"),
        protocol=_protocol(text(http, "protocol")),
        request_id=text(context, "requestId"),
        remote_user=remote_user,
    )


def _aws_alb(event: Mapping[str, Any], text: "TextReader") -> GatewayRequest:
    headers = _headers(_mapping(event, "headers"), _mapping(event, "multiValueHeaders"))
    query = _mapping(event, "multiValueQueryStringParameters") or _mapping(
        event, "queryStringParameters"
    )
    return GatewayRequest(
        platform=AWS_ALB,
        method=_method(text(event, "httpMethod", required=True)),
        path=text(event, "path", required=True),
        query_string=_join_encoded_query(query),
        headers=headers,
        body=_body(event),
        host=_header(headers, "host"),
        scheme=_header(headers, "x-forwarded-proto") or "http",
        remote_addr=_forwarded_client(headers, appended=True),
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


def _headers(single: Mapping[str, Any], multi: Optional[Mapping[str, Any]]) -> Dict[str, List[str]]:
    """Merge single- and multi-value headers (multi wins) by lower-case name."""
    try:
        if not multi:
            return _lowered(single, list_values=False)
        if not single or single.keys() <= multi.keys():
            # A gateway sends each header in both; the multi-value one wins.
            return _lowered(multi, list_values=True)
    except _Unusual:
        pass
    try:
        return _plain_values((single, multi or {}), lower=True)
    except _Unusual:
        return _checked_headers(single, multi)


def _lowered(source: Mapping[str, Any], list_values: bool) -> Dict[str, List[str]]:
    """Return headers by lower-case name when each value is text (or a list of text).

    The joins check every type and every character's Unicode in C; anything else, a None
    included, raises _Unusual for the general merge.
    """
    try:
        "".join(source).encode("utf-8")
        if list_values:
            if not set(map(type, source.values())) <= _LIST_TYPE:
                raise _Unusual
            "".join(itertools.chain.from_iterable(source.values())).encode("utf-8")
            return {name.lower(): values for name, values in source.items()}
        "".join(source.values()).encode("utf-8")
    except (TypeError, UnicodeEncodeError):
        raise _Unusual from None
    return {name.lower(): [value] for name, value in source.items()}


_LIST_TYPE = {list}


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


def _values(headers: Dict[str, List[str]], name: str) -> List[str]:
    """Return every value of one header."""
    return headers.get(name) or []


def _header(headers: Dict[str, List[str]], name: str) -> str:
    """Return a header's first value, or ""."""
    values = headers.get(name)
    return values[0].strip() if values else ""


def _forwarded_client(
    headers: Dict[str, List[str]], appended: bool = False, tencent: bool = False
) -> str:
    """Return the client's address from the gateway's headers, for events that carry none.

    Tencent's function URL names it in X-Scf-Remote-Addr (on Tencent, clients cannot set
    X-Scf-* headers; elsewhere they can, so it is read on Tencent only). Otherwise a gateway's own
    X-Forwarded-For starts with the client it saw (a CDN in front adds itself after it); a load
    balancer (appended=True) appends the client it saw to whatever the client sent.
    """
    scf = _header(headers, "x-scf-remote-addr") if tencent else ""
    if scf:
        return scf
    addresses = [
        address.strip()
        for value in _values(headers, "x-forwarded-for")
        for address in value.split(",")
        if address.strip()
    ]
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
