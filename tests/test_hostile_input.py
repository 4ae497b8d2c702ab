"""Every route takes hostile input on the demo archive: never a 500, and junk is refused.

Each route the app registers has a row in ROUTES (GET) or POSTS, so a new route without one
fails test_every_route_is_driven. Each GET route is swept with odd values in each parameter it
reads and one it does not, with odd player names, and with every method; each value a filter
cannot mean must be refused (400), not silently ignored. Each POST route is sent odd bodies,
content types and tokens, and writes nothing when it refuses. The same on SQLite and
PostgreSQL. The xfail tests at the end are known bugs in code owned elsewhere: each flips to
a failure (strict) once fixed, so its mark is removed with the fix.
"""

import re
import urllib.parse
from typing import List, NamedTuple, Tuple

import pytest

from conftest import db_of, empty_tables, settings
from import_helpers import row_counts
from maimai_probe import create_app, demo_data

ADMIN = "admin-token-0123456789abcdef"
SCRIPT = "<script>alert(1)</script>"
#: Werkzeug 2.0 (the layer's, on CPython 3.6) builds URLs without checking the host's labels.


def quoted(text: str) -> str:
    """Percent-encode text for a URL, lone surrogates as the bytes a client could send."""
    return urllib.parse.quote(text.encode("utf-8", "surrogatepass"), safe="")


#: Values every parameter is tried with, percent-encoded as they travel.
VALUES = [
    quoted(value)
    for value in (
        "",
        "-1",
        "0",
        "99999999999999999999999999",
        "NaN",
        "1.5",
        "²",
        "١٢",
        "13+",
        "MASTER",
        "DX",
        "2025-02-30",
        "x" * 3000,
        "\ud800",
    )
] + ["%00", "%FF", "abc", quoted(SCRIPT)]
#: The values PostgreSQL is also tried with: numbers, text and bytes it could take badly.
DATABASE_VALUES = [
    quoted(value) for value in ("-1", "99999999999999999999999999", "1.5", "x" * 3000, "\ud800")
] + ["%00", "abc", quoted(SCRIPT)]
#: The values a parameter no route reads is tried with: what could upset the query parser.
UNREAD_VALUES = ["%00", "%FF", "x" * 3000, quoted(SCRIPT)]
#: Values no filter, sort, page or cursor can mean: refused with a 400 wherever they are read.
JUNK = ["abc", "%FF", quoted(SCRIPT), quoted("99999999999999999999999999"), "NaN"]
#: Whole query strings of odd shape.
RAW_QUERIES = ["%FF", "=", "&&&", "a=%", "a=%Z", "%00=%00", "x" * 20000, "q=" + "a" * 20000]
#: Player names no player has, each a path segment as a client sends it.
NAMES = ["nobody", "DEMO", "demo%20", "%00", "%FF", "%ED%A0%80", "a" * 33, "a" * 3000, "..",
         quoted(SCRIPT), quoted("😀")]  # fmt: skip

PLAY_FILTERS = ["title", "difficulty", "kind", "from", "to", "rank", "rank_mode", "fc", "fs"]
PLAY_ENUMS = ["difficulty", "kind", "from", "to", "rank", "rank_mode", "fc", "fs"]
CURSORS = ["before", "after", "size"]
SONG_FILTERS = ["q", "version", "genre", "level", "min", "max", "kind", "difficulty", "sort"]
SONG_ENUMS = ["version", "genre", "level", "min", "max", "kind", "difficulty", "sort", "order"]


class Route(NamedTuple):
    """How to drive one GET route: a URL on the demo archive, what it reads, what it refuses."""

    path: str  # {name} is the player's name
    params: List[str]  # swept with every value; "unknown" is a parameter no route reads
    enums: List[str]  # junk in these must be refused
    refused: Tuple[int, ...] = (400,)  # how it refuses a value it cannot mean
    answered: Tuple[int, ...] = (200,)  # how it answers one it can (a chart never played: 404)
    sibling: str = ""  # a route with the same parser, swept in full: here junk only


