"""Lone surrogates, NUL and chunked bodies, the inputs that once found 500s, on both databases."""

import copy
import io
import itertools
import json
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import empty_tables, settings
from import_helpers import new_player, own_record_page, row_counts
from maimai_probe import create_app
from security.fuzzing import JSON_VALUES, NASTY, TEXT, examples

NAME = "舞萌玩家"
PLAYER = quote(NAME)
#: How a server hands a chunked body on: no length, and a stream that ends with the body.
CHUNKED = {"wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"}
#: Text no database keeps, or that no encoder takes, among others.
HOSTILE = st.one_of(
    st.sampled_from(["\x00", "a\x00b", "\ud800", "a\udfff", "\ud83d", "\x00\ud800"]),
    NASTY,
    TEXT,
)
VALUES = st.one_of(HOSTILE, JSON_VALUES)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def hostile(request, tmp_path_factory):
    """An app whose player imported the record page; yields (app, token, exported archive)."""
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("hostile")
        app = create_app(settings("sqlite:///%s" % (folder / "fuzz.sqlite3")))
    else:
        app = create_app(settings(request.getfixturevalue("postgres_schema"), AUTO_MIGRATE=False))
        empty_tables(app)
    session = app.extensions["maimai_probe.db"].session()
    _, token = new_player(session, NAME)
    session.commit()
    session.close()
    client = app.test_client()
    answer = client.post(
        "/api/players/%s/imports" % PLAYER,
        data=own_record_page(),
        content_type="text/html",
        headers={"Authorization": "Bearer " + token},
    )
    assert answer.status_code == 201
    archive = client.get("/api/players/%s/export" % PLAYER).get_json()
    assert archive["plays"]
    yield app, token, archive
    app.extensions["maimai_probe.db"].dispose()


@st.composite
def hostile_archives(draw, archive):
    """Return the player's own archive with hostile values put in a few places, as JSON."""
    document = copy.deepcopy(archive)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        where = draw(st.sampled_from(["play", "detail", "top", "new play"]))
        value = draw(VALUES)
        if where == "top":
            document[draw(st.sampled_from(sorted(document)))] = value
            continue
        plays = document.get("plays")
        if not isinstance(plays, list) or not plays:
            continue
        play = plays[draw(st.integers(min_value=0, max_value=len(plays) - 1))]
        if not isinstance(play, dict):
            continue
        if where == "new play":
            play = dict(play, played_at=draw(st.integers(0, 2**40)))
            plays.append(play)
        if where == "detail" and isinstance(play.get("detail"), dict):
            play = play["detail"]
        keys = st.one_of(st.sampled_from(sorted(play)), TEXT) if play else TEXT
        play[draw(keys)] = value
    # ensure_ascii: a lone surrogate travels as "\ud800", as any client could send it.
    return json.dumps(document, ensure_ascii=True).encode("ascii")


def counts(app):
    session = app.extensions["maimai_probe.db"].session()
    try:
        return row_counts(session)
    finally:
        session.close()


def post(client, path, body, content_type, chunked, **kwargs):
    """Post a body with its length, or in chunks as a server hands those on."""
    if chunked:
        return client.post(
            path,
            input_stream=io.BytesIO(body),
            content_type=content_type,
            environ_overrides=CHUNKED,
            **kwargs,
        )
    return client.post(path, data=body, content_type=content_type, **kwargs)


@examples(300)
@given(data=st.data(), chunked=st.booleans())
def test_hostile_archives_are_imported_or_refused_with_a_json_status(hostile, data, chunked):
    app, token, archive = hostile
    body = data.draw(hostile_archives(archive))
    before = counts(app)
    response = post(
        app.test_client(),
        "/api/players/%s/imports" % PLAYER,
        body,
        "application/json",
        chunked,
        headers={"Authorization": "Bearer " + token},
    )
    assert response.status_code in (200, 201, 400, 422), response.get_data(as_text=True)[:300]
    document = response.get_json()
    assert isinstance(document, dict)
    if response.status_code >= 400:
        assert counts(app) == before
    for file in document.get("files", []):
        if file["error"]:
            file["error"].encode("utf-8")  # every refusal can be sent


