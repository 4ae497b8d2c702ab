"""The handler end to end: events in, each platform's answer out."""

import base64
import gzip
import hashlib
import json
import logging
import sys

import brotli
import pytest
from flask import Flask

from flask_serverless import make_handler
from flask_serverless.responses import PLATFORM_LIMIT_BYTES, is_text

from .serverless_demo import PAGE, PNG, build_demo_app, load_event

HTTP_FIXTURES = [
    "tencent-apigw-get.json",
    "tencent-function-url.json",
    "aws-rest.json",
    "aws-http-v1.json",
    "aws-http-v2.json",
    "aws-alb.json",
    "aws-alb-multi.json",
]


def at_path(fixture, path, method="GET", accept_encoding=None):
    """Return a fixture event re-aimed at another path of the demo app."""
    event = load_event(fixture)
    if "rawPath" in event:
        event["rawPath"] = path
        event["rawQueryString"] = ""
        event["requestContext"]["http"]["method"] = method
        headers = event["headers"]
    else:
        event["path"] = path
        event["httpMethod"] = method
        headers = event.get("headers") or {}
        event["headers"] = headers
        for name in ("queryString", "queryStringParameters", "multiValueQueryStringParameters"):
            event.pop(name, None)
    for name in list(headers):
        if name.lower() == "accept-encoding":
            del headers[name]
    for name in list(event.get("multiValueHeaders") or {}):
        if name.lower() == "accept-encoding":
            del event["multiValueHeaders"][name]
    if accept_encoding:
        if "multiValueHeaders" in event:
            event["multiValueHeaders"]["Accept-Encoding"] = [accept_encoding]
        else:
            headers["Accept-Encoding"] = accept_encoding
    return event


def body_of(answer):
    """Return an answer's body bytes, decoding base64 as the gateway would."""
    if answer["isBase64Encoded"]:
        return base64.b64decode(answer["body"])
    return answer["body"].encode("utf-8")


def header(answer, name):
    """Return a header's value from any platform's answer format."""
    for key, value in (answer.get("headers") or {}).items():
        if key.lower() == name.lower():
            return value
    for key, values in (answer.get("multiValueHeaders") or {}).items():
        if key.lower() == name.lower():
            return ", ".join(values)
    return None


def test_tencent_apigw_serves_the_page_under_its_stage(handler, tencent_context):
    answer = handler(load_event("tencent-apigw-get.json"), tencent_context)

    assert answer["statusCode"] == 200
    assert answer["isBase64Encoded"] is False
    assert header(answer, "Content-Type") == "application/json"
    page = json.loads(answer["body"])
    assert page == {
        "song_id": 834,
        "path": "/songs/834",
        "script_root": "/release",
        "args": {"kind": ["DX"], "difficulty": ["master", "remaster"], "q": ["系ぎて"]},
        "external": "https://service-k3r9x2vd-1250000000.gz.apigw.tencentcs.com/release/songs/834",
        "cookies": {"session": "s3ss10n", "theme": "dark"},
        "remote_addr": "203.0.113.24",
    }


def test_aws_rest_serves_the_page_under_its_stage(handler, aws_context):
    answer = handler(load_event("aws-rest.json"), aws_context)

    assert answer["statusCode"] == 200
    assert answer["multiValueHeaders"]["Content-Type"] == ["application/json"]
    assert "headers" not in answer
    page = json.loads(answer["body"])
    assert page["script_root"] == "/dev"
    assert page["external"] == (
        "https://a1b2c3d4e5.execute-api.ap-northeast-1.amazonaws.com/dev/songs/834"
    )
    assert page["args"] == {"difficulty": ["master", "remaster"], "kind": ["DX"]}


def test_aws_http_v2_serves_the_page_at_the_root(handler, aws_context):
    answer = handler(load_event("aws-http-v2.json"), aws_context)

    assert answer["statusCode"] == 200
    assert answer["cookies"] == []
    page = json.loads(answer["body"])
    assert page["script_root"] == ""
    assert page["external"] == "https://q9w8e7r6t5.execute-api.eu-west-1.amazonaws.com/songs/834"
    assert page["cookies"] == {"session": "s3ss10n", "theme": "dark"}
    assert page["args"] == {"difficulty": ["master", "remaster"], "q": ["系"]}


def test_aws_http_v2_named_stage_is_not_doubled(handler, aws_context):
    event = load_event("aws-http-v2.json")
    event["rawPath"] = "/beta/songs/834"
    event["requestContext"]["stage"] = "beta"

    page = json.loads(handler(event, aws_context)["body"])

    assert page["path"] == "/songs/834"
    assert page["script_root"] == "/beta"
    assert page["external"].endswith(".amazonaws.com/beta/songs/834")