ROUTES = {
    "site.index": Route("/", ["unknown"], []),
    "songs.catalog": Route(
        "/songs", SONG_FILTERS + ["order", "page"], SONG_ENUMS + ["page"], sibling="songs.list"
    ),
    "songs.list": Route("/players/{name}/songs", SONG_FILTERS + ["page"], SONG_ENUMS + ["page"]),
    "players.home": Route("/players/{name}/", ["unknown"], []),
    "records.plays": Route("/players/{name}/plays", PLAY_FILTERS + CURSORS, PLAY_ENUMS + CURSORS),
    "diffs.plays": Route("/players/{name}/diff", ["improved", "size"], ["improved", "size"]),
    "api.plays": Route("/api/players/{name}/plays", ["difficulty", "before"], ["difficulty"]),
    "api.diff": Route(
        "/api/players/{name}/diff",
        PLAY_FILTERS + CURSORS + ["improved"],
        PLAY_ENUMS + CURSORS + ["improved"],
        sibling="records.plays",
    ),
    "api.best": Route("/api/players/{name}/best", PLAY_FILTERS + CURSORS, PLAY_ENUMS + CURSORS),
    "history.chart": Route(
        "/players/{name}/chart?title={title}&kind=DX&difficulty=3",
        ["title", "kind", "difficulty"],
        ["kind", "difficulty"],
        answered=(200, 404),
    ),
    "charts.chart": Route(
        "/players/{name}/charts/chart?title={title}&kind=DX&difficulty=3",
        ["title", "kind", "difficulty"],
        ["kind", "difficulty"],
        answered=(200, 404),
    ),
    "charts.catalog_chart": Route("/players/{name}/charts/{song}/master", ["unknown"], []),
    "charts.trends": Route("/players/{name}/charts", ["unknown"], []),
    "rating.best50": Route("/players/{name}/best50", ["unknown"], []),
    "api_rating.rating": Route("/api/players/{name}/rating", ["unknown"], []),
    "api_rating.trend": Route("/api/players/{name}/rating/trend", ["unknown"], []),
    "unmatched.list": Route("/players/{name}/unmatched", ["unknown"], []),
    "imports.form": Route("/players/{name}/import", ["unknown"], []),
    "progress.plates": Route("/players/{name}/plates", ["unknown"], []),
    "progress.plate": Route(
        "/players/{name}/plates/熊舞舞",
        ["difficulty", "level", "kind", "sort", "page"],
        ["difficulty", "level", "kind", "sort", "page"],
    ),
    "progress.plan": Route(
        "/players/{name}/plan", ["difficulty", "level", "frame", "sort"], ["level", "frame"]
    ),
    "api_progress.plates": Route(
        "/api/players/{name}/plates?plate=熊舞舞",
        ["plate", "version"],
        ["plate", "version"],
        (400, 404),
    ),  # fmt: skip
    "api_progress.rating_plan": Route(
        "/api/players/{name}/rating/plan",
        ["difficulty", "level", "frame", "sort"],
        ["difficulty", "level", "frame", "sort"],
    ),
    "api_imports.export": Route("/api/players/{name}/export", ["format"], ["format"]),
    "demo.hello": Route("/hello/{name}", ["unknown"], []),
    "demo.welcome_get": Route("/welcome/get?name=x", ["name"], []),
    "demo.segment": Route("/jieba/", ["unknown"], []),  # its text: tests/test_demo.py
    "jackets.jacket": Route("/jackets/" + "0" * 64, ["unknown"], [], answered=(404,)),
    "static": Route("/css/site.css", ["v"], []),
}
POSTS = {
    "api_imports.create_player",
    "api_imports.import_pages",
    "imports.submit",
    "imports.forget",
    "unmatched.resolve",
    "demo.welcome_post",
}


class Demo(NamedTuple):
    """The demo archive's app, its database, its import token and a song and title it holds."""

    app: object
    backend: str
    token: str
    song: str
    title: str


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def demo(request, tmp_path_factory):
    """Yield the demo archive on SQLite, then on PostgreSQL, with an admin token set."""
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("hostile")
        url = "sqlite:///%s" % (folder / "hostile.sqlite3")
        app = create_app(settings(url, ADMIN_TOKEN=ADMIN))
    else:
        url = request.getfixturevalue("postgres_schema")
        app = create_app(settings(url, AUTO_MIGRATE=False, ADMIN_TOKEN=ADMIN))
        empty_tables(app)
    session = db_of(app).session()
    seeded = demo_data.seed(session, 1762000000)
    session.commit()
    song = str(min(int(entry["id"]) for entry in demo_data.load_catalog()))
    session.close()
    title = app.test_client().get("/api/players/demo/plays?size=1").get_json()["plays"][0]
    yield Demo(app, request.param, seeded.token, song, quoted(title["title"]))
    db_of(app).dispose()


