"""The Tencent Web function: scf_bootstrap run as SCF runs it, and waitress behind TencentFront."""

import json
import os
import socket
import stat
import threading

import pytest
import waitress  # requirements.txt and both layer locks pin it

from flask_serverless.environ import PLATFORM_KEY, REQUEST_ID_KEY
from flask_serverless.web_function import (
    TENCENT_WEB_FUNCTION,
    TencentFront,
    client_address,
    server_options,
    threads_from_environment,
)

from .web_function_support import (
    BOOTSTRAP,
    RUNTIME_PYTHON36,
    code_root,
    free_port,
    listing,
    mapped_bootstrap,
    python36,
    start,
    unpacked_layer,
)

#: What Tencent's front adds to every request (Web function docs, 函数公共请求头).
TENCENT_HEADERS = {
    "Host": "1250000000-k3r9x2vd.ap-guangzhou.tencentscf.com",
    "X-Scf-Request-Id": "6b3b1c0e-4f5a-4d7e-9a39-2b8f1d0c7e11",
    "X-Scf-Remote-Addr": "111.206.96.145",
    "X-Scf-Memory": "512",
    "X-Scf-Timeout": "30000",
    "X-Scf-Version": "$LATEST",
    "X-Scf-Name": "maimai-probe-web",
    "X-Scf-Namespace": "default",
    "X-Scf-Region": "ap-guangzhou",
}
#: What a client may send on its own to pose as someone else, or as https.
FORGED = {
    "X-Forwarded-For": "6.6.6.6",
    "X-Forwarded-Proto": "http",
    "X-Forwarded-Host": "evil.example",
    "X-Forwarded-Prefix": "/evil",
    "X-Real-IP": "6.6.6.7",
    "X-Api-Scheme": "http",
    "Forwarded": "for=6.6.6.8;proto=http;host=evil.example",
}


def test_scf_bootstrap_is_what_scf_runs():
    data = BOOTSTRAP.read_bytes()

    assert data.startswith(b"#!/bin/bash\n")
    assert b"\r" not in data and data.endswith(b"\n")
    assert stat.S_IMODE(BOOTSTRAP.stat().st_mode) == 0o755
    text = data.decode()
    assert RUNTIME_PYTHON36 in text and "/var/lang/python310/bin/python3.10" in text
    assert "exec " in text  # the server is the process SCF watches and stops


# --- waitress behind TencentFront, in this process ----------------------------------------------


def environ_echo(environ, start_response):
    keys = ("REMOTE_ADDR", "wsgi.url_scheme", "SERVER_PORT", "HTTP_HOST", "SCRIPT_NAME")
    seen = {key: environ.get(key) for key in keys + (PLATFORM_KEY, REQUEST_ID_KEY)}
    seen["forwarding"] = sorted(k for k in environ if "FORWARD" in k or k.endswith("REAL_IP"))
    seen["body"] = environ["wsgi.input"].read().decode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(seen).encode()]


@pytest.fixture(scope="module")
def served():
    """Serve environ_echo with waitress and TencentFront on a free port, as serve() does."""
    options = server_options(None, threads=2, port=free_port(), host="127.0.0.1")
    server = waitress.create_server(TencentFront(environ_echo), **options)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield options["port"]
    server.close()
    thread.join(5)


def ask(port, headers, body=None):
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST" if body else "GET", "/who", body=body, headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_the_front_gives_the_client_https_and_the_request_id(served):
    status, seen = ask(served, dict(TENCENT_HEADERS))

    assert status == 200
    assert seen["REMOTE_ADDR"] == "111.206.96.145"
    assert seen["wsgi.url_scheme"] == "https"
    assert seen["SERVER_PORT"] == "443"
    assert seen["HTTP_HOST"] == TENCENT_HEADERS["Host"]
    assert seen[PLATFORM_KEY] == TENCENT_WEB_FUNCTION
    assert seen[REQUEST_ID_KEY] == TENCENT_HEADERS["X-Scf-Request-Id"]


def test_forged_forwarding_headers_never_reach_the_app(served):
    status, seen = ask(served, dict(TENCENT_HEADERS, **FORGED))

    assert status == 200
    assert seen["forwarding"] == []
    assert seen["REMOTE_ADDR"] == "111.206.96.145"
    assert seen["wsgi.url_scheme"] == "https"
    assert seen["SCRIPT_NAME"] == ""