def test_alb_answer_carries_a_status_description(handler, aws_context):
    answer = handler(load_event("aws-alb.json"), aws_context)

    assert answer["statusCode"] == 200
    assert answer["statusDescription"] == "200 OK"
    assert json.loads(answer["body"])["script_root"] == ""


def test_unknown_status_gets_a_description(aws_context):
    def teapot(environ, start_response):
        start_response("599 Network Read Timeout", [("Content-Type", "text/plain")])
        return [b"late"]

    answer = make_handler(teapot)(load_event("aws-alb.json"), aws_context)

    assert (answer["statusCode"], answer["statusDescription"]) == (599, "599 Unknown")


COOKIES = ["session=s3ss10n; HttpOnly; Path=/", "theme=dark; Path=/", "lang=zh-CN; Path=/"]


def test_tencent_answers_every_set_cookie_in_a_list(handler, tencent_context):
    answer = handler(at_path("tencent-apigw-get.json", "/cookies"), tencent_context)

    assert answer["headers"]["Set-Cookie"] == COOKIES


def test_tencent_function_url_answers_every_set_cookie_in_a_list(handler, tencent_context):
    answer = handler(at_path("tencent-function-url.json", "/cookies"), tencent_context)

    assert answer["headers"]["Set-Cookie"] == COOKIES


@pytest.mark.parametrize("fixture", ["aws-rest.json", "aws-http-v1.json", "aws-alb-multi.json"])
def test_aws_v1_answers_every_set_cookie_in_multi_value_headers(handler, aws_context, fixture):
    answer = handler(at_path(fixture, "/cookies"), aws_context)

    assert answer["multiValueHeaders"]["Set-Cookie"] == COOKIES


def test_aws_v2_answers_every_set_cookie_in_cookies(handler, aws_context):
    answer = handler(at_path("aws-http-v2.json", "/cookies"), aws_context)

    assert answer["cookies"] == COOKIES
    assert not any(name.lower() == "set-cookie" for name in answer["headers"])


def test_alb_without_multi_value_headers_spells_each_set_cookie_differently(handler, aws_context):
    answer = handler(at_path("aws-alb.json", "/cookies"), aws_context)

    cookie_headers = {k: v for k, v in answer["headers"].items() if k.lower() == "set-cookie"}
    assert len(cookie_headers) == 3
    assert sorted(cookie_headers.values()) == sorted(COOKIES)
    assert cookie_headers["Set-Cookie"] == COOKIES[0]


@pytest.mark.parametrize("fixture", HTTP_FIXTURES)
def test_binary_bodies_go_base64_and_arrive_byte_identical(handler, aws_context, fixture):
    answer = handler(at_path(fixture, "/image"), aws_context)

    assert answer["statusCode"] == 200
    assert answer["isBase64Encoded"] is True
    assert body_of(answer) == PNG


@pytest.mark.parametrize("fixture", HTTP_FIXTURES)
@pytest.mark.parametrize(
    "encoding, decompress", [("br", brotli.decompress), ("gzip", gzip.decompress)]
)
def test_compressed_pages_decompress_to_exactly_what_the_app_rendered(
    handler, aws_context, fixture, encoding, decompress
):
    answer = handler(at_path(fixture, "/page", accept_encoding=encoding), aws_context)

    assert header(answer, "Content-Encoding") == encoding
    assert answer["isBase64Encoded"] is True
    assert decompress(body_of(answer)) == PAGE.encode("utf-8")
    assert header(answer, "Uncompressed-Content-Length") == str(len(PAGE.encode("utf-8")))


def test_a_page_without_accept_encoding_travels_as_text(handler, tencent_context):
    answer = handler(at_path("tencent-apigw-get.json", "/page"), tencent_context)

    assert answer["isBase64Encoded"] is False
    assert answer["body"] == PAGE
    assert header(answer, "Content-Encoding") is None


