"""Events shaped as serverless-wsgi's, apig-wsgi's and mangum's tests shape them, served."""

import json

import pytest

from flask_serverless import events, make_handler
from flask_serverless.handler import is_on

from .serverless_demo import load_event

SEEN = ("PATH_INFO", "SCRIPT_NAME", "QUERY_STRING", "HTTP_HOST", "REMOTE_ADDR", "REMOTE_USER")


def environ_echo(environ, start_response):
    """Answer with the environ values the tests look at, and the Cookie header."""
    seen = {key: environ.get(key) for key in SEEN + ("HTTP_COOKIE", "wsgi.url_scheme")}
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(seen).encode()]


def seen_by_app(event, **options):
    """Return what the app saw of an event, through the handler."""
    answer = make_handler(environ_echo, **options)(event, None)
    assert answer["statusCode"] == 200, answer
    return json.loads(answer["body"])


@pytest.mark.parametrize(
    "fixture, platform",
    [
        ("v1-without-context.json", events.AWS_REST),
        ("v1-with-raw-path.json", events.AWS_REST),
        ("rest-v1-authorizer.json", events.AWS_REST),
        ("http-v2-jwt.json", events.AWS_HTTP),
    ],
)
def test_the_payload_version_decides_before_the_shape(fixture, platform):
    assert events.classify(load_event(fixture)) == platform


def test_a_v1_event_without_request_context_keeps_its_query_and_host():
    seen = seen_by_app(load_event("v1-without-context.json"))

    assert seen["QUERY_STRING"] == "page=2&kind=DX"
    assert seen["HTTP_HOST"] == "test.execute-api.us-west-2.amazonaws.com"
    assert seen["PATH_INFO"] == "/who"
    # No source IP in the event: the client is the first address the gateway wrote.
    assert seen["REMOTE_ADDR"] == "192.0.2.60"


def test_a_v1_event_with_raw_path_is_read_as_v1_not_refused():
    seen = seen_by_app(load_event("v1-with-raw-path.json"))

    assert seen["PATH_INFO"] == "/who"
    assert seen["QUERY_STRING"] == "page=2"
    assert seen["REMOTE_ADDR"] == "192.0.2.61"


def test_rest_authorizer_principal_is_remote_user():
    seen = seen_by_app(load_event("rest-v1-authorizer.json"))

    assert seen["REMOTE_USER"] == "wile_e_coyote"
    assert seen["REMOTE_ADDR"] == "76.20.166.147"
    assert seen["SCRIPT_NAME"] == "/dev"


def test_jwt_subject_is_remote_user():
    assert seen_by_app(load_event("http-v2-jwt.json"))["REMOTE_USER"] == "6fe1e7a8-auth0-user"


def test_no_authorizer_sets_no_remote_user():
    event = load_event("rest-v1-authorizer.json")
    del event["requestContext"]["authorizer"]

    assert seen_by_app(event)["REMOTE_USER"] is None


@pytest.mark.parametrize(
    "header, expected",
    [
        ("a=1; b=2", "a=1; b=2"),  # serverless-offline sends both: not doubled
        (None, "a=1; b=2"),  # the gateway moved the header into cookies
        ("a=1; c=3", "a=1; b=2; c=3"),  # a cookie only in the header is kept
    ],
)
def test_v2_cookies_and_cookie_header_are_not_doubled(header, expected):
    event = load_event("http-v2-jwt.json")
    if header is None:
        del event["headers"]["cookie"]
    else:
        event["headers"]["cookie"] = header

    assert seen_by_app(event)["HTTP_COOKIE"] == expected


@pytest.mark.parametrize(
    "setting, script_name",
    [(None, "/dev"), (False, "/dev"), (True, ""), ("yes", ""), ("0", "/dev")],
)
def test_strip_stage_path_serves_the_gateway_host_at_the_root(monkeypatch, setting, script_name):
    monkeypatch.delenv("STRIP_STAGE_PATH", raising=False)
    options = {} if setting is None else {"strip_stage_path": is_on(setting)}
    seen = seen_by_app(load_event("rest-v1-authorizer.json"), **options)

    assert seen["SCRIPT_NAME"] == script_name
    assert seen["PATH_INFO"] == "/who"


def test_strip_stage_path_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("STRIP_STAGE_PATH", "yes")
    event = load_event("rest-v1-authorizer.json")
    event["path"] = "/dev/who"  # a CDN origin path that carries the stage

    seen = seen_by_app(event)

    assert seen["SCRIPT_NAME"] == ""
    assert seen["PATH_INFO"] == "/who"


def test_tencent_function_url_reads_the_documented_client_address_and_https():
    event = load_event("tencent-function-url.json")
    event["httpMethod"] = "GET"
    event["headers"]["x-scf-remote-addr"] = "111.206.96.145"
    event["headers"]["x-forwarded-proto"] = "http"  # anyone can send this

    seen = seen_by_app(event)

    assert seen["REMOTE_ADDR"] == "111.206.96.145"
    assert seen["wsgi.url_scheme"] == "https"
    assert seen["SCRIPT_NAME"] == ""  # served at the URL's root
    assert seen["PATH_INFO"] == "/echo"


def test_x_scf_remote_addr_means_nothing_on_aws():
    event = load_event("v1-without-context.json")
    event["headers"]["x-scf-remote-addr"] = "6.6.6.6"

    assert seen_by_app(event)["REMOTE_ADDR"] == "192.0.2.60"