def url_of(demo: Demo, endpoint: str, name: str = "demo") -> str:
    """Return a route's URL on the demo archive."""
    return ROUTES[endpoint].path.format(name=name, song=demo.song, title=demo.title)


def with_param(url: str, name: str, value: str) -> str:
    """Return a URL with one parameter set to a value, replacing the one it had."""
    path, _, query = url.partition("?")
    kept = [pair for pair in query.split("&") if pair and pair.split("=")[0] != name]
    return path + "?" + "&".join(kept + ["%s=%s" % (name, value)])


def problem(client, url: str, allowed: Tuple[int, ...], **kwargs) -> str:
    """Request a URL; return what is wrong with the answer, or ''."""
    try:
        response = client.get(url, **kwargs)
    except Exception as error:  # TESTING propagates what would have been a 500
        return "%s: %s: %s" % (url[:120], type(error).__name__, str(error)[:200])
    body = response.get_data()
    response.close()  # a static file's answer holds the file open until closed
    if response.status_code not in allowed:
        return "%s: %d, expected %s" % (url[:120], response.status_code, allowed)
    if response.mimetype == "text/html" and SCRIPT.encode() in body:
        return "%s: the markup it was sent is in the answer unescaped" % url[:120]
    if "/api/" in url and response.status_code != 304 and response.mimetype != "application/json":
        return "%s: API answered %s" % (url[:120], response.mimetype)
    return ""


def test_every_route_is_driven(demo):
    endpoints = {rule.endpoint for rule in demo.app.url_map.iter_rules()}
    assert endpoints == set(ROUTES) | POSTS
    assert {route.sibling for route in ROUTES.values() if route.sibling} <= set(ROUTES)


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_a_route_answers_hostile_queries_and_refuses_junk(demo, endpoint):
    route = ROUTES[endpoint]
    client = demo.app.test_client()
    url = url_of(demo, endpoint)
    ok = route.answered
    problems = []  # type: List[str]
    sqlite = demo.backend == "sqlite"  # the parsers are the same on both: values mostly here
    for name in route.params:
        values = JUNK if route.sibling else VALUES if sqlite else DATABASE_VALUES
        for value in UNREAD_VALUES if name == "unknown" else values:
            refused = name in route.enums and value in JUNK
            expected = route.refused if refused else ok + route.refused
            problems.append(problem(client, with_param(url, name, value), expected))
        repeated = "&".join("%s=%s" % (name, value) for value in ("1", "master", "", "%FF"))
        repeated_url = url + ("&" if "?" in url else "?") + repeated
        problems.append(problem(client, repeated_url, ok + route.refused))
    for query in RAW_QUERIES if sqlite else ():
        problems.append(problem(client, url.partition("?")[0] + "?" + query, ok + (400,)))
    assert [found for found in problems if found] == []


PLAYER_ROUTES = sorted(endpoint for endpoint, route in ROUTES.items() if "{name}" in route.path)


@pytest.mark.parametrize("endpoint", PLAYER_ROUTES)
def test_a_route_answers_a_name_no_player_has_with_404(demo, endpoint):
    client = demo.app.test_client()
    problems = [
        problem(
            client,
            url_of(demo, endpoint, name),
            (200, 400, 404) if endpoint.startswith("demo.") else (404,),
        )
        for name in NAMES
    ]
    assert [found for found in problems if found] == []


@pytest.mark.parametrize("demo", ["sqlite"], indirect=True)  # methods are the router's
@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_a_route_answers_every_method_as_http_says(demo, endpoint):
    client = demo.app.test_client()
    url = url_of(demo, endpoint)
    with client.get(url) as got, client.head(url) as head:
        assert (head.status_code, head.get_data()) == (got.status_code, b"")
    with client.options(url) as options:
        assert options.status_code == 200
    for method in ("PUT", "DELETE", "PATCH"):
        with client.open(url, method=method) as refused:
            assert refused.status_code == 405, (method, refused.status_code)
            assert "GET" in refused.headers["Allow"]
            if "/api/" in url:
                assert refused.get_json()["status"] == 405


