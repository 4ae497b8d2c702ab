"""Values the database cannot keep as given are refused with their reason, not a 500."""

import io
import json

import pytest
from sqlalchemy import select

from import_helpers import new_player, own_record_page, row_counts
from maimai_probe import db
from maimai_probe.importing import store
from maimai_probe.models import Player, Score


def divingfish(**changes):
    record = {"title": "曲", "type": "DX", "level_index": 3, "achievements": 100.5}
    record.update(changes.pop("record", {}))
    document = {"records": [record]}
    document.update(changes)
    return json.dumps(document).encode("ascii"), "application/json"


def record_page(old, new):
    return own_record_page().replace(old, new, 1), "text/html"


CASES = [
    ("NUL in a title", divingfish(record={"title": "a\u0000b"}), "title 含有空字符"),
    ("a lone surrogate in a title", divingfish(record={"title": "a\ud800"}), "U+D800"),
    ("NUL in a nickname", divingfish(nickname="x\u0000"), "name 含有空字符"),
    (
        "a level too long",
        divingfish(record={"level": "1" * 9}),
        "level 太长（9 个字符，最多 8 个）",
    ),
    ("a DX score too wide", divingfish(record={"dxScore": 2**31}), "dx_score 超出范围"),
    ("a DX score wider than 64 bits", divingfish(record={"dxScore": 2**64}), "dx_score 超出范围"),
    ("a rating too wide", divingfish(nickname="x", rating=2**40), "rating 超出范围"),
    (
        "a jacket name too long",
        record_page(b"Music/8a0b6f4c2d9e1735.png", b"Music/" + b"0" * 65 + b".png"),
        "jacket 太长（65 个字符，最多 64 个）",
    ),
]


@pytest.mark.parametrize("body, expected", [case[1:] for case in CASES], ids=[c[0] for c in CASES])
def test_unstorable_values_are_refused_with_their_reason(app, session, body, expected):
    player, token = new_player(session)
    before = row_counts(session)
    data, content_type = body
    response = app.test_client().post(
        "/api/players/%s/imports" % player.name,
        data=data,
        content_type=content_type,
        headers={"Authorization": "Bearer " + token},
    )
    assert response.status_code == 422, response.get_data(as_text=True)[:500]
    error = response.get_json()["files"][0]["error"]
    assert expected in error and "整个文件都没有导入" in error
    session.rollback()
    assert row_counts(session) == before


def test_a_ten_thousand_character_title_is_stored_as_given(app, session):
    player, token = new_player(session)
    title = "<script>alert(1)</script>" + "曲" * 10000
    data, content_type = divingfish(record={"title": title})
    response = app.test_client().post(
        "/api/players/%s/imports" % player.name,
        data=data,
        content_type=content_type,
        headers={"Authorization": "Bearer " + token},
    )
    assert response.status_code == 201
    assert session.scalars(select(Score.title)).one() == title


#: An archive whose rejected field holds a lone surrogate: the refusal quotes the value.
SURROGATE_ARCHIVE = json.dumps(
    {"format": "maimai-probe-archive", "version": 1, "plays": [{"played_at": "\ud800"}]}
).encode("ascii")


def test_a_refusal_quoting_a_lone_surrogate_is_answered_on_the_api(app, session):
    player, token = new_player(session)
    before = row_counts(session)
    response = app.test_client().post(
        "/api/players/%s/imports" % player.name,
        data=SURROGATE_ARCHIVE,
        content_type="application/json",
        headers={"Authorization": "Bearer " + token},
    )
    assert response.status_code == 422
    error = response.get_json()["files"][0]["error"]
    assert "played_at" in error and "\\ud800" in error
    session.rollback()
    assert row_counts(session) == before


