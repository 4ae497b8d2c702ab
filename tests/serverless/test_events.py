"""Recognising each platform's event and reading it into a WSGI environ."""

import base64

import pytest

from flask_serverless import events
from flask_serverless.environ import make_environ, mount, split_host

from .serverless_demo import load_event


def environ_of(event, base_path=""):
    platform = events.classify(event)
    return make_environ(events.read_request(event, platform), base_path, event, None)


@pytest.mark.parametrize(
    "fixture, platform",
    [
        ("tencent-apigw-get.json", events.TENCENT_APIGW),
        ("tencent-apigw-upload.json", events.TENCENT_APIGW),
        ("tencent-function-url.json", events.TENCENT_FUNCTION_URL),
        ("tencent-timer.json", events.TIMER),
        ("aws-rest.json", events.AWS_REST),
        ("aws-http-v1.json", events.AWS_REST),
        ("aws-http-v2.json", events.AWS_HTTP),
        ("aws-alb.json", events.AWS_ALB),
        ("aws-alb-multi.json", events.AWS_ALB),
        ("aws-scheduled.json", events.TIMER),
        ("warmup.json", events.WARMUP),
    ],
)
def test_each_documented_event_is_recognised_by_its_shape(fixture, platform):
    assert events.classify(load_event(fixture)) == platform


@pytest.mark.parametrize(
    "event",
    [None, "GET /", 42, [], {}, {"records": []}, {"Records": [{"cos": {}}]}],
)
def test_what_is_no_gateway_event_is_unknown(event):
    assert events.classify(event) == events.UNKNOWN


def test_tencent_apigw_reads_the_real_query_not_the_declared_parameters():
    environ = environ_of(load_event("tencent-apigw-get.json"))

    assert environ["QUERY_STRING"] == (
        "kind=DX&difficulty=master&difficulty=remaster&q=%E7%B3%BB%E3%81%8E%E3%81%A6"
    )
    assert environ["REQUEST_METHOD"] == "GET"
    assert environ["REMOTE_ADDR"] == "203.0.113.24"
    assert environ["wsgi.url_scheme"] == "https"
    assert environ["HTTP_HOST"] == "service-k3r9x2vd-1250000000.gz.apigw.tencentcs.com"
    assert environ["SERVER_PORT"] == "443"
    assert environ["HTTP_COOKIE"] == "session=s3ss10n; theme=dark"
    assert environ["HTTP_ACCEPT_LANGUAGE"] == "zh-CN,zh;q=0.9"


def test_tencent_apigw_falls_back_to_declared_parameters_without_query_string():
    event = load_event("tencent-apigw-get.json")
    del event["queryString"]

    assert environ_of(event)["QUERY_STRING"] == "kind=DX"


def test_tencent_apigw_without_is_base64_encoded_reads_a_plain_body():
    event = load_event("tencent-apigw-get.json")
    event.update(httpMethod="POST", body="rating=15012&name=舞萌")
    event["headers"]["content-type"] = "application/x-www-form-urlencoded"

    environ = environ_of(event)

    assert environ["wsgi.input"].read() == "rating=15012&name=舞萌".encode()
    assert environ["CONTENT_LENGTH"] == str(len("rating=15012&name=舞萌".encode()))
    assert environ["CONTENT_TYPE"] == "application/x-www-form-urlencoded"


def test_tencent_apigw_base64_body_arrives_byte_identical():
    event = load_event("tencent-apigw-upload.json")

    environ = environ_of(event)

    assert environ["wsgi.input"].read() == base64.b64decode(event["body"])
    assert environ["CONTENT_TYPE"].startswith("multipart/form-data; boundary=")


def test_tencent_function_url_has_no_stage_and_https():
    environ = environ_of(load_event("tencent-function-url.json"))

    assert environ["SCRIPT_NAME"] == ""
    assert environ["PATH_INFO"] == "/echo"
    assert environ["QUERY_STRING"] == "dry_run=1"
    assert environ["wsgi.url_scheme"] == "https"
    assert environ["REMOTE_ADDR"] == "192.0.2.55"