def test_a_get_of_a_url_only_other_methods_serve_is_405_not_the_static_route_s_404(demo):
    client = demo.app.test_client()
    adapter = demo.app.url_map.bind("localhost")
    checked = []
    for rule in demo.app.url_map.iter_rules():
        if "GET" in rule.methods:
            continue
        path = rule.build({"name": "demo"}, append_unknown=False)[1]
        if adapter.match(path, method="GET")[0] != "static":
            continue  # a page of its own answers a GET there (the import form)
        checked.append(path)
        with client.get(path) as got, client.head(path) as head:
            assert got.status_code == head.status_code == 405, path
            allowed = set(got.headers["Allow"].split(", "))
            assert rule.methods - {"HEAD"} <= allowed and "GET" not in allowed, path
            if path.startswith("/api/"):
                assert got.get_json()["status"] == 405
    assert "/api/players/demo/imports" in checked and "/players/demo/import/forget" in checked
    # A path no route serves is still the static route's 404.
    assert client.get("/players/demo/import/nothing.css").status_code == 404


@pytest.mark.parametrize(
    "accept",
    ["br;q=NaN", "gzip;q=1e999", "*;q=0", "identity;q=0, *;q=0", ",,,;;;==", "br" * 3000, "zstd"],
)
def test_odd_accept_encodings_get_a_page_they_can_read(demo, accept):
    response = demo.app.test_client().get(
        "/players/demo/plates", headers={"Accept-Encoding": accept}
    )
    assert response.status_code in (200, 406)
    assert response.headers.get("Content-Encoding") in (None, "gzip", "br")


def import_post(client, token, body, content_type="application/json", **headers):
    """Post a body to the demo player's import API."""
    if token is not None:
        headers["Authorization"] = "Bearer " + token
    return client.post(
        "/api/players/demo/imports", data=body, content_type=content_type, headers=headers
    )


BAD_IMPORTS = [
    (b"", "application/json", 400),
    (bytes(range(256)) * 8, "text/html", 422),
    (b'{"records": [', "application/json", 422),
    (b"[" * 50000 + b"]" * 50000, "application/json", 422),
    (b'{"records": [null, {}]}', "application/json", 422),
    (
        b'{"records": [{"title": "x", "type": "DX", "level_index": 3, "achievements": NaN}]}',
        "application/json",
        422,
    ),  # fmt: skip
    (b'{"format": "maimai-probe-archive", "version": 1, "plays": "x"}', "application/json", 422),
    ("<html>最近游玩记录</html>".encode("utf-16"), "text/html; charset=utf-16", 422),
    (b"<div>" * 100000, "text/html", 422),
    (b"a=b", "application/x-www-form-urlencoded", 415),
    (b"--x\r\nContent-Disposition: form-data; name=f\r\n\r\nhi", "multipart/form-data", 400),
]


@pytest.mark.parametrize("body, content_type, status", BAD_IMPORTS)
def test_a_refused_import_writes_nothing(demo, body, content_type, status):
    client = demo.app.test_client()
    session = db_of(demo.app).session()
    before = row_counts(session)
    response = import_post(client, demo.token, body, content_type)
    assert response.status_code == status
    assert response.get_json()["player"] if status == 422 else response.get_json()["error"]
    assert row_counts(session) == before
    session.close()


BAD_TOKENS = [
    None,
    "Bearer",
    "Basic {token}",
    "Bearer {token}x",
    "Bearer é",
    "Bearer " + "a" * 5000,
]


@pytest.mark.parametrize("authorization", BAD_TOKENS)
def test_an_import_without_the_token_writes_nothing(demo, authorization):
    client = demo.app.test_client()
    session = db_of(demo.app).session()
    before = row_counts(session)
    headers = (
        {} if authorization is None else {"Authorization": authorization.format(token=demo.token)}
    )
    response = import_post(client, None, demo_data_export(client), **headers)  # fmt: skip
    assert response.status_code in (401, 403)
    assert response.get_json()["status"] == response.status_code
    assert row_counts(session) == before
    session.close()


def demo_data_export(client) -> bytes:
    """Return the demo player's archive export."""
    return client.get("/api/players/demo/export").get_data()


