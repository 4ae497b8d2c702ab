"""Bodies over the limit get 413, spoofed proxy headers do nothing, every answer has headers."""

import io
from urllib.parse import quote

import pytest
from flask import jsonify, request, url_for
from sqlalchemy.exc import OperationalError

from import_helpers import new_player, own_record_page, row_counts
from maimai_probe.player import api
from security.fuzzing import sqlite_app

NAME = "舞萌玩家"
PLAYER = quote(NAME)
LIMIT = 64 * 1024
BIG = b"<html>" + b"x" * (LIMIT + 1) + b"</html>"


@pytest.fixture
def limited(app, session):
    """The app with a 64 KB request limit and a player; returns (client, token)."""
    app.config["MAX_CONTENT_LENGTH"] = LIMIT
    app.config["MAX_FORM_MEMORY_SIZE"] = LIMIT
    _, token = new_player(session, NAME)
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["csrf_token"] = "csrf"
    return client, token


def api_post(client, token, **kwargs):
    return client.post(
        "/api/players/%s/imports" % PLAYER, headers={"Authorization": "Bearer " + token}, **kwargs
    )


def form_post(client, token, **kwargs):
    return client.post("/players/%s/import" % PLAYER, **kwargs)


#: How a server hands a chunked body on: no length, and a stream that ends with the body.
CHUNKED = {"wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"}


def chunked_api_post(client, token, body, content_type):
    """Post a body in chunks, the Werkzeug test client's way: a stream and no Content-Length."""
    return api_post(
        client,
        token,
        input_stream=io.BytesIO(body),
        content_type=content_type,
        environ_overrides=CHUNKED,
    )


def chunked_form_post(client, token, fields):
    """Post the import form as a chunked multipart body."""
    boundary = "chunked-boundary"
    parts = []
    for name, (filename, content) in fields.items():
        disposition = 'form-data; name="%s"' % name
        if filename:
            disposition += '; filename="%s"' % filename
        parts.append(
            b"--%s\r\nContent-Disposition: %s\r\n\r\n%s\r\n"
            % (boundary.encode(), disposition.encode(), content)
        )
    body = b"".join(parts) + b"--%s--\r\n" % boundary.encode()
    return form_post(
        client,
        token,
        input_stream=io.BytesIO(body),
        content_type="multipart/form-data; boundary=" + boundary,
        environ_overrides=CHUNKED,
    )


#: A record page padded past the limit at its end: cut at the limit, it still parses.
PADDED_PAGE = own_record_page() + b" " * (LIMIT + 1)