@pytest.mark.parametrize("value", ["", "not-an-address", "1.2.3.4, 5.6.7.8", "999.1.1.1"])
def test_without_a_valid_platform_address_the_peer_stays_the_client(served, value):
    headers = dict(TENCENT_HEADERS, **FORGED)
    headers["X-Scf-Remote-Addr"] = value

    status, seen = ask(served, headers)

    assert status == 200
    assert seen["REMOTE_ADDR"] == "127.0.0.1"


def test_a_body_arrives_whole(served):
    body = ("舞萌" * 40000).encode()

    status, seen = ask(served, dict(TENCENT_HEADERS, **{"Content-Type": "text/plain"}), body)

    assert status == 200
    assert seen["body"].encode() == body


@pytest.mark.parametrize(
    "value, expected", [("", 4), ("8", 8), ("1", 1), ("0", 4), ("65", 4), ("many", 4)]
)
def test_thread_count(value, expected):
    assert threads_from_environment({"WEB_THREADS": value}) == expected


def test_client_address_is_one_ip_address_only():
    assert client_address(" 2001:db8::1 ") == "2001:db8::1"
    assert client_address("203.0.113.9") == "203.0.113.9"
    assert client_address("203.0.113.9:443") == ""


def test_the_front_refuses_an_unknown_scheme():
    with pytest.raises(ValueError):
        TencentFront(environ_echo, scheme="ftp")


# --- the project's scf_bootstrap, on CPython 3.6 with the unpacked layer at "/opt" ----------------


@pytest.fixture(scope="module")
def function_instance(tmp_path_factory):
    """Start scf_bootstrap as SCF would: code root, layer, environment; stop it afterwards."""
    tmp_path = tmp_path_factory.mktemp("web-function")
    python = python36()
    layer = unpacked_layer(tmp_path)
    root = code_root(tmp_path)
    bootstrap = mapped_bootstrap(root, python, layer)
    writable = tmp_path / "tmp"
    writable.mkdir()
    before = (listing(root), listing(layer))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(writable),
        "LANG": "C.UTF-8",
        "SECRET_KEY": "web-function-test-" + "k" * 32,
        "DATA_DIR": str(writable),
        "FORCE_HTTPS": "true",
        "WEB_PORT": str(free_port()),
        "WEB_THREADS": "2",
    }
    running = start(bootstrap, env, tmp_path / "server.log")
    try:
        yield running
    finally:
        status = running.stop()
    assert status in (0, -15), running.output()
    assert (listing(root), listing(layer)) == before, "the server wrote outside its temp dir"


def test_scf_bootstrap_serves_the_site_over_http(function_instance):
    status, headers, body = function_instance.request("GET", "/", dict(TENCENT_HEADERS))

    assert status == 200, body[:500]
    assert "max-age=" in headers.get("strict-transport-security", "")  # it knows it is https
    assert headers["content-type"].startswith("text/html")
    assert "waitress" in headers.get("server", "")
    output = function_instance.output()
    assert "serving on http://0.0.0.0:%d" % function_instance.port in output
    assert "(waitress, Python 3.6." in output


def test_scf_bootstrap_ignores_forged_forwarding_headers(function_instance):
    headers = dict(TENCENT_HEADERS, **FORGED)

    status, answer, body = function_instance.request("GET", "/", headers)
    # Behind an honoured X-Forwarded-Proto: http, FORCE_HTTPS would redirect to https.
    assert status == 200, body[:300]
    assert b"evil.example" not in body and b"/evil/" not in body

    status, answer, body = function_instance.request("GET", "/robots.txt", headers)
    assert status == 200
    assert "evil" not in json.dumps(answer)


def test_scf_bootstrap_refuses_a_body_past_the_limit_before_it_arrives(function_instance):
    # Waitress reads the headers, sees the length and answers at once: no worker waits for
    # a body that a slow or hostile client may never finish sending.
    request = (
        "POST /api/players/demo/imports HTTP/1.1\r\nHost: %s\r\n"
        "Content-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n"
        % (TENCENT_HEADERS["Host"], 8 * 1024 * 1024 + 70000)
    )
    with socket.create_connection(("127.0.0.1", function_instance.port), timeout=10) as client:
        client.sendall(request.encode())
        answer = client.recv(4096)

    assert answer.startswith(b"HTTP/1.1 413 ")


def test_slow_clients_hold_no_worker_thread(function_instance):
    # Two worker threads (WEB_THREADS=2); five clients that never finish their headers.
    slow = [socket.create_connection(("127.0.0.1", function_instance.port)) for _ in range(5)]
    try:
        for client in slow:
            client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        status, _, _ = function_instance.request("GET", "/robots.txt", dict(TENCENT_HEADERS))
    finally:
        for client in slow:
            client.close()

    assert status == 200
