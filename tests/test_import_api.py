"""The import API: bearer tokens, the body types it takes, and the answers it gives."""

import io
import json
import threading

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from import_helpers import (
    FIRST_PLAY,
    assert_first_play,
    corrupt_one_play,
    new_player,
    own_record_page,
    real_record_page,
    row_counts,
)
from maimai_probe.importing import store, tokens
from maimai_probe.models import Play

URL = "/api/players/舞萌玩家/imports"
ERROR_PAGE = (
    '<!DOCTYPE html><html lang="zh"><head><meta charset="UTF-8">'
    '<title>舞萌DX－浏览游戏数据－</title></head><body><div class="wrapper t_c">'
    '<div class="container_red p_10"><div class="p_5 f_14">错误码：200002</div>'
    '<div class="p_5 f_12 gray break">请重新登录。</div></div></div></body></html>'
).encode()


@pytest.fixture
def token(session):
    return new_player(session)[1]


def send(client, token, body=b"", content_type="text/html; charset=utf-8", **kwargs):
    headers = {"Authorization": "Bearer %s" % token} if token else {}
    return client.post(URL, data=body, content_type=content_type, headers=headers, **kwargs)


def test_the_real_page_stores_50_plays_then_nothing_new(client, token, session):
    first = send(client, token, real_record_page())
    assert first.status_code == 201
    assert first.get_json() == {
        "player": "舞萌玩家",
        "new": {"plays": 50, "details": 0, "scores": 0, "snapshots": 0, "aliases": 0},
        "known": {"plays": 0, "details": 0, "scores": 0, "snapshots": 0, "aliases": 0},
        "rejected": 0,
        "files": [
            {
                "name": "body",
                "page": "record",
                "accepted": True,
                "error": None,
                "new": {"plays": 50, "details": 0, "scores": 0, "snapshots": 0, "aliases": 0},
                "known": {"plays": 0, "details": 0, "scores": 0, "snapshots": 0, "aliases": 0},
                "warnings": [],
            }
        ],
    }
    assert_first_play(session.scalars(select(Play).order_by(Play.played_at.desc())).first())

    again = send(client, token, real_record_page())
    assert again.status_code == 200
    assert again.get_json()["new"]["plays"] == 0
    assert again.get_json()["known"]["plays"] == 50
    assert row_counts(session)["play"] == 50


def test_the_first_play_reads_back_through_the_plays_api(app, client, token):
    if "api.plays" not in app.view_functions:
        pytest.skip("the read API is not registered")
    send(client, token, real_record_page())
    newest = client.get("/api/players/舞萌玩家/plays").get_json()["plays"][0]
    for field in ("played_at", "title", "kind", "difficulty", "dx_score", "dx_score_max", "place"):
        assert newest[field] == FIRST_PLAY[field], field
    assert newest["achievement"] == 98.6484


def test_multipart_files_are_imported_each_with_its_result(client, token, session):
    files = {
        "files": [
            (io.BytesIO(own_record_page()), "record.html"),
            (io.BytesIO(b"\x00junk"), "junk.bin"),
        ]
    }
    response = send(client, token, files, content_type="multipart/form-data")
    assert response.status_code == 201
    body = response.get_json()
    assert body["rejected"] == 1
    assert [(f["name"], f["accepted"]) for f in body["files"]] == [
        ("record.html", True),
        ("junk.bin", False),
    ]
    assert "不是文本文件" in body["files"][1]["error"]
    assert row_counts(session)["play"] == 4


