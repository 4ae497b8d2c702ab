"""The web import, the API and the reading pages take any request without a server error."""

import io
import itertools
import json
import pathlib
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from import_helpers import new_player, own_record_page
from maimai_probe import demo_data
from maimai_probe.catalog import sync
from security.fuzzing import NASTY, TEXT, examples, sqlite_app

NAME = "舞萌玩家"
DEMO_CATALOG = pathlib.Path(demo_data.CATALOG)
ADMIN = "admin-token-0123456789"
_names = itertools.count()


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory):
    """An app with a player who imported the hand-made record page; yields (app, token)."""
    app = sqlite_app(tmp_path_factory.mktemp("endpoints"), ADMIN_TOKEN=ADMIN)
    session = app.extensions["maimai_probe.db"].session()
    _, token = new_player(session, NAME)
    sync.sync_catalog(session, sync.read_catalog(json.loads(DEMO_CATALOG.read_text("utf-8"))))
    session.commit()
    session.close()
    answer = app.test_client().post(
        "/api/players/%s/imports" % quote(NAME),
        data=own_record_page(),
        content_type="text/html",
        headers={"Authorization": "Bearer " + token},
    )
    assert answer.status_code == 201
    yield app, token
    app.extensions["maimai_probe.db"].dispose()


PAGE = own_record_page()
BODIES = st.one_of(
    st.binary(max_size=300),
    TEXT.map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.just(PAGE),
    st.integers(min_value=0, max_value=len(PAGE)).map(lambda cut: PAGE[:cut]),
    st.just(b'{"records": []}'),
    st.just(b'{"records": [{"title": "x", "type": "DX", "level_index": 9}]}'),
)
CONTENT_TYPES = st.one_of(
    st.sampled_from(
        [
            "text/html",
            "text/html; charset=utf-8",
            "text/html; charset=gb18030",
            "text/plain",
            "application/json",
            "application/xhtml+xml",
            "multipart/form-data",
            "multipart/form-data; boundary=x",
            "application/x-www-form-urlencoded",
            "application/octet-stream",
            "",
            ";;;",
            "text/html; charset=nonsense",
        ]
    ),
    # A WSGI server hands headers over as latin-1 text: nothing else can arrive.
    st.text(alphabet=st.characters(max_codepoint=255, blacklist_characters="\r\n"), max_size=40),
)


def authorizations(token):
    return st.one_of(
        st.none(),
        st.just("Bearer " + token),
        st.just("bearer  " + token + "  "),
        st.just("Bearer"),
        st.just("Basic " + token),
        st.text(
            alphabet=st.characters(max_codepoint=255, blacklist_characters="\r\n"), max_size=60
        ),
    )


#: Text a browser can send in a form: no lone surrogates.
FORM_TEXT = TEXT.filter(lambda text: not any(0xD800 <= ord(c) <= 0xDFFF for c in text))
PLAYERS = st.one_of(st.just(NAME), st.just("nobody"), TEXT.filter(lambda t: "\x00" not in t))


def player_path(name):
    return quote(name.encode("utf-8", "surrogatepass"), safe="")


@examples(400)
@given(data=st.data(), body=BODIES, content_type=CONTENT_TYPES, name=PLAYERS)
def test_the_import_api_answers_any_request_with_a_json_status(
    fuzzed, data, body, content_type, name
):
    app, token = fuzzed
    headers = {}
    authorization = data.draw(authorizations(token))
    if authorization is not None:
        headers["Authorization"] = authorization
    if data.draw(st.booleans()):  # in chunks, as a server hands those on: no length
        sent = {
            "input_stream": io.BytesIO(body),
            "environ_overrides": {
                "wsgi.input_terminated": True,
                "HTTP_TRANSFER_ENCODING": "chunked",
            },
        }
    else:
        sent = {"data": body}
    response = app.test_client().post(
        "/api/players/%s/imports" % player_path(name),
        content_type=content_type,
        headers=headers,
        **sent,
    )
    # 405: a name such as "" leaves a path only the static files' GET route matches.
    assert response.status_code in (200, 201, 400, 401, 403, 404, 405, 413, 415, 422), (
        response.status_code,
        response.get_data(as_text=True)[:300],
    )
    document = response.get_json()
    assert isinstance(document, dict)
    if response.status_code >= 400 and response.status_code != 422:
        assert document["status"] == response.status_code and document["error"]


@examples(250)
@given(
    data=st.data(),
    name=PLAYERS,
    html=st.one_of(FORM_TEXT, FORM_TEXT, st.just(PAGE.decode("utf-8"))),
    files=st.lists(st.tuples(FORM_TEXT, BODIES), max_size=3),
    csrf=st.sampled_from(["good", "bad", "none"]),
    remember=st.booleans(),
)
def test_the_import_form_answers_any_post_without_a_server_error(
    fuzzed, data, name, html, files, csrf, remember
):
    app, token = fuzzed
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["csrf_token"] = "fuzz-csrf"
    form = {"html": html, "token": data.draw(st.one_of(st.just(token), FORM_TEXT))}
    if csrf != "none":
        form["csrf_token"] = "fuzz-csrf" if csrf == "good" else data.draw(FORM_TEXT)
    if remember:
        form["remember"] = "1"
    form["files"] = [(io.BytesIO(content), filename) for filename, content in files]
    response = client.post(
        "/players/%s/import" % player_path(name),
        data=form,
        content_type="multipart/form-data",
    )
    allowed = (200, 400, 401, 403, 404, 413, 422) if name == NAME else (308, 400, 404, 405)
    assert response.status_code in allowed, response.status_code
    assert response.mimetype == "text/html"


