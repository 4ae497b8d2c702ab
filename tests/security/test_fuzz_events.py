"""The serverless handler reads any event a gateway (or anyone) sends without a 500."""

import base64
import copy
import json
import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flask_serverless import events, make_handler
from security.fuzzing import JSON_VALUES, TEXT, examples, fixture_events, sqlite_app

FIXTURES = fixture_events()
PATHS = [
    "/",
    "/players/%E8%88%9E%E8%90%8C%E7%8E%A9%E5%AE%B6/",
    "/players/x/plays",
    "/players/x/import",
    "/api/players/x/plays",
    "/api/players/x/imports",
    "/api/players",
    "/songs",
    "/css/site.css",
    "/nowhere",
]
KINDS = set(events.HTTP_PLATFORMS) | {
    events.TIMER,
    events.WARMUP,
    events.COMMAND,
    events.UNKNOWN,
}


@pytest.fixture(scope="module")
def handler(tmp_path_factory):
    app = sqlite_app(tmp_path_factory.mktemp("events"))
    yield make_handler(app)
    app.extensions["maimai_probe.db"].dispose()


@pytest.fixture(autouse=True)
def _quiet(caplog):
    """Keep the handler's warnings about malformed events out of the report."""
    caplog.set_level(logging.CRITICAL, logger="flask_serverless")


def key_paths(value, prefix=()):
    """Return the path of every dict key in a nested event."""
    found = []
    if isinstance(value, dict):
        for key, inner in value.items():
            found.append(prefix + (key,))
            found.extend(key_paths(inner, prefix + (key,)))
    return found