@pytest.mark.parametrize(
    "headers, body, text",
    [
        ([("Content-Type", "text/plain")], b"hi", True),
        ([("Content-Type", "text/html; charset=utf-8")], "舞萌".encode(), True),
        ([("Content-Type", "application/json")], b"{}", True),
        ([("Content-Type", "application/vnd.api+json")], b"{}", True),
        ([("Content-Type", "application/atom+xml")], b"<feed/>", True),
        ([("Content-Type", "image/svg+xml; charset=utf-8")], b"<svg/>", True),
        ([("Content-Type", "application/javascript; charset=utf-8")], b"1", True),
        ([], b"", True),
        ([], b"\x13\x37", False),
        ([("Content-Type", "application/octet-stream")], b"\x13\x37", False),
        ([("Content-Type", "image/png")], PNG, False),
        ([("Content-Type", "font/woff2")], b"wOF2", False),
        ([("Content-Type", "text/plain; charset=gbk")], "舞萌".encode("gbk"), False),
        ([("Content-Type", "text/plain")], b"\xff\xfe", False),
        ([("Content-Type", "text/html"), ("Content-Encoding", "gzip")], b"\x1f\x8b", False),
        ([("Content-Type", "text/html"), ("Content-Encoding", "identity")], b"ok", True),
    ],
)
def test_which_bodies_travel_as_text(headers, body, text):
    assert is_text(headers, body) is text


def test_the_apps_iterable_is_closed(handler, demo_app, tencent_context):
    answer = handler(at_path("tencent-apigw-get.json", "/closing"), tencent_context)

    assert answer["body"] == "closing"
    assert demo_app.extensions["tracker"].closed == 1


def test_a_multipart_upload_arrives_intact(handler, tencent_context):
    event = load_event("tencent-apigw-upload.json")
    avatar = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + (
        b"\x00\xff\x10\x80"
    )

    page = json.loads(handler(event, tencent_context)["body"])

    assert page["form"] == {"note": ["舞萌 DX"]}
    assert page["files"] == {"avatar": hashlib.sha256(avatar).hexdigest()}
    assert page["content_length"] == len(base64.b64decode(event["body"]))


def test_a_plain_text_form_with_cjk_arrives_as_utf8(handler, aws_context):
    event = at_path("aws-rest.json", "/echo", method="POST")
    event["body"] = "name=舞萌&comment=系ぎて"
    event["multiValueHeaders"]["Content-Type"] = ["application/x-www-form-urlencoded"]

    page = json.loads(handler(event, aws_context)["body"])

    assert page["form"] == {"name": ["舞萌"], "comment": ["系ぎて"]}


def test_a_json_body_from_a_function_url(handler, tencent_context):
    event = load_event("tencent-function-url.json")
    del event["headers"]["accept-encoding"]

    page = json.loads(handler(event, tencent_context)["body"])

    assert page["method"] == "POST"
    assert page["args"] == {"dry_run": ["1"]}
    assert page["scheme"] == "https"
    assert page["external"] == "https://1250000000-k3r9x2vd-ap-guangzhou.scf.tencentcs.com/echo"


def test_head_answers_headers_without_a_body(handler, aws_context):
    answer = handler(at_path("aws-http-v2.json", "/echo", method="HEAD"), aws_context)

    assert answer["statusCode"] == 200
    assert answer["body"] == ""
    assert answer["headers"]["Content-Type"] == "application/json"


def test_a_not_found_page_is_the_apps_answer(handler, tencent_context):
    answer = handler(at_path("tencent-apigw-get.json", "/nowhere"), tencent_context)

    assert answer["statusCode"] == 404


def test_hop_by_hop_headers_are_not_forwarded(tencent_context):
    def app(environ, start_response):
        start_response(
            "200 OK",
            [("Content-Type", "text/plain"), ("Connection", "close"), ("X-Probe", "1")],
        )
        return [b"Hi", b"", b" there!", b""]

    answer = make_handler(app)(load_event("tencent-function-url.json"), tencent_context)

    assert answer["headers"] == {"Content-Type": "text/plain", "X-Probe": "1"}
    assert answer["body"] == "Hi there!"


def test_the_write_callable_of_old_wsgi_apps_is_kept(tencent_context):
    def app(environ, start_response):
        write = start_response("200 OK", [("Content-Type", "text/plain")])
        write(b"written ")
        return [b"returned"]

    answer = make_handler(app)(load_event("tencent-function-url.json"), tencent_context)

    assert answer["body"] == "written returned"


def test_an_error_reported_through_start_response_becomes_a_500(tencent_context, caplog):
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        try:
            raise ValueError("late failure")
        except ValueError:
            failure = sys.exc_info()
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")], failure)
        return [b"try later"]

    with caplog.at_level(logging.ERROR, logger="flask_serverless"):
        answer = make_handler(app)(load_event("tencent-function-url.json"), tencent_context)

    assert answer["statusCode"] == 500
    assert "late failure" in caplog.text


