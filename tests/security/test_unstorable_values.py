"""Values the database cannot keep as given are refused with their reason, not a 500."""

import json

import pytest
from sqlalchemy import select

from import_helpers import new_player, own_record_page, row_counts
from maimai_probe.models import Score


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