@st.composite
def mutated_events(draw):
    """Draw a fixture event with a few fields deleted, retyped or given hostile values."""
    event = copy.deepcopy(FIXTURES[draw(st.sampled_from(sorted(FIXTURES)))])
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        paths = key_paths(event)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = event
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["delete", "replace", "text"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "replace":
            parent[path[-1]] = draw(JSON_VALUES)
        else:
            parent[path[-1]] = draw(TEXT)
    if draw(st.booleans()):
        event = with_request(draw, event)
    return event


def with_request(draw, event):
    """Point the event at one of the app's pages, with a method and maybe a base64 body."""
    path = draw(st.sampled_from(PATHS))
    method = draw(st.sampled_from(["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "get"]))
    for key in ("path", "rawPath"):
        if key in event:
            event[key] = path
    if "httpMethod" in event:
        event["httpMethod"] = method
    context = event.get("requestContext")
    if isinstance(context, dict) and isinstance(context.get("http"), dict):
        context["http"]["method"] = method
    body = draw(st.binary(max_size=200))
    if draw(st.booleans()):
        event["body"] = base64.b64encode(body).decode("ascii")
        event["isBase64Encoded"] = draw(st.sampled_from([True, "true", "TRUE"]))
    else:
        event["body"] = draw(st.one_of(TEXT, st.just("!!not base64!!")))
        event["isBase64Encoded"] = draw(st.sampled_from([False, True, "false", 1, None]))
    return event


CONTEXTS = st.one_of(
    st.none(),
    st.dictionaries(st.sampled_from(["request_id", "function_name"]), JSON_VALUES),
    st.builds(
        type("Context", (), {}),
    ),
)


def check_answer(platform, answer):
    """An HTTP event gets a platform answer that is no server error; others a small dict."""
    assert isinstance(answer, dict)
    if platform in events.HTTP_PLATFORMS:
        assert isinstance(answer["statusCode"], int)
        assert answer["statusCode"] not in (500, 502), answer
        assert isinstance(answer.get("body", ""), str)
    else:
        assert "statusCode" not in answer or answer["statusCode"] < 500


@examples(700)
@given(event=mutated_events(), context=CONTEXTS)
def test_mutated_gateway_events_never_answer_500(handler, event, context):
    platform = events.classify(event)
    assert platform in KINDS
    if platform == events.COMMAND:
        return  # a direct invocation runs CLI commands: not something to fuzz
    check_answer(platform, handler(event, context))


@examples(400)
@given(
    event=st.one_of(
        JSON_VALUES,
        st.dictionaries(
            st.sampled_from(
                [
                    "httpMethod",
                    "path",
                    "headers",
                    "requestContext",
                    "version",
                    "rawPath",
                    "body",
                    "isBase64Encoded",
                    "queryString",
                    "headerParameters",
                    "multiValueHeaders",
                    "queryStringParameters",
                    "multiValueQueryStringParameters",
                    "cookies",
                    "Type",
                    "source",
                    "warmup",
                ]
            ),
            JSON_VALUES,
        ),
    )
)
def test_events_of_any_shape_are_read_or_refused_cleanly(handler, event):
    platform = events.classify(event)
    assert platform in KINDS
    if platform in events.HTTP_PLATFORMS:
        try:
            request = events.read_request(event, platform)
        except events.MalformedEvent as error:
            assert str(error)
        else:
            assert isinstance(request.body, bytes)
            assert all(
                isinstance(key, str) and isinstance(value, str)
                for key, value in request.headers.items()
            )
    if platform == events.COMMAND:
        return
    check_answer(platform, handler(event, None))


def tencent_get(**changes):
    event = copy.deepcopy(FIXTURES["tencent-function-url.json"])
    event.update(changes)
    return event


@pytest.mark.parametrize(
    "event, context",
    [
        (tencent_get(body="\ud800"), None),
        (tencent_get(queryString={"kind": "\ud800"}), None),
        (tencent_get(queryString={"\udfff": "x"}), None),
        (tencent_get(headers={"\ud800": "x"}), None),
        (tencent_get(headers={"x-custom": ["a", "\ud800"]}), None),
        (tencent_get(path="/\ud800"), None),
        (tencent_get(httpMethod=None), {"request_id": "id-\ud800"}),
        (tencent_get(headers={"host": "系ぎて.example"}), None),
        (tencent_get(headers={"host": "\xd0\x90"}), None),
        (tencent_get(headers={"host": "a" * 64 + ".example.org"}), None),
        (tencent_get(headers={"host": "probe..example.org"}), None),
    ],
    ids=["body", "query value", "query name", "header name", "header value", "path", "id"]
    + ["unicode host", "latin-1 host", "host label over 63", "empty host label"],
)
def test_lone_surrogates_and_unusable_hosts_are_refused_as_malformed(handler, event, context):
    answer = handler(event, context)
    assert answer["statusCode"] == 400
    assert json.loads(answer["body"])["error"] == "malformed_event"


@pytest.mark.parametrize(
    "fixture, change",
    [
        ("aws-alb.json", {"queryStringParameters": {"q": "系ぎて😀"}}),
        ("aws-http-v2.json", {"rawQueryString": "q=系ぎて😀"}),
        ("tencent-function-url.json", {"queryString": {"q": "系ぎて😀"}}),
    ],
    ids=["alb", "http api", "tencent"],
)
def test_non_ascii_query_strings_and_headers_reach_the_app_decoded(handler, fixture, change):
    event = copy.deepcopy(FIXTURES[fixture])
    event.update(change)
    headers = {k: v for k, v in (event.get("headers") or {}).items() if k != "accept-encoding"}
    event["headers"] = dict(headers, **{"x-note": "中文😀"})
    event.pop("multiValueHeaders", None)
    event.update(body="", isBase64Encoded=False)
    if "httpMethod" in event:
        event["httpMethod"] = "GET"
    for key in ("path", "rawPath"):
        if key in event:
            event[key] = "/songs"
    context = event.get("requestContext", {})
    if isinstance(context.get("http"), dict):
        context["http"]["path"] = "/songs"
    answer = handler(event, None)
    assert answer["statusCode"] == 200, answer.get("body", "")[:300]
    body = answer["body"]
    if answer.get("isBase64Encoded"):
        body = base64.b64decode(body).decode("utf-8")
    assert 'value="系ぎて😀"' in body