@pytest.mark.parametrize(
    "context, request_id",
    [
        ({"request_id": "scf-req-0001"}, "scf-req-0001"),
        (type("Ctx", (), {"aws_request_id": "aws-req-0001"})(), "aws-req-0001"),
        (None, "5f3b1c2e-8a7d-4e19-9c0b-1d2e3f4a5b6c"),  # the gateway's own request id
    ],
)
def test_an_exception_becomes_a_500_with_the_request_id(static_dir, context, request_id, caplog):
    app = build_demo_app(str(static_dir), PROPAGATE_EXCEPTIONS=True)

    with caplog.at_level(logging.ERROR, logger="flask_serverless"):
        answer = make_handler(app)(at_path("tencent-apigw-get.json", "/boom"), context)

    assert answer["statusCode"] == 500
    assert answer["headers"]["Content-Type"] == "application/json"
    assert json.loads(answer["body"]) == {
        "error": "internal_error",
        "message": "The server failed to answer; quote the request id when reporting it.",
        "request_id": request_id,
    }
    (record,) = caplog.records
    assert request_id in record.getMessage()
    assert record.exc_info[0] is RuntimeError
    assert "the chart table is on fire" in caplog.text


def test_an_exception_while_streaming_closes_the_iterable_and_answers_500(aws_context, caplog):
    closed = []

    class Body:
        def __iter__(self):
            yield b"half a page"
            raise OSError("the disk went away")

        def close(self):
            closed.append(True)

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html")])
        return Body()

    with caplog.at_level(logging.ERROR, logger="flask_serverless"):
        answer = make_handler(app)(load_event("aws-http-v2.json"), aws_context)

    assert answer["statusCode"] == 500
    assert json.loads(answer["body"])["request_id"] == "aws-req-0001"
    assert closed == [True]
    assert "the disk went away" in caplog.text


def test_an_app_that_never_starts_a_response_answers_500(aws_context):
    answer = make_handler(lambda environ, start_response: [])(
        load_event("aws-http-v2.json"), aws_context
    )

    assert answer["statusCode"] == 500


@pytest.mark.parametrize("fixture", HTTP_FIXTURES)
def test_a_body_over_the_platform_limit_becomes_a_clear_502(demo_app, aws_context, fixture, caplog):
    handler = make_handler(demo_app, limit=4000)

    with caplog.at_level(logging.ERROR, logger="flask_serverless"):
        answer = handler(at_path(fixture, "/sized/5000"), aws_context)

    assert answer["statusCode"] == 502
    assert json.loads(body_of(answer)) == {
        "error": "response_too_large",
        "message": "The response is larger than the 4000 bytes the platform can return.",
        "request_id": "aws-req-0001",
    }
    assert "exceeds the platform's 4000-byte limit" in caplog.text


def test_base64_growth_past_the_limit_is_caught_too(demo_app, aws_context):
    handler = make_handler(demo_app, limit=4000)

    fits = handler(at_path("aws-http-v2.json", "/sized/2500"), aws_context)
    grows_past = handler(at_path("aws-http-v2.json", "/sized/3500"), aws_context)

    assert fits["statusCode"] == 200
    assert grows_past["statusCode"] == 502


def test_the_real_limit_is_six_megabytes(handler, demo_app, aws_context):
    assert PLATFORM_LIMIT_BYTES == 6 * 1024 * 1024

    answer = handler(at_path("aws-http-v2.json", "/sized/%d" % (7 * 1024 * 1024)), aws_context)

    assert answer["statusCode"] == 502


def test_a_too_large_body_still_closes_the_iterable(demo_app, aws_context):
    closed = []

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/octet-stream")])

        class Body:
            def __iter__(self):
                while True:
                    yield b"x" * 1024

            def close(self):
                closed.append(True)

        return Body()

    answer = make_handler(app, limit=10_000)(load_event("aws-http-v2.json"), aws_context)

    assert answer["statusCode"] == 502
    assert closed == [True]


@pytest.mark.parametrize(
    "fixture, platform, status",
    [
        ("tencent-timer.json", "timer", "warm"),
        ("aws-scheduled.json", "timer", "warm"),
        ("warmup.json", "warmup", "warm"),
    ],
)
def test_timers_and_warm_up_pings_get_a_small_answer_without_the_app(
    handler, demo_app, tencent_context, fixture, platform, status, caplog
):
    with caplog.at_level(logging.INFO, logger="flask_serverless"):
        answer = handler(load_event(fixture), tencent_context)

    assert answer == {"status": status, "event": platform, "request_id": "scf-req-0001"}
    assert demo_app.extensions["tracker"].calls == 0
    assert "%s event: nothing to serve (request scf-req-0001)" % platform in caplog.text


