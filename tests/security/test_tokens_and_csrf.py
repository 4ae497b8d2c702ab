"""Tokens are required, compared in constant time and stored hashed; every form needs CSRF."""

import hashlib
import hmac
import json
from urllib.parse import quote

import pytest
from sqlalchemy import select, text

from import_helpers import new_player, own_record_page, row_counts
from maimai_probe.importing import tokens
from maimai_probe.models import Base, Player
from maimai_probe.web import csrf

NAME = "舞萌玩家"
PLAYER = quote(NAME)
ADMIN = "admin-token-for-tests-0123456789"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
#: Exempt routes that take no token and write nothing: the benchmark demo's echo forms.
WRITE_NOTHING = {"demo.welcome_post", "demo.segment"}


@pytest.fixture
def compared(monkeypatch):
    """Record every hmac.compare_digest call, wherever it comes from."""
    calls = []
    compare = hmac.compare_digest

    def recording(a, b):
        calls.append((a, b))
        return compare(a, b)

    monkeypatch.setattr(hmac, "compare_digest", recording)
    return calls


def api_import(client, authorization=None, page=None):
    headers = {"Authorization": authorization} if authorization else {}
    return client.post(
        "/api/players/%s/imports" % PLAYER,
        data=page or own_record_page(),
        content_type="text/html",
        headers=headers,
    )


def with_csrf(client, value="csrf-for-tests"):
    with client.session_transaction() as cookie:
        cookie[csrf.FIELD] = value
    return value


CSRF_VALUE = "csrf-for-tests"


def web_import(client, token=None, csrf_token=CSRF_VALUE, remember=False):
    form = {"html": own_record_page().decode("utf-8")}
    if token is not None:
        form["token"] = token
    if csrf_token is not None:
        form["csrf_token"] = csrf_token
    if remember:
        form["remember"] = "1"
    return client.post("/players/%s/import" % PLAYER, data=form)


# --- tokens ---------------------------------------------------------------------------------


def test_every_write_needs_the_token(app, session):
    new_player(session, NAME)
    client = app.test_client()
    before = row_counts(session)
    answer = api_import(client)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    for authorization in ("Bearer", "Bearer ", "Basic abc", "Bearer wrong-token", "token x"):
        assert api_import(client, authorization).status_code in (401, 403), authorization
    with_csrf(client)
    assert web_import(client).status_code == 401
    assert web_import(client, token="wrong").status_code == 403
    unmatched = client.post(
        "/players/%s/unmatched" % PLAYER,
        data={"csrf_token": "csrf-for-tests", "title": "x", "kind": "DX", "difficulty": "3"},
    )
    assert unmatched.status_code == 401
    session.rollback()
    assert row_counts(session) == before


def test_tokens_are_compared_in_constant_time_on_every_path(app, session, compared):
    player, token = new_player(session, NAME)
    stored = player.token_hash
    client = app.test_client()

    assert api_import(client, "Bearer wrong").status_code == 403
    assert compared == [(stored.encode(), tokens.hash_token("wrong").encode())]
    del compared[:]
    assert api_import(client, "Bearer " + token).status_code == 201
    assert (stored.encode(), tokens.hash_token(token).encode()) in compared

    del compared[:]
    with_csrf(client)
    assert web_import(client, token=token, remember=True).status_code == 200
    assert (b"csrf-for-tests", b"csrf-for-tests") in compared  # the CSRF token too
    assert (stored.encode(), tokens.hash_token(token).encode()) in compared

    del compared[:]
    assert web_import(client).status_code == 200  # the remembered hash, compared the same way
    assert (stored.encode(), stored.encode()) in compared


def test_the_admin_token_is_compared_in_constant_time(app, compared):
    app.config["ADMIN_TOKEN"] = ADMIN
    client = app.test_client()
    wrong = client.post("/api/players", json={"name": "x"}, headers={"Authorization": "Bearer no"})
    assert wrong.status_code == 403
    digest = hashlib.sha256
    assert compared == [(digest(ADMIN.encode()).digest(), digest(b"no").digest())]
    made = client.post(
        "/api/players", json={"name": "新玩家"}, headers={"Authorization": "Bearer " + ADMIN}
    )
    assert made.status_code == 201


def test_only_the_tokens_hash_is_stored_anywhere(app, session):
    app.config["ADMIN_TOKEN"] = ADMIN
    client = app.test_client()
    made = client.post(
        "/api/players", json={"name": NAME}, headers={"Authorization": "Bearer " + ADMIN}
    )
    token = made.get_json()["token"]
    cli = app.test_cli_runner().invoke(args=["players", "create", "玩家二"])
    second = cli.output.strip().split()[-1]
    renewed = app.test_cli_runner().invoke(args=["players", "token", "玩家二"])
    third = renewed.output.strip().split()[-1]
    with_csrf(client)
    imported = web_import(client, token=token, remember=True)
    assert imported.status_code == 200
    assert token not in imported.headers["Set-Cookie"]

    hashes = dict(session.execute(select(Player.name, Player.token_hash)).all())
    assert hashes[NAME] == hashlib.sha256(token.encode()).hexdigest()
    assert hashes["玩家二"] == hashlib.sha256(third.encode()).hexdigest()
    dump = []
    for table in Base.metadata.sorted_tables:
        for row in session.execute(select(text("*")).select_from(table)):
            dump.append(json.dumps([str(value) for value in row], ensure_ascii=False))
    everything = "\n".join(dump)
    for secret in (token, second, third):
        assert secret not in everything
    with client.session_transaction() as remembered:
        assert token not in json.dumps(dict(remembered))
        assert remembered["import_tokens"] == {NAME: hashes[NAME]}