READ_PATHS = [
    "/players/{name}/",
    "/players/{name}/plays",
    "/players/{name}/diff",
    "/players/{name}/chart",
    "/players/{name}/best50",
    "/players/{name}/charts",
    "/players/{name}/charts/chart",
    "/players/{name}/songs",
    "/players/{name}/unmatched",
    "/players/{name}/import",
    "/songs",
    "/api/players/{name}/plays",
    "/api/players/{name}/diff",
    "/api/players/{name}/best",
    "/api/players/{name}/rating",
    "/api/players/{name}/rating/trend",
    "/api/players/{name}/export",
]
PARAMETERS = st.sampled_from(
    [
        "title",
        "difficulty",
        "kind",
        "from",
        "to",
        "rank",
        "rank_mode",
        "fc",
        "fs",
        "min",
        "max",
        "cursor",
        "after",
        "before",
        "size",
        "page",
        "q",
        "sort",
        "order",
        "level",
        "genre",
        "version",
        "format",
    ]
)
VALUES = st.one_of(
    NASTY,
    st.text(max_size=20),
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(["2025-10-03", "9999-12-31", "0000-00-00", "master", "dx", "sssp", "ap"]),
)


@examples(600)
@given(
    path=st.sampled_from(READ_PATHS),
    name=st.one_of(st.just(NAME), PLAYERS),
    query=st.lists(st.tuples(st.one_of(PARAMETERS, TEXT), VALUES), max_size=6),
    accept=st.sampled_from(["text/html", "application/json", "*/*", ""]),
)
def test_reading_pages_answer_any_query_without_a_server_error(fuzzed, path, name, query, accept):
    app, _ = fuzzed
    encoded = "&".join(
        "%s=%s"
        % (
            quote(key.encode("utf-8", "surrogatepass")),
            quote(value.encode("utf-8", "surrogatepass")),
        )
        for key, value in query
    )
    url = path.format(name=player_path(name)) + ("?" + encoded if encoded else "")
    response = app.test_client().get(url, headers={"Accept": accept} if accept else {})
    # Werkzeug 2.0 answers a path with "//" (an empty name, or one that starts or ends with
    # a slash) with a redirect to the merged slashes.
    allowed = (200, 308, 400, 404) if "//" in "/%s/" % name else (200, 400, 404)
    assert response.status_code in allowed, (url, response.status_code)
    if path.startswith("/api/"):
        assert isinstance(response.get_json(), (dict, list))


@examples(150)
@given(
    body=st.one_of(
        BODIES,
        st.fixed_dictionaries({"name": TEXT}).map(
            lambda d: str(d).encode("utf-8", "surrogatepass")
        ),
    ),
    content_type=CONTENT_TYPES,
    authorization=st.sampled_from([None, "Bearer " + ADMIN, "Bearer wrong", "Bearer"]),
    name=st.one_of(TEXT, st.text(min_size=1, max_size=40)),
)
def test_creating_players_answers_any_request_without_a_server_error(
    fuzzed, body, content_type, authorization, name
):
    app, _ = fuzzed
    client = app.test_client()
    headers = {"Authorization": authorization} if authorization else {}
    response = client.post("/api/players", data=body, content_type=content_type, headers=headers)
    assert response.status_code in (400, 401, 403, 409), response.status_code
    # Escaped JSON, so a lone surrogate can travel as a client could send it ("\ud800").
    response = client.post(
        "/api/players",
        data=json.dumps({"name": name}),
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code in (201, 400, 401, 403, 409), response.status_code
    assert isinstance(response.get_json(), dict)


@examples(400)
@given(
    name=st.one_of(st.just(NAME), PLAYERS),
    song=st.one_of(
        st.sampled_from(["9001", "19001", "9004", "0", "09001", "-1"]),
        st.integers(0, 2**80).map(str),
        TEXT,
    ),
    difficulty=st.one_of(VALUES, st.sampled_from(["basic", "master", "3", "remaster", "10"])),
)
def test_a_catalog_chart_answers_any_song_and_difficulty_without_a_server_error(
    fuzzed, name, song, difficulty
):
    app, _ = fuzzed
    url = "/players/%s/charts/%s/%s" % (
        player_path(name),
        quote(song.encode("utf-8", "surrogatepass"), safe=""),
        quote(difficulty.encode("utf-8", "surrogatepass"), safe=""),
    )
    response = app.test_client().get(url)
    allowed = (200, 308, 404) if "//" in "/%s/" % name or not song or not difficulty else (200, 404)
    assert response.status_code in allowed, (url, response.status_code)