CASES = {
    "API raw body": lambda c, t: api_post(c, t, data=BIG, content_type="text/html"),
    "API JSON body": lambda c, t: api_post(
        c, t, data=b'{"records": [' + b" " * LIMIT + b"]}", content_type="application/json"
    ),
    "API multipart": lambda c, t: api_post(
        c, t, data={"files": (io.BytesIO(BIG), "big.html")}, content_type="multipart/form-data"
    ),
    "API body without a length": lambda c, t: api_post(
        c,
        t,
        input_stream=io.BytesIO(BIG),
        content_type="text/html",
        environ_overrides={"wsgi.input_terminated": True},
    ),
    "API chunked page, padded past the limit": lambda c, t: chunked_api_post(
        c, t, PADDED_PAGE, "text/html"
    ),
    "API chunked JSON body": lambda c, t: chunked_api_post(
        c, t, b'{"records": [' + b" " * LIMIT + b"]}", "application/json"
    ),
    "form chunked upload": lambda c, t: chunked_form_post(
        c,
        t,
        {
            "csrf_token": (None, b"csrf"),
            "token": (None, t.encode()),
            "files": ("a.html", PADDED_PAGE),
        },
    ),
    "form upload": lambda c, t: form_post(
        c,
        t,
        data={"csrf_token": "csrf", "token": t, "files": (io.BytesIO(BIG), "big.html")},
        content_type="multipart/form-data",
    ),
    "form paste": lambda c, t: form_post(
        c, t, data={"csrf_token": "csrf", "token": t, "html": BIG.decode("ascii")}
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_body_over_the_limit_answers_413_and_writes_nothing(limited, session, case):
    client, token = limited
    before = row_counts(session)
    answer = CASES[case](client, token)
    assert answer.status_code == 413, (case, answer.get_data(as_text=True)[:300])
    if case.startswith("API"):
        assert answer.get_json() == {"error": "上传的内容太大了。", "status": 413}
    else:
        assert "上传的内容太大了" in answer.get_data(as_text=True)
    session.rollback()
    assert row_counts(session) == before


@pytest.mark.parametrize("how", ["api", "form"])
def test_a_chunked_body_within_the_limit_is_imported_whole(limited, session, how):
    client, token = limited
    page = own_record_page()
    if how == "api":
        answer = chunked_api_post(client, token, page, "text/html")
        assert answer.status_code == 201, answer.get_data(as_text=True)[:300]
    else:
        answer = chunked_form_post(
            client,
            token,
            {
                "csrf_token": (None, b"csrf"),
                "token": (None, token.encode()),
                "files": ("a.html", page),
            },
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    session.rollback()
    assert row_counts(session)["play"] > 0


# --- proxies --------------------------------------------------------------------------------

SPOOFED = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "evil.example",
    "X-Forwarded-For": "203.0.113.9, 198.51.100.7",
    "X-Forwarded-Port": "8443",
    "X-Forwarded-Prefix": "/evil",
}


def probe_app(tmp_path, **settings):
    """An app with a view that tells how it sees the request."""
    app = sqlite_app(tmp_path, **settings)

    def seen():
        return jsonify(
            scheme=request.scheme,
            host=request.host,
            remote_addr=request.remote_addr,
            secure=request.is_secure,
            external=url_for("site.index", _external=True),
        )

    app.add_url_rule("/_seen", "seen", seen)
    return app


def test_spoofed_proxy_headers_change_nothing_without_trusted_proxies(tmp_path):
    client = probe_app(tmp_path, TRUSTED_PROXIES=0).test_client()
    for headers in (SPOOFED, {"X-Api-Scheme": "https"}):
        answer = client.get("/_seen", headers=headers)
        assert answer.get_json() == {
            "scheme": "http",
            "host": "localhost",
            "remote_addr": "127.0.0.1",
            "secure": False,
            "external": "http://localhost/",
        }
        assert "Strict-Transport-Security" not in answer.headers


def test_one_trusted_proxy_is_believed_for_its_own_hop(tmp_path):
    client = probe_app(tmp_path, TRUSTED_PROXIES=1).test_client()
    answer = client.get("/_seen", headers=SPOOFED)
    assert answer.get_json() == {
        "scheme": "https",
        "host": "localhost",  # X-Forwarded-Host, -Port and -Prefix only when named
        "remote_addr": "198.51.100.7",  # the address our proxy saw, not what the client claimed
        "secure": True,
        "external": "https://localhost/",
    }
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
    named = probe_app(
        tmp_path,
        TRUSTED_PROXIES=1,
        TRUSTED_PROXY_HEADERS="X-Forwarded-For,X-Forwarded-Proto,X-Forwarded-Host,"
        "X-Forwarded-Port,X-Forwarded-Prefix",
    ).test_client()
    assert named.get("/_seen", headers=SPOOFED).get_json()["external"] == (
        "https://evil.example:8443/evil/"
    )
    tencent = probe_app(
        tmp_path, TRUSTED_PROXIES=1, TRUSTED_PROXY_HEADERS="X-Forwarded-For,X-Api-Scheme"
    ).test_client()
    seen = tencent.get("/_seen", headers={"X-Api-Scheme": "https"}).get_json()
    assert seen["scheme"] == "https" and seen["secure"]


def session_cookie(answer):
    """Return the Set-Cookie header of the session cookie."""
    cookies = [value for value in answer.headers.getlist("Set-Cookie") if "session=" in value]
    assert len(cookies) == 1, answer.headers
    return cookies[0]


@pytest.mark.parametrize(
    "settings, request_kwargs, secure",
    [
        ({}, {}, False),
        ({}, {"base_url": "https://localhost"}, True),
        ({"TRUSTED_PROXIES": 1}, {"headers": {"X-Forwarded-Proto": "https"}}, True),
        ({"TRUSTED_PROXIES": 0}, {"headers": {"X-Forwarded-Proto": "https"}}, False),
        ({"FORCE_HTTPS": True}, {"base_url": "https://localhost"}, True),
    ],
    ids=["http", "https", "https behind a trusted proxy", "a forged scheme", "forced"],
)
def test_the_session_cookie_is_secure_whenever_the_request_is_https(
    tmp_path, settings, request_kwargs, secure
):
    app = sqlite_app(tmp_path, **settings)

    def with_session():
        from flask import session

        session["seen"] = True
        return "ok"

    app.add_url_rule("/_session", "with_session", with_session)
    cookie = session_cookie(app.test_client().get("/_session", **request_kwargs))
    assert ("; Secure" in cookie) is secure, cookie


def test_forced_https_is_not_skipped_by_a_spoofed_scheme(tmp_path):
    client = sqlite_app(tmp_path, TRUSTED_PROXIES=0, FORCE_HTTPS=True).test_client()
    answer = client.get("/songs", headers={"X-Forwarded-Proto": "https", "X-Api-Scheme": "https"})
    assert answer.status_code == 308
    assert answer.headers["Location"] == "https://localhost/songs"


# --- headers --------------------------------------------------------------------------------


def directives(policy):
    """Split a Content-Security-Policy into {directive: [sources]}."""
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def check_headers(answer, where, secure):
    headers = answer.headers
    policy = directives(headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"], where
    assert policy["default-src"] == ["'self'"], where
    assert policy["object-src"] == ["'none'"], where
    assert policy["frame-ancestors"] == ["'none'"], where
    assert policy["base-uri"] == ["'self'"], where
    for sources in policy.values():
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(sources) or (
            sources == policy.get("img-src")
        ), where
    assert headers["X-Content-Type-Options"] == "nosniff", where
    assert headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin"), where
    assert headers["X-Frame-Options"] == "DENY", where
    if secure:
        assert headers["Strict-Transport-Security"].startswith("max-age="), where
    else:
        assert "Strict-Transport-Security" not in headers, where


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_every_kind_of_answer_carries_the_security_headers(sqlite_app, monkeypatch, scheme):
    session = sqlite_app.extensions["maimai_probe.db"].session()
    _, token = new_player(session, NAME)
    session.close()
    client = sqlite_app.test_client()
    base = "%s://localhost" % scheme
    gets = {
        "/": 200,
        "/players/%s/" % PLAYER: 200,
        "/players/%s/plays" % PLAYER: 200,
        "/players/%s/charts" % PLAYER: 200,
        "/players/%s/import" % PLAYER: 200,
        "/songs": 200,
        "/api/players/%s/plays" % PLAYER: 200,
        "/api/players/%s/export" % PLAYER: 200,
        "/css/site.css": 200,
        "/js/charts.js": 200,
        "/favicon.ico": 200,
        "/robots.txt": 200,
        "/nowhere": 404,
        "/api/nowhere": 404,
        "/players/nobody/": 404,
        "/players/%s/chart" % PLAYER: 400,
    }
    for path, status in gets.items():
        for encoding in ("identity", "br"):
            answer = client.get(path, base_url=base, headers={"Accept-Encoding": encoding})
            answer.close()  # a static file is streamed: the server closes it after sending
            assert answer.status_code == status, path
            check_headers(answer, path, scheme == "https")
    others = [
        ("405", client.open("/songs", method="TRACE", base_url=base), 405),
        ("CSRF", client.post("/players/%s/import" % PLAYER, base_url=base), 400),
        (
            "401",
            client.post("/api/players/%s/imports" % PLAYER, base_url=base, data=b"x"),
            401,
        ),
    ]
    sqlite_app.config["MAX_CONTENT_LENGTH"] = 10
    others.append(
        (
            "413",
            client.post(
                "/api/players/%s/imports" % PLAYER,
                base_url=base,
                data=b"x" * 100,
                content_type="text/html",
                headers={"Authorization": "Bearer " + token},
            ),
            413,
        )
    )

    def unreachable(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("down"))

    monkeypatch.setattr(api, "player_or_404", unreachable)
    monkeypatch.setattr(sqlite_app.extensions["maimai_probe.db"], "read_row", unreachable)
    others.append(("503", client.get("/api/players/%s/plays" % PLAYER, base_url=base), 503))
    for where, answer, status in others:
        assert answer.status_code == status, where
        check_headers(answer, where, scheme == "https")