def test_the_session_cookie_is_http_only_and_same_site(app, session):
    _, token = new_player(session, NAME)
    client = app.test_client()
    with_csrf(client)
    answer = web_import(client, token=token, remember=True)
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


# --- CSRF -----------------------------------------------------------------------------------


def unsafe_routes(app):
    """Return (endpoint, methods, url) of every rule taking an unsafe method."""
    found = []
    for rule in app.url_map.iter_rules():
        methods = sorted((rule.methods or set()) & UNSAFE)
        if methods:
            values = {argument: NAME for argument in rule.arguments}
            found.append((rule.endpoint, methods, rule.build(values)[1]))
    return sorted(found)


def test_every_form_outside_the_token_apis_refuses_a_post_without_its_csrf_token(app, session):
    _, token = new_player(session, NAME)
    exempt = csrf.exempt_blueprints(app)
    forms = [route for route in unsafe_routes(app) if route[0].split(".")[0] not in exempt]
    assert {endpoint for endpoint, _, _ in forms} >= {
        "imports.submit",
        "imports.forget",
        "unmatched.resolve",
    }
    client = app.test_client()
    with_csrf(client)
    assert web_import(client, token=token, remember=True).status_code == 200  # remembered now
    session.rollback()
    before = row_counts(session)
    complete_form = {
        "token": token,
        "html": own_record_page().decode("utf-8"),
        "title": "x",
        "kind": "DX",
        "difficulty": "3",
        "chart_id": "1",
        "remember": "1",
    }
    for endpoint, methods, url in forms:
        for method in methods:
            for sent in (None, "", "wrong-csrf-token", "csrf-for-tests-but-longer"):
                form = dict(complete_form)
                if sent is not None:
                    form["csrf_token"] = sent
                answer = client.open(url, method=method, data=form)
                assert answer.status_code == 400, (endpoint, method, sent, answer.status_code)
                assert "CSRF" in answer.get_data(as_text=True), endpoint
    session.rollback()
    assert row_counts(session) == before
    # The refused forget did not forget either: the remembered token still imports.
    assert web_import(client).status_code == 200


def test_a_forged_csrf_header_or_cookie_free_post_is_refused(app, session):
    _, token = new_player(session, NAME)
    client = app.test_client()
    answer = client.post(
        "/players/%s/import" % PLAYER,
        data={"token": token, "html": "x", "csrf_token": "anything"},
        headers={csrf.HEADER: "anything"},
    )
    assert answer.status_code == 400  # no session, so no token can match


def test_exempt_blueprints_take_bearer_tokens_or_write_nothing(app, session):
    new_player(session, NAME)
    app.config["ADMIN_TOKEN"] = ADMIN
    exempt = csrf.exempt_blueprints(app)
    client = app.test_client()
    before = row_counts(session)
    for endpoint, methods, url in unsafe_routes(app):
        if endpoint.split(".")[0] not in exempt or endpoint in WRITE_NOTHING:
            continue
        for method in methods:
            answer = client.open(
                url, method=method, data=own_record_page(), content_type="text/html"
            )
            assert answer.status_code == 401, (endpoint, method, answer.status_code)
            assert answer.headers["WWW-Authenticate"].startswith("Bearer"), endpoint
    assert client.post("/welcome/post", data={"name": "x"}).status_code == 200
    session.rollback()
    assert row_counts(session) == before


@pytest.mark.parametrize(
    "method, path, allowed, mimetype",
    [
        ("PUT", "/players/%s/import" % PLAYER, {"GET", "POST"}, "text/html"),
        ("DELETE", "/players/%s/" % PLAYER, {"GET"}, "text/html"),
        ("PUT", "/api/players/%s/plays" % PLAYER, {"GET"}, "application/json"),
        ("PATCH", "/api/players/%s/imports" % PLAYER, {"POST"}, "application/json"),
    ],
)
def test_a_method_a_route_does_not_take_is_a_405_not_a_csrf_refusal(
    app, session, method, path, allowed, mimetype
):
    _, token = new_player(session, NAME)
    before = row_counts(session)
    answer = app.test_client().open(
        path, method=method, data={"token": token, "html": "x"}, headers={"Authorization": token}
    )
    assert answer.status_code == 405
    assert answer.mimetype == mimetype
    assert "CSRF" not in answer.get_data(as_text=True)
    assert allowed <= {name.strip() for name in answer.headers["Allow"].split(",")}
    session.rollback()
    assert row_counts(session) == before


def test_a_post_to_a_path_routing_would_redirect_still_needs_its_csrf_token(app, session):
    _, token = new_player(session, NAME)
    before = row_counts(session)
    # /players/<name>/import//: Werkzeug would redirect it to the form, keeping the POST.
    answer = app.test_client().post(
        "/players/%s//import" % PLAYER, data={"token": token, "html": "x"}
    )
    assert answer.status_code == 400
    assert "CSRF" in answer.get_data(as_text=True)
    session.rollback()
    assert row_counts(session) == before
