"""The import page: the form, the token, uploads and pastes, and what the result page says."""

import io
import re

import pytest
from sqlalchemy import select

from import_helpers import (
    assert_first_play,
    corrupt_one_play,
    new_player,
    own_record_page,
    real_record_page,
    row_counts,
)
from maimai_probe.importing import tokens
from maimai_probe.models import Play

URL = "/players/舞萌玩家/import"


@pytest.fixture
def token(session):
    return new_player(session)[1]


def csrf_of(client) -> str:
    page = client.get(URL).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def post(client, token=None, html="", files=(), csrf=True, remember=True):
    data = {"html": html}
    if token is not None:
        data["token"] = token
    if csrf:
        data["csrf_token"] = csrf_of(client)
    if remember:
        data["remember"] = "1"
    data["files"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(URL, data=data, content_type="multipart/form-data")


def test_the_form_asks_for_the_token_a_paste_or_files(client, token):
    response = client.get(URL)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert re.search(
        r'<input type="password" id="import-token" name="token" autocomplete="off"', page
    )
    assert (
        '<input type="file" id="import-files" name="files" multiple accept=".html,.htm,.json">'
        in page
    )
    assert '<textarea id="import-html" name="html"' in page
    assert 'name="csrf_token"' in page
    assert "电脑版微信" in page and "另存为" in page
    assert 'aria-current="page">导入</a>' in page
    assert "/api/players/%E8%88%9E%E8%90%8C%E7%8E%A9%E5%AE%B6/export" in page


def test_an_unknown_player_has_no_import_page(client):
    response = client.get("/players/nobody/import")
    assert response.status_code == 404
    assert "找不到玩家" in response.get_data(as_text=True)


def test_the_real_record_page_imports_50_plays_once(client, token, session):
    response = post(client, token, files=[("record.html", real_record_page())])
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "新增 <strong>50 次游玩</strong>" in page
    assert "最近游玩记录" in page and "已导入" in page
    newest = session.scalars(select(Play).order_by(Play.played_at.desc())).first()
    assert_first_play(newest)

    again = post(client, html=real_record_page().decode("utf-8"))  # pasted, token remembered
    assert again.status_code == 200
    page = again.get_data(as_text=True)
    assert "新增 <strong>0</strong>" in page
    assert "已有 50 次游玩" in page
    assert "粘贴的内容" in page
    assert row_counts(session)["play"] == 50


def test_a_page_saved_as_gb18030_imports(client, token, session):
    text = own_record_page().decode("utf-8")
    response = post(client, token, files=[("old.htm", text.encode("gb18030"))])
    assert response.status_code == 200
    assert "新增 <strong>4 次游玩</strong>" in response.get_data(as_text=True)
    titles = set(session.scalars(select(Play.title)))
    assert "チルノのパーフェクトさんすう教室　⑨周年バージョン" in titles


def test_rejected_files_are_listed_and_the_good_ones_stored(client, token, session):
    files = [("good.html", own_record_page()), ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF")]
    response = post(client, token, files=files)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "1 个文件未能导入" in page
    assert "未导入：这不是文本文件" in page
    assert row_counts(session)["play"] == 4


def test_a_renewed_token_makes_the_remembered_one_stale(client, token, session):
    assert post(client, token, files=[("a.html", own_record_page())]).status_code == 200
    player = tokens.find_player(session, "舞萌玩家")
    tokens.renew_token(session, player)
    response = post(client, files=[("a.html", own_record_page())])
    assert response.status_code == 401
    assert "令牌已经失效" in response.get_data(as_text=True)


def test_forgetting_the_token(client, token):
    assert post(client, token, files=[("a.html", own_record_page())]).status_code == 200
    assert "忘记这台设备上的令牌" in client.get(URL).get_data(as_text=True)
    forget = client.post(URL + "/forget", data={"csrf_token": csrf_of(client)})
    assert forget.status_code == 302
    assert "忘记这台设备上的令牌" not in client.get(URL).get_data(as_text=True)
    assert post(client, files=[("a.html", own_record_page())]).status_code == 401


BAD_INPUTS = [
    # (case, form arguments, status, message)
    ("missing token", {"token": None, "files": [("a.html", "own")]}, 401, "请输入导入令牌"),
    ("wrong token", {"token": "wrong", "files": [("a.html", "own")]}, 403, "导入令牌不正确"),
    ("no csrf token", {"csrf": False, "files": [("a.html", "own")]}, 400, "CSRF"),
    ("nothing sent", {}, 400, "请粘贴网页源代码"),
    ("only spaces pasted", {"html": " \n\t "}, 400, "请粘贴网页源代码"),
    ("garbage", {"html": "hello, maimai"}, 422, "未导入"),
    ("binary junk", {"files": [("x.bin", b"\x00\x01\x02\xff" * 64)]}, 422, "不是文本文件"),
    ("one corrupt play", {"files": [("a.html", "corrupt")]}, 422, "未导入"),
    ("bad JSON", {"files": [("a.json", b'{"records": [')]}, 422, "格式有误"),
]


@pytest.mark.parametrize(
    "arguments, status, message", [case[1:] for case in BAD_INPUTS], ids=[c[0] for c in BAD_INPUTS]
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_written(
    client, token, session, arguments, status, message
):
    arguments = dict(arguments)
    arguments.setdefault("token", token)
    pages = {"own": own_record_page(), "corrupt": corrupt_one_play(own_record_page())}
    arguments["files"] = [
        (name, pages.get(content, content)) for name, content in arguments.get("files", [])
    ]
    before = row_counts(session)
    response = post(client, **arguments)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert row_counts(session) == before


def test_a_body_over_the_limit_is_a_chinese_413(app, token, session):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    client = app.test_client()
    before = row_counts(session)
    response = post(client, token, files=[("big.html", b"<p>" * 40000)])
    assert response.status_code == 413
    assert "上传的内容太大了" in response.get_data(as_text=True)
    assert row_counts(session) == before