@pytest.mark.parametrize("event", [None, "ping", 3, [], {}, {"Records": [{"cos": {}}]}])
def test_unknown_events_get_a_small_answer_and_a_log_line(handler, aws_context, event, caplog):
    with caplog.at_level(logging.WARNING, logger="flask_serverless"):
        answer = handler(event, aws_context)

    assert answer == {"status": "ignored", "event": "unknown", "request_id": "aws-req-0001"}
    assert "ignored an event of unknown shape" in caplog.text


@pytest.mark.parametrize(
    "fixture, change",
    [
        ("tencent-apigw-get.json", {"httpMethod": None}),
        ("tencent-apigw-get.json", {"headers": ["host"]}),
        ("tencent-function-url.json", {"body": 12}),
        ("aws-rest.json", {"body": "not base64!", "isBase64Encoded": True}),
        ("aws-http-v2.json", {"requestContext": {"http": "GET"}}),
        ("aws-alb.json", {"multiValueHeaders": {"host": [None]}}),
    ],
)
def test_malformed_gateway_events_get_a_400_in_the_platforms_format(
    handler, demo_app, aws_context, fixture, change, caplog
):
    event = load_event(fixture)
    event.update(change)

    with caplog.at_level(logging.WARNING, logger="flask_serverless"):
        answer = handler(event, aws_context)

    assert answer["statusCode"] == 400
    problem = json.loads(answer["body"])
    assert problem["error"] == "malformed_event"
    assert problem["request_id"] == "aws-req-0001"
    assert demo_app.extensions["tracker"].calls == 0
    assert "malformed" in caplog.text


def test_base_path_comes_from_the_apps_config(static_dir, aws_context):
    app = build_demo_app(str(static_dir), BASE_PATH="/probe")
    event = load_event("aws-alb-multi.json")
    event["path"] = "/probe/songs/834"

    page = json.loads(make_handler(app)(event, aws_context)["body"])

    assert page["script_root"] == "/probe"
    assert page["path"] == "/songs/834"
    assert page["external"] == "https://probe.example.org/probe/songs/834"


def test_static_files_are_served_under_the_stage(handler, tencent_context):
    answer = handler(at_path("tencent-apigw-get.json", "/static/site.css"), tencent_context)
    page = handler(at_path("tencent-apigw-get.json", "/echo"), tencent_context)

    assert answer["statusCode"] == 200
    assert header(answer, "Content-Type").startswith("text/css")
    assert json.loads(page["body"])["static_url"] == "/release/static/site.css"


def test_a_plain_flask_app_works_without_the_extras(tencent_context):
    app = Flask("bare")
    app.add_url_rule("/", "index", lambda: "bare")

    answer = make_handler(app)(at_path("tencent-apigw-get.json", "/"), tencent_context)

    assert (answer["statusCode"], answer["body"]) == (200, "bare")


def test_a_direct_invocation_runs_one_of_the_apps_commands(handler, tencent_context, caplog):
    event = {"flask_serverless": {"command": ["greet", "舞萌"]}}

    with caplog.at_level(logging.INFO, logger="flask_serverless"):
        answer = handler(event, tencent_context)

    assert answer == {
        "status": "ok",
        "exit_code": 0,
        "output": "hello 舞萌\n",
        "request_id": "scf-req-0001",
    }
    assert "running flask greet 舞萌 (request scf-req-0001)" in caplog.text


def test_a_failing_command_reports_its_exit_code_and_error(handler, aws_context, caplog):
    with caplog.at_level(logging.ERROR, logger="flask_serverless"):
        answer = handler({"flask_serverless": {"command": ["explode"]}}, aws_context)

    assert (answer["status"], answer["exit_code"]) == ("failed", 1)
    assert answer["error"] == "RuntimeError: the migration table is locked"
    assert caplog.records[-1].exc_info[0] is RuntimeError


def test_an_unknown_command_fails_with_clicks_usage_error(handler, aws_context):
    answer = handler({"flask_serverless": {"command": ["nonsense"]}}, aws_context)

    assert (answer["status"], answer["exit_code"]) == ("failed", 2)
    assert "No such command" in answer["output"]


@pytest.mark.parametrize("command", [None, "db upgrade", ["db", 1], {"db": "upgrade"}])
def test_a_command_that_is_not_a_list_of_strings_is_refused(
    handler, demo_app, aws_context, command
):
    answer = handler({"flask_serverless": {"command": command}}, aws_context)

    assert answer == {"status": "refused", "error": "command must be a list of strings"}


def test_a_bare_wsgi_app_has_no_commands(aws_context):
    answer = make_handler(lambda environ, start_response: [])(
        {"flask_serverless": {"command": ["db", "upgrade"]}}, aws_context
    )

    assert answer == {"status": "refused", "error": "the app has no Flask command line"}
