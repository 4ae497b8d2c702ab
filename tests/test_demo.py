"""The benchmark's sample endpoints: greetings and jieba's words and keywords."""

import random

import pytest

from conftest import TEST_SECRET
from maimai_probe import create_app
from maimai_probe.web import samples


@pytest.fixture
def client(sqlite_app):
    return sqlite_app.test_client()


def test_hello_greets_the_name_in_the_path_as_plain_text(client):
    response = client.get("/hello/舞萌")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "Hello, 舞萌!"
    assert response.mimetype == "text/plain"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_markup_in_a_name_is_never_served_as_html(client):
    response = client.get("/welcome/get", query_string={"name": "<script>alert(1)</script>"})
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == "Welcome, <script>alert(1)</script>!"


def test_welcome_reads_the_query_string(client):
    assert client.get("/welcome/get?name=alice").get_data(as_text=True) == "Welcome, alice!"


def test_welcome_post_takes_a_form_without_a_csrf_token(client):
    response = client.post("/welcome/post", data={"name": "alice"})
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "Welcome, alice!"


def test_other_forms_still_need_their_csrf_token(client):
    assert client.post("/songs", data={"name": "alice"}).status_code in (400, 405)
    assert client.post("/jieba/", data={"text": "你好"}).status_code == 200


@pytest.mark.parametrize(
    "method, url, data, message",
    [
        ("post", "/welcome/post", {}, "缺少 name 参数"),
        ("post", "/welcome/post", {"name": "   "}, "缺少 name 参数"),
        ("get", "/welcome/get", None, "缺少 name 参数"),
        ("get", "/welcome/get?name=" + "x" * 101, None, "name 太长了"),
        ("get", "/hello/" + "x" * 101, None, "name 太长了"),
    ],
)
def test_a_missing_or_overlong_name_is_refused(client, method, url, data, message):
    response = getattr(client, method)(url, data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_jieba_segments_the_sample_text_by_default(client):
    response = client.get("/jieba/")
    assert response.status_code == 200
    body = response.get_json()
    assert body["length"] == len(samples.DEFAULT_TEXT)
    assert "".join(body["words"]) == samples.DEFAULT_TEXT.replace(" ", "")
    assert "玩家" in body["words"]
    assert 0 < len(body["tags"]) <= 20 and 0 < len(body["textrank"]) <= 20
    assert {"word", "weight"} == set(body["tags"][0])
    assert "谱面" in [tag["word"] for tag in body["tags"]]


def test_jieba_takes_text_from_the_query_or_a_form(client):
    text = "我喜欢在周末去机厅打舞萌，每次都想推分。"
    by_query = client.get("/jieba/", query_string={"text": text}).get_json()
    by_form = client.post("/jieba/", data={"text": text}).get_json()
    assert by_query == by_form
    assert by_query["length"] == len(text)
    assert "喜欢" in by_query["words"] and "周末" in by_query["words"]


def test_jieba_refuses_texts_beyond_the_cap(client):
    assert client.post("/jieba/", data={"text": "字" * samples.MAX_TEXT}).status_code == 200
    response = client.post("/jieba/", data={"text": "字" * (samples.MAX_TEXT + 1)})
    assert response.status_code == 413
    assert response.get_json() == {"error": "文本太长了（最多 5000 个字）。", "status": 413}


def random_cjk(length, seed=1):
    """Return characters drawn from the CJK block, mostly ones jieba's dictionary lacks."""
    draw = random.Random(seed)
    return "".join(chr(draw.randint(0x4E00, 0x9FFF)) for _ in range(length))


def test_textrank_reads_only_the_beginning_of_a_long_text(client):
    text = samples.DEFAULT_TEXT + random_cjk(samples.MAX_TEXT - 1 - len(samples.DEFAULT_TEXT))
    body = client.post("/jieba/", data={"text": text}).get_json()
    assert body["length"] == len(text) and "".join(body["words"]) == text.replace(" ", "")
    assert body["textrank_length"] == samples.TEXTRANK_MAX_TEXT
    beginning = text[: samples.TEXTRANK_MAX_TEXT]
    assert body["textrank"] and all(entry["word"] in beginning for entry in body["textrank"])
    assert any(entry["word"] not in beginning for entry in body["tags"])  # TF-IDF reads it all


def production_app(tmp_path, **extra):
    values = {
        "APP_ENV": "production",
        "SECRET_KEY": TEST_SECRET,
        "DATABASE_URL": "sqlite:///%s" % (tmp_path / "production.sqlite3"),
        "AUTO_MIGRATE": True,
    }
    values.update(extra)
    return create_app(values)


def test_keywords_are_off_in_production_unless_configured(tmp_path, monkeypatch):
    monkeypatch.delenv("DEMO_KEYWORDS", raising=False)
    off = production_app(tmp_path).test_client().get("/jieba/").get_json()
    assert off["textrank"] is None and off["tags"] is None and off["textrank_length"] == 0
    assert "".join(off["words"]) == samples.DEFAULT_TEXT.replace(" ", "")
    monkeypatch.setenv("DEMO_KEYWORDS", "1")
    on = production_app(tmp_path).test_client().get("/jieba/").get_json()
    assert 0 < len(on["textrank"]) <= 20 and 0 < len(on["tags"]) <= 20