def truncated(page: bytes) -> bytes:
    return page[: len(page) // 2]


BAD_INPUTS = [
    # (case, token, body, content type, status, message)
    ("empty body", "good", b"", "text/html", 400, "请求里没有内容"),
    ("only spaces", "good", b" \r\n ", "text/html", 400, "请求里没有内容"),
    ("garbage", "good", b"hello maimai", "text/html", 422, ""),
    ("error page 200002", "good", ERROR_PAGE, "text/html", 422, "200002"),
    ("truncated page", "good", "truncated", "text/html", 422, ""),
    ("one corrupt play", "good", "corrupt", "text/html", 422, ""),
    ("broken JSON", "good", b'{"records": [', "application/json", 422, "格式有误"),
    ("JSON bad record", "good", "bad record", "application/json", 422, ""),
    ("binary junk", "good", b"\x89PNG\r\n\x1a\n\x00\x00", "text/html", 422, "不是文本文件"),
    ("missing token", None, "own", "text/html", 401, "需要导入令牌"),
    ("wrong token", "wrong", "own", "text/html", 403, "导入令牌不正确"),
    ("wrong content type", "good", "own", "image/png", 415, "不支持的内容类型"),
    ("form encoded", "good", "own", "application/x-www-form-urlencoded", 415, "text/html"),
]


def bad_body(name: object) -> bytes:
    if not isinstance(name, str):
        return name
    page = own_record_page()
    record = {"title": "曲", "type": "DX", "level_index": 3, "achievements": "lots"}
    return {
        "own": page,
        "truncated": truncated(page),
        "corrupt": corrupt_one_play(page),
        "bad record": json.dumps({"username": "x", "records": [record]}).encode(),
    }[name]


@pytest.mark.parametrize(
    "who, body, content_type, status, message",
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_input_gets_a_clear_4xx_and_writes_nothing(
    client, token, session, who, body, content_type, status, message
):
    before = row_counts(session)
    presented = token if who == "good" else who
    response = send(client, presented, bad_body(body), content_type=content_type)
    assert response.status_code == status
    answer = response.get_json()
    text = answer["error"] if "error" in answer else answer["files"][0]["error"]
    assert text and message in text
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert row_counts(session) == before


def test_an_unknown_player_is_404(client):
    response = client.post("/api/players/nobody/imports", data=b"<p>", content_type="text/html")
    assert response.status_code == 404
    assert "找不到玩家" in response.get_json()["error"]


def test_a_body_over_the_limit_is_413(app, token, session):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    before = row_counts(session)
    response = send(app.test_client(), token, own_record_page())
    assert response.status_code == 413
    assert response.get_json() == {"error": "上传的内容太大了。", "status": 413}
    assert row_counts(session) == before


def test_a_database_failure_mid_import_writes_nothing(client, token, session, monkeypatch):
    def lost(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(store, "store_scores", lost)  # after the plays went in
    before = row_counts(session)
    response = send(client, token, own_record_page())
    assert response.status_code == 503
    assert row_counts(session) == before


@pytest.mark.postgres
def test_eight_concurrent_imports_store_the_page_once(postgres_app):
    with postgres_app.extensions["maimai_probe.db"].session() as setup:
        token = new_player(setup)[1]
    page = real_record_page()
    start = threading.Barrier(8)
    answers = []

    def run():
        client = postgres_app.test_client()
        start.wait()
        answers.append(send(client, token, page))

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answer.status_code for answer in answers) == [200] * 7 + [201]
    bodies = [answer.get_json() for answer in answers]
    assert all(b["new"]["plays"] + b["known"]["plays"] == 50 for b in bodies)
    assert sum(b["new"]["plays"] for b in bodies) == 50
    with postgres_app.extensions["maimai_probe.db"].session() as check:
        assert row_counts(check)["play"] == 50


ADMIN = "admin-secret-0123456789"


@pytest.mark.parametrize(
    "configured, presented, payload, status, message",
    [
        (None, ADMIN, {"name": "新玩家"}, 404, "找不到"),
        (ADMIN, None, {"name": "新玩家"}, 401, "需要管理令牌"),
        (ADMIN, "wrong", {"name": "新玩家"}, 403, "管理令牌不正确"),
        (ADMIN, ADMIN, {"name": "a/b"}, 400, "斜杠"),
        (ADMIN, ADMIN, {}, 400, "请给出玩家名字"),
        (ADMIN, ADMIN, {"name": "舞萌玩家"}, 409, "已经存在"),
    ],
)
def test_creating_players_needs_the_admin_token(
    app, client, token, session, configured, presented, payload, status, message
):
    app.config["ADMIN_TOKEN"] = configured
    headers = {"Authorization": "Bearer %s" % presented} if presented else {}
    before = row_counts(session)
    response = client.post("/api/players", json=payload, headers=headers)
    assert response.status_code == status
    assert message in response.get_json()["error"]
    assert row_counts(session) == before


def test_the_admin_creates_a_player_and_gets_its_token_once(app, client, session):
    app.config["ADMIN_TOKEN"] = ADMIN
    headers = {"Authorization": "Bearer " + ADMIN}
    response = client.post("/api/players", json={"name": "新玩家"}, headers=headers)
    assert response.status_code == 201
    body = response.get_json()
    assert body["name"] == "新玩家"
    assert body["imports_url"] == "/api/players/%E6%96%B0%E7%8E%A9%E5%AE%B6/imports"
    imported = client.post(
        body["imports_url"],
        data=own_record_page(),
        content_type="text/html",
        headers={"Authorization": "Bearer " + body["token"]},
    )
    assert imported.status_code == 201


@pytest.mark.parametrize(
    "content_type",
    [
        "text/html; charset=utf-8",
        "application/xhtml+xml",
        "text/plain; charset=utf-8",
        "application/json",
    ],
)
def test_every_documented_body_type_is_read(client, token, session, content_type):
    body = own_record_page()
    if content_type == "application/json":
        archived = client.get("/api/players/舞萌玩家/export")  # empty now: an archive of nothing
        body = archived.data
    response = send(client, token, body, content_type=content_type)
    assert response.status_code in (200, 201), response.get_json()
    assert response.get_json()["files"][0]["accepted"] is True


def test_the_admin_may_send_the_name_as_a_form_field(app, client, session):
    app.config["ADMIN_TOKEN"] = ADMIN
    response = client.post(
        "/api/players", data={"name": "表单玩家"}, headers={"Authorization": "Bearer " + ADMIN}
    )
    assert response.status_code == 201
    assert response.get_json()["name"] == "表单玩家"
    assert tokens.find_player(session, "表单玩家") is not None