def test_aws_rest_reads_multi_value_headers_and_query():
    environ = environ_of(load_event("aws-rest.json"))

    assert environ["QUERY_STRING"] == "difficulty=master&difficulty=remaster&kind=DX"
    assert environ["REMOTE_ADDR"] == "203.0.113.24"
    assert environ["SERVER_NAME"] == "a1b2c3d4e5.execute-api.ap-northeast-1.amazonaws.com"
    assert environ["SERVER_PORT"] == "443"
    assert environ["SERVER_PROTOCOL"] == "HTTP/1.1"
    assert environ["HTTP_X_FORWARDED_FOR"] == "203.0.113.24, 130.176.0.1"
    assert environ["CONTENT_LENGTH"] == "0"
    assert environ["wsgi.input"].read() == b""


def test_aws_rest_repeated_host_and_scheme_take_their_first_value():
    event = load_event("aws-rest.json")
    event["multiValueHeaders"]["Host"] = ["probe.example.org", "other.example.org"]
    event["multiValueHeaders"]["X-Forwarded-Proto"] = ["http", "https"]
    event["multiValueHeaders"]["X-Forwarded-For"] = ["203.0.113.9", "198.51.100.7"]
    del event["requestContext"]["identity"]

    environ = environ_of(event)

    assert environ["HTTP_HOST"] == environ["SERVER_NAME"] == "probe.example.org"
    assert (environ["wsgi.url_scheme"], environ["SERVER_PORT"]) == ("http", "443")
    assert environ["HTTP_X_FORWARDED_PROTO"] == "http, https"
    assert environ["REMOTE_ADDR"] == "203.0.113.9"


def test_aws_rest_repeated_headers_are_joined_and_multi_values_win():
    event = load_event("aws-rest.json")
    event["headers"]["Accept"] = "text/plain"
    event["multiValueHeaders"]["Accept"] = ["text/html", "application/json"]
    event["multiValueHeaders"]["Cookie"] = ["a=1", "b=2"]

    environ = environ_of(event)

    assert environ["HTTP_ACCEPT"] == "text/html, application/json"
    assert environ["HTTP_COOKIE"] == "a=1; b=2"


@pytest.mark.parametrize(
    "parameters, expected",
    [
        (None, ""),
        ({}, ""),
        ({"foo": "bar"}, "foo=bar"),
        ({"a": "b+c"}, "a=b%2Bc"),
        ({"a+b": "c"}, "a%2Bb=c"),
        ({"q": "系 DX"}, "q=%E7%B3%BB+DX"),
        ({"q": "a&b=c"}, "q=a%26b%3Dc"),
    ],
)
def test_aws_rest_single_query_parameters_are_encoded(parameters, expected):
    event = load_event("aws-rest.json")
    event["queryStringParameters"] = parameters
    event["multiValueQueryStringParameters"] = None

    assert environ_of(event)["QUERY_STRING"] == expected


@pytest.mark.parametrize(
    "parameters, expected",
    [
        ({"foo": ["bar", "baz"]}, "foo=bar&foo=baz"),
        ({"a": ["b+c", "d"]}, "a=b%2Bc&a=d"),
    ],
)
def test_aws_rest_multi_value_query_parameters_are_encoded(parameters, expected):
    event = load_event("aws-rest.json")
    event["multiValueQueryStringParameters"] = parameters

    assert environ_of(event)["QUERY_STRING"] == expected


@pytest.mark.parametrize(
    "path, path_info",
    [
        ("/city/new%20york", "/city/new york"),
        ("/api/path%2Finfo", "/api/path/info"),
        ("/songs/%E7%B3%BB", "/songs/\u00e7\u00b3\u00bb"),  # UTF-8 bytes as latin-1
        ("/songs/系", "/songs/\u00e7\u00b3\u00bb"),
        ("", "/"),
    ],
)
def test_paths_are_percent_decoded_into_wsgi_strings(path, path_info):
    event = load_event("aws-rest.json")
    event["path"] = path
    event["headers"]["Host"] = event["multiValueHeaders"]["Host"] = "probe.example.org"
    del event["multiValueHeaders"]["Host"]

    assert environ_of(event)["PATH_INFO"] == path_info


def test_aws_rest_without_headers_still_builds_a_request():
    event = load_event("aws-rest.json")
    event["headers"] = None
    del event["multiValueHeaders"]

    environ = environ_of(event)

    assert environ["SERVER_NAME"] == "a1b2c3d4e5.execute-api.ap-northeast-1.amazonaws.com"
    assert environ["wsgi.url_scheme"] == "https"


def test_an_event_without_any_host_gets_localhost():
    event = load_event("aws-alb.json")
    event["headers"] = {}

    environ = environ_of(event)

    assert (environ["SERVER_NAME"], environ["SERVER_PORT"]) == ("localhost", "80")
    assert "HTTP_HOST" not in environ