def test_importing_the_archive_again_adds_nothing(demo):
    client = demo.app.test_client()
    session = db_of(demo.app).session()
    before = row_counts(session)
    response = import_post(client, demo.token, demo_data_export(client))
    assert response.status_code == 200
    assert set(response.get_json()["files"][0]["new"].values()) == {0}
    assert row_counts(session) == before
    session.close()


@pytest.mark.parametrize(
    "authorization, body, status",
    [
        (None, b'{"name": "x"}', 401),
        ("Bearer wrong", b'{"name": "x"}', 403),
        ("Bearer " + ADMIN, b'{"name": 5}', 400),
        ("Bearer " + ADMIN, b'{"name": "demo"}', 409),
        ("Bearer " + ADMIN, b'{"name": "a\\u0000b"}', 400),
        ("Bearer " + ADMIN, b'{"name": "\\ud800"}', 400),
        ("Bearer " + ADMIN, b'{"name": "a/b"}', 400),
        ("Bearer " + ADMIN, b"[", 400),
    ],
)
def test_creating_a_player_refuses_bad_tokens_and_names(demo, authorization, body, status):
    session = db_of(demo.app).session()
    before = row_counts(session)
    headers = {"Authorization": authorization} if authorization else {}
    response = demo.app.test_client().post(
        "/api/players", data=body, content_type="application/json", headers=headers
    )
    assert (response.status_code, response.get_json()["status"]) == (status, status)
    assert row_counts(session) == before
    session.close()


@pytest.mark.parametrize(
    "path, form",
    [
        ("/players/demo/import", {"html": "<html></html>", "token": "{token}"}),
        ("/players/demo/import/forget", {}),
        (
            "/players/demo/unmatched",
            {"title": "x", "kind": "DX", "difficulty": "3", "chart_id": "1", "token": "{token}"},
        ),  # fmt: skip
    ],
)
def test_forms_without_their_csrf_token_are_refused_and_write_nothing(demo, path, form):
    session = db_of(demo.app).session()
    before = row_counts(session)
    sent = {key: value.format(token=demo.token) for key, value in form.items()}
    response = demo.app.test_client().post(path, data=sent)
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert row_counts(session) == before
    session.close()


@pytest.mark.parametrize(
    "form",
    [
        {"title": "x", "kind": "DX", "difficulty": "3", "chart_id": "99999999999999999999999"},
        {"title": "x", "kind": "DX", "difficulty": "²", "chart_id": "1"},
        {"title": "\x00", "kind": "DX", "difficulty": "3", "chart_id": "1"},
        {"title": "x" * 5000, "kind": "XX", "difficulty": "3", "chart_id": "1"},
        {"kind": "DX"},
    ],
)
def test_choosing_a_chart_with_a_hostile_form_writes_nothing(demo, form):
    client = demo.app.test_client()
    with client.session_transaction() as cookie:
        cookie["csrf_token"] = "csrf"
    session = db_of(demo.app).session()
    before = row_counts(session)
    sent = dict(form, token=demo.token, csrf_token="csrf")
    assert client.post("/players/demo/unmatched", data=sent).status_code == 400
    assert row_counts(session) == before
    session.close()


# Bugs the sweep found in the progress pages and the https redirect, each kept fixed.


def test_a_plate_page_number_in_other_digits_is_refused(demo):
    assert problem(demo.app.test_client(), "/players/demo/plates/熊舞舞?page=²", (400,)) == ""


@pytest.mark.parametrize("query", ["name=x", "plate_name=x", "_method=POST"])
def test_the_plate_pager_takes_any_query(demo, monkeypatch, query):
    from maimai_probe.progress import views

    monkeypatch.setattr(views, "CARDS_PER_PAGE", 5)  # so the demo's plate has pages
    url = "/players/demo/plates/熊舞舞?" + query
    assert problem(demo.app.test_client(), url, (200, 400)) == ""


def test_the_plate_pager_keeps_the_filters_it_read_and_nothing_else(demo, monkeypatch):
    from maimai_probe.progress import views

    monkeypatch.setattr(views, "CARDS_PER_PAGE", 1)
    url = "/players/demo/plates/熊舞舞?sort=closest&kind=DX&name=x&difficulty=Basic"
    body = demo.app.test_client().get(url).get_data(as_text=True)
    found = re.search(r'rel="next" href="([^"]+)"', body)
    assert found, "a one-card page of a plate with missing charts has a next page"
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(found.group(1).replace("&amp;", "&")).query)
    assert query == {
        "page": ["2"],
        "difficulty": ["basic"],
        "kind": ["dx"],
        "sort": ["closest"],
    }