def test_a_refusal_quoting_a_lone_surrogate_is_shown_on_the_import_form(app, session):
    player, token = new_player(session)
    before = row_counts(session)
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["csrf_token"] = "csrf"
    response = client.post(
        "/players/%s/import" % player.name,
        data={
            "csrf_token": "csrf",
            "token": token,
            "files": (io.BytesIO(SURROGATE_ARCHIVE), "archive.json"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "played_at" in response.get_data(as_text=True)
    assert "\\ud800" in response.get_data(as_text=True)
    session.rollback()
    assert row_counts(session) == before


@pytest.mark.parametrize("title", ["a\x00b", "\x00"])
def test_a_chart_choice_with_nul_in_its_title_is_refused_clearly(app, session, title):
    player, token = new_player(session)
    before = row_counts(session)
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["csrf_token"] = "csrf"
    response = client.post(
        "/players/%s/unmatched" % player.name,
        data={
            "csrf_token": "csrf",
            "token": token,
            "title": title,
            "kind": "DX",
            "difficulty": "3",
            "chart_id": "1",
        },
    )
    assert response.status_code == 400
    assert "表单内容不完整" in response.get_data(as_text=True)
    session.rollback()
    assert row_counts(session) == before


@pytest.mark.postgres
@pytest.mark.parametrize("text, code", [("a\x00b", "U+0000"), ("a\ud800", "U+D800")])
def test_any_text_postgresql_refuses_is_a_clear_400_on_any_route(postgres_app, text, code):
    def lookup():
        found = db.session().execute(select(Player.id).where(Player.name == text)).first()
        return "found" if found else "none"

    postgres_app.add_url_rule("/_lookup", "lookup", lookup)
    postgres_app.add_url_rule("/api/_lookup", "api_lookup", lookup)
    client = postgres_app.test_client()
    page = client.get("/_lookup")
    assert page.status_code == 400 and code in page.get_data(as_text=True)
    answer = client.get("/api/_lookup")
    assert answer.status_code == 400
    assert answer.get_json() == {"error": "请求里含有无法保存的字符（%s）。" % code, "status": 400}


def exported_with(app, token, player, **play_changes):
    """Return the player's archive with its first play changed, as JSON."""
    client = app.test_client()
    headers = {"Authorization": "Bearer " + token}
    answer = client.post(
        "/api/players/%s/imports" % player.name,
        data=own_record_page(),
        content_type="text/html",
        headers=headers,
    )
    assert answer.status_code == 201
    document = client.get("/api/players/%s/export" % player.name).get_json()
    document["plays"] = [dict(document["plays"][0], **play_changes)]
    return json.dumps(document)


@pytest.mark.parametrize("played_at", [2**40, store.LATEST_TIME + 1])
def test_a_play_time_no_page_can_show_is_refused(app, session, played_at):
    player, token = new_player(session)
    body = exported_with(app, token, player, played_at=played_at)
    before = row_counts(session)
    response = app.test_client().post(
        "/api/players/%s/imports" % player.name,
        data=body,
        content_type="application/json",
        headers={"Authorization": "Bearer " + token},
    )
    assert response.status_code == 422
    assert "played_at 不是 1970 到 9999 年之间的时间" in response.get_json()["files"][0]["error"]
    session.rollback()
    assert row_counts(session) == before


def test_the_latest_showable_play_time_is_stored_and_shown(app, session):
    player, token = new_player(session)
    body = exported_with(app, token, player, played_at=store.LATEST_TIME, utc_offset=960)
    client = app.test_client()
    response = client.post(
        "/api/players/%s/imports" % player.name,
        data=body,
        content_type="application/json",
        headers={"Authorization": "Bearer " + token},
    )
    assert response.status_code == 201, response.get_data(as_text=True)[:300]
    for path in ("/", "plays", "diff", "best50", "charts"):
        page = client.get("/players/%s/%s" % (player.name, path.strip("/")))
        assert page.status_code == 200, path
    for path in ("plays", "diff", "best", "rating", "rating/trend", "export"):
        answer = client.get("/api/players/%s/%s" % (player.name, path))
        assert answer.status_code == 200, path