def test_aws_http_v2_reads_raw_query_and_cookies():
    event = load_event("aws-http-v2.json")
    event["headers"]["cookie"] = "lang=zh"

    environ = environ_of(event)

    assert environ["QUERY_STRING"] == "difficulty=master&difficulty=remaster&q=%E7%B3%BB"
    assert environ["HTTP_COOKIE"] == "session=s3ss10n; theme=dark; lang=zh"
    assert environ["REMOTE_ADDR"] == "203.0.113.24"
    assert environ["SCRIPT_NAME"] == ""


def test_aws_http_v2_takes_the_path_from_request_context_without_raw_path():
    event = load_event("aws-http-v2.json")
    del event["rawPath"]
    event["requestContext"]["http"]["path"] = "/echo"

    assert environ_of(event)["PATH_INFO"] == "/echo"


def test_alb_query_parameters_stay_as_the_balancer_encoded_them():
    environ = environ_of(load_event("aws-alb.json"))

    assert environ["QUERY_STRING"] == "q=%E7%B3%BB%20DX&kind=DX"
    assert environ["REMOTE_ADDR"] == "203.0.113.24"  # the address the balancer appended
    assert environ["wsgi.url_scheme"] == "http"
    assert environ["SERVER_PORT"] == "80"


def test_alb_multi_value_query_and_headers():
    environ = environ_of(load_event("aws-alb-multi.json"))

    assert environ["QUERY_STRING"] == "difficulty=master&difficulty=re%3Amaster"
    assert environ["HTTP_COOKIE"] == "session=s3ss10n; theme=dark"
    assert environ["wsgi.url_scheme"] == "https"


def test_headers_with_underscores_are_dropped():
    event = load_event("tencent-function-url.json")
    event["headers"]["x_forwarded_proto"] = "http"
    event["headers"]["x-probe"] = "yes"

    environ = environ_of(event)

    assert environ["HTTP_X_PROBE"] == "yes"
    assert environ["HTTP_X_FORWARDED_PROTO"] == "https"


def test_environ_carries_the_event_and_platform():
    event = load_event("aws-alb.json")

    environ = make_environ(events.read_request(event, events.AWS_ALB), "", event, {"x": 1}, "req-1")

    assert environ["flask_serverless.platform"] == events.AWS_ALB
    assert environ["flask_serverless.event"] is event
    assert environ["flask_serverless.context"] == {"x": 1}
    assert environ["flask_serverless.request_id"] == "req-1"


@pytest.mark.parametrize(
    "host, scheme, forwarded, expected",
    [
        ("example.org", "https", "", ("example.org", "443")),
        ("example.org", "http", "", ("example.org", "80")),
        ("example.org:8443", "https", "", ("example.org", "8443")),
        ("example.org", "https", "8443", ("example.org", "8443")),
        ("[2001:db8::1]:8080", "http", "", ("[2001:db8::1]", "8080")),
        ("[2001:db8::1]", "https", "", ("[2001:db8::1]", "443")),
        ("", "https", "", ("localhost", "443")),
    ],
)
def test_split_host(host, scheme, forwarded, expected):
    assert split_host(host, scheme, forwarded) == expected


def request_at(host, path, stage, platform=events.AWS_REST):
    return events.GatewayRequest(
        platform, "GET", path, "", {}, b"", host, "https", "", stage, "HTTP/1.1", ""
    )


