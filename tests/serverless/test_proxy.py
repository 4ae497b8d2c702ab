"""Which scheme, host and client address the app believes, behind gateways and proxies."""

import json
import socket
import ssl

import pytest

import flask_serverless
from flask_serverless import make_handler
from flask_serverless.proxy import ReverseProxied

from .serverless_demo import build_demo_app, load_event

SPOOFED = {
    "X-Forwarded-Proto": "https",
    "X-Api-Scheme": "https",
    "X-Forwarded-Host": "evil.example",
    "X-Forwarded-Port": "8443",
    "X-Forwarded-Prefix": "/evil",
    "X-Forwarded-For": "6.6.6.6",
}


def wired_app(static_dir, **config):
    app = build_demo_app(str(static_dir), **config)
    flask_serverless.init_app(app)
    return app


def echo(client, **kwargs):
    response = client.get("/echo?x=1", **kwargs)
    assert response.status_code == 200
    return response.get_json()


@pytest.mark.parametrize(
    "fixture, external",
    [
        (
            "tencent-apigw-get.json",
            "https://service-k3r9x2vd-1250000000.gz.apigw.tencentcs.com/release/echo",
        ),
        (
            "tencent-function-url.json",
            "https://1250000000-k3r9x2vd-ap-guangzhou.scf.tencentcs.com/echo",
        ),
        ("aws-rest.json", "https://a1b2c3d4e5.execute-api.ap-northeast-1.amazonaws.com/dev/echo"),
        ("aws-http-v1.json", "https://q9w8e7r6t5.execute-api.eu-west-1.amazonaws.com/echo"),
        ("aws-http-v2.json", "https://q9w8e7r6t5.execute-api.eu-west-1.amazonaws.com/echo"),
        ("aws-alb-multi.json", "https://probe.example.org/echo"),
        ("aws-alb.json", "http://probe-alb-1234567890.eu-west-1.elb.amazonaws.com/echo"),
    ],
)
def test_url_for_external_behind_each_gateway(static_dir, fixture, external):
    handler = make_handler(wired_app(static_dir))
    event = load_event(fixture)
    if "rawPath" in event:
        event["rawPath"] = "/echo"
    else:
        event["path"] = "/echo"
    for headers in (event.get("headers") or {}, event.get("multiValueHeaders") or {}):
        for name in [name for name in headers if name.lower() == "accept-encoding"]:
            del headers[name]

    answer = handler(event, {"request_id": "r"})

    assert json.loads(answer["body"])["external"] == external


def test_a_direct_client_cannot_pretend_to_be_on_https(static_dir):
    page = echo(wired_app(static_dir).test_client(), headers=SPOOFED)

    assert page["external"] == "http://localhost/echo"
    assert page["scheme"] == "http"
    assert page["script_root"] == ""
    assert page["remote_addr"] == "127.0.0.1"


def test_gateway_events_are_not_swayed_by_forwarding_headers(static_dir):
    event = load_event("tencent-apigw-get.json")
    event["path"] = "/echo"
    del event["headers"]["accept-encoding"]
    event["headers"].update({name.lower(): value for name, value in SPOOFED.items()})
    event["headers"]["x-api-scheme"] = "https"
    app = wired_app(static_dir, TRUSTED_PROXIES=2)

    page = json.loads(make_handler(app)(event, {"request_id": "r"})["body"])

    assert page["external"] == (
        "https://service-k3r9x2vd-1250000000.gz.apigw.tencentcs.com/release/echo"
    )
    assert page["remote_addr"] == "203.0.113.24"


def test_one_trusted_proxy_sets_scheme_host_prefix_and_client(static_dir):
    client = wired_app(
        static_dir,
        TRUSTED_PROXIES=1,
        TRUSTED_PROXY_HEADERS="X-Forwarded-For, X-Forwarded-Proto, x-forwarded-host,"
        "X-Forwarded-Prefix",
    ).test_client()

    page = echo(
        client,
        headers={
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "probe.example.org",
            "X-Forwarded-Prefix": "/probe",
            "X-Forwarded-For": "6.6.6.6, 203.0.113.24",
        },
    )

    assert page["external"] == "https://probe.example.org/probe/echo"
    assert page["remote_addr"] == "203.0.113.24"


def test_one_trusted_proxy_is_believed_only_for_the_headers_every_proxy_sets(static_dir):
    client = wired_app(static_dir, TRUSTED_PROXIES=1).test_client()

    page = echo(client, headers=dict(SPOOFED, **{"X-Api-Scheme": "http"}))

    assert page["external"] == "https://localhost/echo"  # not evil.example, not /evil
    assert page["script_root"] == ""
    assert page["remote_addr"] == "6.6.6.6"


def test_tencent_api_scheme_counts_when_named(static_dir):
    client = wired_app(
        static_dir, TRUSTED_PROXIES=1, TRUSTED_PROXY_HEADERS="X-Forwarded-For,X-Api-Scheme"
    ).test_client()

    page = echo(client, headers={"X-Api-Scheme": "https"})

    assert page["external"] == "https://localhost/echo"
    # X-Forwarded-Proto is not named: a client's own one changes nothing.
    assert echo(client, headers={"X-Forwarded-Proto": "https"})["scheme"] == "http"