_forms = itertools.count()


def multipart(fields, boundary="fuzz-boundary"):
    """Return a multipart body of (name, filename or None, bytes) fields."""
    parts = []
    for name, filename, content in fields:
        disposition = 'form-data; name="%s"' % name
        if filename:
            disposition += '; filename="%s"' % filename
        parts.append(
            b"--%s\r\nContent-Disposition: %s\r\n\r\n%s\r\n"
            % (boundary.encode(), disposition.encode(), content)
        )
    body = b"".join(parts) + b"--%s--\r\n" % boundary.encode()
    return body, "multipart/form-data; boundary=" + boundary


@examples(150)
@given(data=st.data(), chunked=st.booleans(), pasted=st.booleans())
def test_hostile_archives_on_the_import_form_answer_a_page(hostile, data, chunked, pasted):
    app, token, archive = hostile
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["csrf_token"] = "fuzz-csrf"
    archive_body = data.draw(hostile_archives(archive))
    fields = [("csrf_token", None, b"fuzz-csrf"), ("token", None, token.encode())]
    if pasted:
        fields.append(("html", None, archive_body))
    else:
        fields.append(("files", "archive%d.json" % next(_forms), archive_body))
    body, content_type = multipart(fields)
    before = counts(app)
    response = post(client, "/players/%s/import" % PLAYER, body, content_type, chunked)
    assert response.status_code in (200, 400, 422), response.get_data(as_text=True)[:300]
    assert response.mimetype == "text/html"
    if response.status_code >= 400:
        assert counts(app) == before


@examples(200)
@given(
    title=HOSTILE,
    kind=st.one_of(st.sampled_from(["DX", "SD"]), HOSTILE),
    difficulty=st.one_of(st.sampled_from(["0", "3", "10"]), HOSTILE),
    chart_id=st.one_of(st.integers(-(2**70), 2**70).map(str), HOSTILE),
    chunked=st.booleans(),
)
def test_hostile_chart_choices_are_refused_clearly(
    hostile, title, kind, difficulty, chart_id, chunked
):
    app, token, _ = hostile
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["csrf_token"] = "fuzz-csrf"
    fields = {
        "csrf_token": "fuzz-csrf",
        "token": token,
        "title": title,
        "kind": kind,
        "difficulty": difficulty,
        "chart_id": chart_id,
    }
    # A browser sends UTF-8; a lone surrogate can only arrive as bytes that decode to U+FFFD.
    body = "&".join(
        "%s=%s" % (name, quote(value.encode("utf-8", "surrogatepass"), safe=""))
        for name, value in fields.items()
    ).encode("ascii")
    before = counts(app)
    response = post(
        client,
        "/players/%s/unmatched" % PLAYER,
        body,
        "application/x-www-form-urlencoded",
        chunked,
    )
    assert response.status_code in (200, 400), response.get_data(as_text=True)[:300]
    if response.status_code == 400:
        assert counts(app) == before


READ_PATHS = [
    "/players/{name}/plays",
    "/players/{name}/diff",
    "/players/{name}/chart",
    "/players/{name}/songs",
    "/songs",
    "/api/players/{name}/plays",
    "/api/players/{name}/diff",
    "/api/players/{name}/best",
]
PARAMETERS = st.sampled_from(
    ["title", "kind", "difficulty", "from", "to", "rank", "fc", "fs", "q", "size", "before"]
)


@examples(300)
@given(
    path=st.sampled_from(READ_PATHS),
    query=st.lists(st.tuples(st.one_of(PARAMETERS, HOSTILE), HOSTILE), min_size=1, max_size=4),
)
def test_hostile_queries_answer_without_a_server_error(hostile, path, query):
    app, _, _ = hostile
    encoded = "&".join(
        "%s=%s"
        % (
            quote(key.encode("utf-8", "surrogatepass"), safe=""),
            quote(value.encode("utf-8", "surrogatepass"), safe=""),
        )
        for key, value in query
    )
    url = path.format(name=PLAYER) + "?" + encoded
    response = app.test_client().get(url)
    assert response.status_code in (200, 400, 404), (url, response.status_code)