@pytest.mark.parametrize(
    "url",
    [
        "/players/demo/plates/熊舞舞?kind=DX",
        "/players/demo/plates/熊舞舞?difficulty=MASTER",
        "/players/demo/plates/熊舞舞?difficulty=",
        "/players/demo/plan?difficulty=",
        "/api/players/demo/rating/plan?difficulty=Master",
    ],
)
def test_plate_and_plan_filters_read_values_as_the_other_pages_do(demo, url):
    assert demo.app.test_client().get(url).status_code == 200


@pytest.mark.parametrize("query", ["level=13%2B", "difficulty=basic", "kind=sd", "level=abc"])
def test_the_plates_api_does_not_ignore_the_plate_pages_filters(demo, query):
    client = demo.app.test_client()
    every = client.get("/api/players/demo/plates?plate=熊舞舞")
    filtered = client.get("/api/players/demo/plates?plate=熊舞舞&" + query)
    assert filtered.status_code == 400 or filtered.get_json() != every.get_json()


def forced_https(demo, **extra):
    """Return an app on the demo archive's database with FORCE_HTTPS."""
    url = db_of(demo.app).engine.url.render_as_string(hide_password=False)
    return create_app(settings(url, AUTO_MIGRATE=False, FORCE_HTTPS=True, **extra))


def test_the_https_redirect_keeps_a_chinese_path(demo):
    app = forced_https(demo)
    response = app.test_client().get("/players/舞萌玩家/?q=舞")
    db_of(app).dispose()
    assert response.status_code == 308
    assert response.headers["Location"] == (
        "https://localhost/players/%E8%88%9E%E8%90%8C%E7%8E%A9%E5%AE%B6/?q=%E8%88%9E"
    )


@pytest.mark.parametrize(
    "host", ["x" * 64 + ".example", "a..b", "exa mple", "evil.example/x", "a.example:8o"]
)
def test_the_https_redirect_refuses_a_host_no_url_can_name(demo, host):
    app = forced_https(demo)
    response = app.test_client().get("/players/demo/", headers={"Host": host})
    db_of(app).dispose()
    assert response.status_code == 400
    assert "Location" not in response.headers


@pytest.mark.parametrize(
    "host, location",
    [
        ("probe.example", "https://probe.example/players/demo/"),
        ("probe.example:80", "https://probe.example/players/demo/"),
        ("probe.example:8080", "https://probe.example:8080/players/demo/"),
        ("[::1]:8080", "https://[::1]:8080/players/demo/"),
    ],
)
def test_the_https_redirect_names_the_host_it_was_asked_for(demo, host, location):
    app = forced_https(demo)
    response = app.test_client().get("/players/demo/", headers={"Host": host})
    db_of(app).dispose()
    assert (response.status_code, response.headers.get("Location")) == (308, location)


def test_the_https_redirect_refuses_a_forwarded_prefix_that_is_no_path(demo):
    app = forced_https(
        demo, TRUSTED_PROXIES=1, TRUSTED_PROXY_HEADERS="X-Forwarded-For,X-Forwarded-Prefix"
    )
    client = app.test_client()
    forged = client.get("/players/demo/", headers={"X-Forwarded-Prefix": "javascript:alert(1)//"})
    kept = client.get("/players/demo/", headers={"X-Forwarded-Prefix": "/probe"})
    db_of(app).dispose()
    assert forged.status_code == 400
    assert kept.headers["Location"] == "https://localhost/probe/players/demo/"


def test_the_sweep_catches_a_server_error(demo, monkeypatch):
    """The sweep fails a route whose parser raises: a planted bug is reported, not hidden."""
    from maimai_probe.player import queries

    def broken(value: str, what: str):
        raise ValueError("planted")

    monkeypatch.setattr(queries, "parse_date", broken)
    found = problem(demo.app.test_client(), "/players/demo/plays?from=2025-01-01", (200, 400))
    assert "ValueError: planted" in found