@pytest.mark.parametrize("api_scheme, forwarded_proto", [("https", "http"), ("http", "https")])
def test_api_scheme_wins_over_forwarded_proto(static_dir, api_scheme, forwarded_proto):
    # Tencent's gateway sets X-Api-Scheme from its own connection and passes a client's
    # X-Forwarded-Proto along.
    client = wired_app(
        static_dir,
        TRUSTED_PROXIES=1,
        TRUSTED_PROXY_HEADERS="X-Forwarded-For,X-Forwarded-Proto,X-Api-Scheme",
    ).test_client()

    page = echo(client, headers={"X-Api-Scheme": api_scheme, "X-Forwarded-Proto": forwarded_proto})

    assert page["scheme"] == api_scheme


def test_an_unknown_trusted_header_is_refused_at_start(static_dir):
    with pytest.raises(ValueError, match="x-real-ip"):
        wired_app(static_dir, TRUSTED_PROXIES=1, TRUSTED_PROXY_HEADERS="X-Forwarded-For,X-Real-Ip")


@pytest.mark.parametrize("trusted_proxies", [0, 1])
def test_gunicorns_own_reading_of_forwarded_proto_does_not_count(static_dir, trusted_proxies):
    # gunicorn sets wsgi.url_scheme from X-Forwarded-Proto for clients in forwarded_allow_ips
    # (loopback by default); the scheme of its plain socket is http.
    client = wired_app(
        static_dir, TRUSTED_PROXIES=trusted_proxies, TRUSTED_PROXY_HEADERS="X-Forwarded-For"
    ).test_client()
    with socket.socket() as plain:
        page = echo(
            client,
            headers={"X-Forwarded-Proto": "https"},
            environ_overrides={"gunicorn.socket": plain, "wsgi.url_scheme": "https"},
        )
    assert page["scheme"] == "http"
    assert page["external"] == "http://localhost/echo"


def test_gunicorn_serving_tls_itself_stays_https(static_dir):
    client = wired_app(static_dir).test_client()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    with context.wrap_socket(
        socket.socket(), server_hostname="localhost", do_handshake_on_connect=False
    ) as tls:
        page = echo(client, environ_overrides={"gunicorn.socket": tls, "wsgi.url_scheme": "https"})
    assert page["scheme"] == "https"


def test_a_client_that_skips_one_of_two_proxies_changes_nothing(static_dir):
    client = wired_app(static_dir, TRUSTED_PROXIES=2).test_client()

    page = echo(client, headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "6.6.6.6"})

    assert page["scheme"] == "http"
    assert page["remote_addr"] == "127.0.0.1"


def test_force_https_redirects_plain_http_permanently(static_dir):
    client = wired_app(static_dir, FORCE_HTTPS=True).test_client()

    response = client.post("/echo?x=1&q=%E7%B3%BB", headers=SPOOFED)

    assert response.status_code == 308
    assert response.headers["Location"] == "https://localhost/echo?x=1&q=%E7%B3%BB"
    assert "Strict-Transport-Security" not in response.headers


def test_force_https_marks_https_answers_with_hsts(static_dir):
    client = wired_app(static_dir, FORCE_HTTPS=True, TRUSTED_PROXIES=1).test_client()

    response = client.get("/echo", headers={"X-Forwarded-Proto": "https"})

    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_force_https_keeps_the_apps_own_hsts(static_dir):
    def app(environ, start_response):
        start_response("200 OK", [("Strict-Transport-Security", "max-age=60")])
        return [b""]

    proxied = ReverseProxied(app, trusted_proxies=0, force_https=True)
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["headers"] = headers

    proxied({"wsgi.url_scheme": "https", "REQUEST_METHOD": "GET"}, start_response)

    assert seen["headers"] == [("Strict-Transport-Security", "max-age=60")]


def test_force_https_through_a_plain_http_load_balancer(static_dir):
    handler = make_handler(wired_app(static_dir, FORCE_HTTPS=True))

    answer = handler(load_event("aws-alb.json"), {"request_id": "r"})

    assert answer["statusCode"] == 308
    assert answer["headers"]["Location"] == (
        "https://probe-alb-1234567890.eu-west-1.elb.amazonaws.com/songs/834?q=%E7%B3%BB%20DX&kind=DX"
    )


def test_force_https_through_an_https_gateway_adds_hsts(static_dir):
    handler = make_handler(wired_app(static_dir, FORCE_HTTPS=True))

    answer = handler(load_event("tencent-apigw-get.json"), {"request_id": "r"})

    assert answer["statusCode"] == 200
    assert answer["headers"]["Strict-Transport-Security"] == "max-age=31536000"


def test_without_config_nothing_is_trusted_or_forced(static_dir):
    app = wired_app(static_dir)
    proxied = app.wsgi_app.wsgi_app  # the timer wraps the proxy

    assert isinstance(proxied, ReverseProxied)
    assert (proxied.trusted_proxies, proxied.force_https) == (0, False)