@pytest.mark.parametrize(
    "host, path, stage, base_path, expected",
    [
        # gateway default hosts: the stage prefixes every URL
        ("service-a-1.gz.apigw.tencentcs.com", "/songs", "release", "", ("/release", "/songs")),
        ("service-a-1.gz.apigw.tencentcs.com", "/", "prepub", "", ("/prepub", "/")),
        ("service-a-1.sh.tencentapigw.com", "/songs", "test", "", ("/test", "/songs")),
        ("a1.execute-api.us-east-1.amazonaws.com", "/songs", "dev", "", ("/dev", "/songs")),
        ("a1.execute-api.cn-north-1.amazonaws.com.cn", "/songs", "dev", "", ("/dev", "/songs")),
        ("A1.EXECUTE-API.US-EAST-1.AMAZONAWS.COM:443", "/songs", "dev", "", ("/dev", "/songs")),
        # never a doubled stage
        ("a1.execute-api.us-east-1.amazonaws.com", "/dev/songs", "dev", "", ("/dev", "/songs")),
        ("a1.execute-api.us-east-1.amazonaws.com", "/dev", "dev", "", ("/dev", "/")),
        ("a1.execute-api.us-east-1.amazonaws.com", "/devices", "dev", "", ("/dev", "/devices")),
        # never /$default
        ("a1.execute-api.us-east-1.amazonaws.com", "/songs", "$default", "", ("", "/songs")),
        # the default host wins over BASE_PATH, which belongs to custom domains
        ("a1.execute-api.us-east-1.amazonaws.com", "/songs", "dev", "probe", ("/dev", "/songs")),
        # custom domains: no stage; BASE_PATH for a path mapping
        ("probe.example.org", "/songs", "release", "", ("", "/songs")),
        ("probe.example.org", "/songs", "release", "probe", ("/probe", "/songs")),
        ("probe.example.org", "/probe/songs", "release", "/probe/", ("/probe", "/songs")),
        ("probe.example.org", "/songs", "$default", "", ("", "/songs")),
        # load balancers and function URLs have no stage
        ("x.elb.amazonaws.com", "/songs", "", "", ("", "/songs")),
        ("1250-x-ap-guangzhou.scf.tencentcs.com", "/songs", "", "", ("", "/songs")),
        # a relative path is made absolute
        ("probe.example.org", "songs", "", "", ("", "/songs")),
    ],
)
def test_mount_point(host, path, stage, base_path, expected):
    assert mount(request_at(host, path, stage), base_path) == expected


@pytest.mark.parametrize(
    "fixture, change, message",
    [
        ("aws-rest.json", {"httpMethod": None}, "httpMethod is missing"),
        ("aws-rest.json", {"httpMethod": 7}, "httpMethod must be a string"),
        ("aws-rest.json", {"httpMethod": "GET /x HTTP/1.1"}, "not an HTTP method"),
        ("aws-rest.json", {"path": None}, "path is missing"),
        ("aws-rest.json", {"path": ["/"]}, "path must be a string"),
        ("aws-rest.json", {"headers": "Host: x"}, "headers must be an object"),
        ("aws-rest.json", {"multiValueHeaders": {"Accept": [1]}}, "header Accept"),
        ("aws-rest.json", {"multiValueQueryStringParameters": {"a": {}}}, "query parameter a"),
        ("aws-rest.json", {"requestContext": []}, "requestContext must be an object"),
        ("aws-rest.json", {"body": {"json": True}}, "body must be a string"),
        ("aws-rest.json", {"body": "%%%", "isBase64Encoded": True}, "not valid base64"),
        ("aws-rest.json", {"body": "abc", "isBase64Encoded": True}, "not valid base64"),
        ("aws-rest.json", {"isBase64Encoded": "maybe"}, "isBase64Encoded must be a boolean"),
        ("tencent-apigw-get.json", {"queryString": "a=1"}, "queryString must be an object"),
        ("tencent-apigw-get.json", {"requestContext": None}, "requestContext is missing"),
        ("tencent-function-url.json", {"httpMethod": None}, "httpMethod is missing"),
        ("aws-http-v2.json", {"requestContext": None}, "requestContext is missing"),
        ("aws-http-v2.json", {"requestContext": {"stage": "$default"}}, "http is missing"),
        ("aws-http-v2.json", {"cookies": "a=1"}, "cookies must be a list"),
        ("aws-http-v2.json", {"rawQueryString": 5}, "rawQueryString must be a string"),
        ("aws-alb.json", {"queryStringParameters": ["a"]}, "must be an object"),
        ("aws-alb.json", {"headers": {"host": "x" * 64}}, "not a valid host name"),
        ("aws-alb.json", {"headers": {"host": "a..b:80"}}, "not a valid host name"),
        ("aws-alb.json", {"headers": {"host": "舞萌.example"}}, "not an ASCII host name"),
    ],
)
def test_malformed_gateway_events_are_refused_clearly(fixture, change, message):
    event = load_event(fixture)
    event.update(change)
    platform = events.classify(event)
    assert platform in events.HTTP_PLATFORMS

    with pytest.raises(events.MalformedEvent, match=message):
        events.read_request(event, platform)


def test_is_base64_encoded_may_be_a_string():
    event = load_event("tencent-apigw-upload.json")
    event["isBase64Encoded"] = "true"

    assert environ_of(event)["wsgi.input"].read() == base64.b64decode(event["body"])
