"""Hostile titles and names are stored as given and shown escaped on every page and answer."""

import html.parser
import io
import json
import re
from urllib.parse import quote

import pytest
from markupsafe import escape
from sqlalchemy import select

from import_helpers import play
from maimai_probe import game
from maimai_probe.catalog.sync import read_catalog, sync_catalog
from maimai_probe.importing import store, tokens
from maimai_probe.models import Play, Player, ProfileSnapshot, Score
from maimai_probe.parsing.results import ParsedPage, PlayDetail
from maimai_probe.parsing.results import ProfileSnapshot as Profile
from test_catalog import song

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
TITLES = [
    SCRIPT,
    IMG,
    "</script><script>alert(2)</script>",
    "'\"`&amp;&lt;",
    "</textarea><svg onload=alert(3)>",
    "{{ 7*7 }}{% raw %}",
    "ctrl\x01\x07\x1b[31m\x7f",
    "rtl\u202egnp.exe",
    "emoji 😀🎵 and 𠀀",
    "\u3000全角　空格\u3000",
    "x" * 10000,
]
#: Names validate_name accepts that are still hostile in a page.
NAMES = ["<script>alert(1)", IMG, "'\"&<>😀", "<svg onload=alert(4)><!--", "{{7*7}}"]
FIRST = 1759000000
HOSTILE_FILE = "<img src=x onerror=alert(1)>.html"


def hostile_pages(name_number):
    """Return a record page of plays with hostile titles, a detail and a profile."""
    plays = []
    for number, title in enumerate(TITLES):
        for step, difficulty in enumerate((game.MASTER, game.EXPERT)):
            at = FIRST + number * 600 + step * 60
            plays.append(play(at, title=title, difficulty=difficulty, achievement=990000 + step))
    record = ParsedPage(page="record", service="cn", plays=plays)
    detail = ParsedPage(
        page="playlog_detail",
        service="cn",
        plays=[plays[0]],
        details={
            plays[0].played_at: PlayDetail(
                judgements={"tap": [1, 2, 3, 4, 5]}, matching_players=[SCRIPT, IMG, "😀"]
            )
        },
    )
    profile = ParsedPage(
        page="profile",
        service="cn",
        profile=Profile(name=TITLES[name_number % 4], title=IMG, friend_code="123456789012"),
    )
    return [record, detail, profile]


def catalog():
    """Songs whose titles and artists are hostile: one linked, one ambiguous (two songs)."""
    return [
        song("9001", SCRIPT, "DX", [5.0, 7.0, 10.0, 13.5], artist=IMG, genre=SCRIPT),
        song("9002", IMG, "DX", [5.0, 7.0, 10.0, 13.0], artist=SCRIPT),
        song("9003", IMG, "DX", [5.0, 7.0, 10.0, 13.2], version=IMG),
    ]


@pytest.fixture
def archive(app, session):
    """Store hostile players, plays, scores and profiles; return (names, tokens)."""
    sync_catalog(session, read_catalog(catalog()))
    session.commit()
    made = []
    for number, name in enumerate(NAMES):
        player, token = tokens.create_player(session, name, now=1)
        store.import_pages(session, player, hostile_pages(number), now=2)
        document = {
            "nickname": name,
            "records": [
                {"title": title, "type": "DX", "level_index": 3, "achievements": 100.1}
                for title in TITLES
            ],
        }
        upload = store.read_upload("df.json", json.dumps(document))
        store.import_uploads(session, player, [upload], now=3)
        made.append((name, token))
    return made


class Page(html.parser.HTMLParser):
    """Collect what a browser would run: scripts, event handler attributes, images."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts = []  # (attributes, text)
        self.handlers = []
        self.images = []
        self._script = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.handlers += [name for name in attributes if name.lower().startswith("on")]
        if tag == "img":
            self.images.append(attributes.get("src"))
        if tag == "script":
            self._script = (attributes, [])
        if tag in ("svg", "iframe", "object", "embed"):
            self.handlers.append("<%s>" % tag)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script[0], "".join(self._script[1])))
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self._script[1].append(data)


def check_page(body, where):
    """Nothing hostile runs: only our own scripts and JSON islands, no handlers, no x images."""
    page = Page()
    page.feed(body)
    page.close()
    assert not page.handlers, (where, page.handlers)
    assert "x" not in page.images, where
    islands = []
    for attributes, text in page.scripts:
        if attributes.get("src"):
            assert attributes["src"].startswith("/"), (where, attributes)
            assert not text.strip(), where
        else:
            assert attributes.get("type") == "application/json", (where, attributes, text[:200])
            islands.append(json.loads(text))
    for raw in ("<script>alert", IMG, "<svg onload", "<img src=x"):
        assert raw not in body, (where, raw)
    return islands


def strings_in(value):
    """Return every string in a JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in strings_in(key) + strings_in(item)]
    return []


def test_hostile_text_is_stored_byte_for_byte(app, session, archive):
    names = session.scalars(select(Player.name).order_by(Player.id)).all()
    assert names == NAMES
    for player_id in session.scalars(select(Player.id)):
        titles = set(session.scalars(select(Play.title).where(Play.player_id == player_id)))
        assert titles == set(TITLES)
        scores = set(session.scalars(select(Score.title).where(Score.player_id == player_id)))
        assert scores == set(TITLES)
    stored = {title.encode("utf-8") for title in session.scalars(select(Play.title))}
    assert stored == {title.encode("utf-8") for title in TITLES}
    assert IMG in session.scalars(select(ProfileSnapshot.title)).all()


def test_every_page_shows_hostile_text_escaped(app, archive):
    client = app.test_client()
    front = client.get("/").get_data(as_text=True)
    check_page(front, "/")
    for name in NAMES:
        assert str(escape(name)) in front
    for name, _token in archive:
        player = quote(name, safe="")
        chart = "title=%s&kind=DX&difficulty=%d" % (quote(SCRIPT), game.MASTER)
        pages = [
            "/players/%s/" % player,
            "/players/%s/plays" % player,
            "/players/%s/plays?title=%s" % (player, quote(IMG)),
            "/players/%s/diff" % player,
            "/players/%s/chart?%s" % (player, chart),
            "/players/%s/best50" % player,
            "/players/%s/charts" % player,
            "/players/%s/charts/chart?title=%s&kind=DX&difficulty=master" % (player, quote(IMG)),
            "/players/%s/songs" % player,
            "/players/%s/songs?q=%s" % (player, quote(SCRIPT)),
            "/players/%s/unmatched" % player,
            "/players/%s/import" % player,
            "/songs",
            "/songs?q=%s" % quote(IMG),
        ]
        for path in pages:
            response = client.get(path)
            assert response.status_code == 200, path
            body = response.get_data(as_text=True)
            islands = check_page(body, path)
            if path.startswith("/players/"):
                assert str(escape(name)) in body, path
            shown = body + " ".join(s for island in islands for s in strings_in(island))
            if path.endswith("/plays"):
                for title in TITLES:
                    assert str(escape(title)) in body, (path, title[:40])
            if "/charts/chart" in path:
                assert any(IMG in s for s in strings_in(islands)), path
            assert "{{" not in body or "{{ 7*7 }}" in body or "{{7*7}}" in body, path
            assert ">49<" not in shown, path  # no template ran our text


def test_the_import_result_shows_hostile_file_names_escaped(app, archive):
    name, token = archive[1]
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["csrf_token"] = "hostile-csrf"
    response = client.post(
        "/players/%s/import" % quote(name, safe=""),
        data={
            "csrf_token": "hostile-csrf",
            "token": token,
            "html": SCRIPT,
            "files": [
                # Browsers send a file name's double quotes as %22: these names have none.
                (io.BytesIO(b"<html>" + IMG.encode() + b"</html>"), HOSTILE_FILE),
                (io.BytesIO(json.dumps({"records": []}).encode()), "'><svg onload=alert(5)>.json"),
            ],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code in (200, 422)
    body = response.get_data(as_text=True)
    check_page(body, "import result")
    assert str(escape(HOSTILE_FILE)) in body


def test_the_api_and_exports_give_hostile_text_back_exactly(app, archive):
    client = app.test_client()
    for name, _ in archive:
        player = quote(name, safe="")
        plays = client.get("/api/players/%s/plays?size=100" % player)
        assert plays.mimetype == "application/json"
        document = json.loads(plays.get_data(as_text=True))
        assert {item["title"] for item in document["plays"]} == set(TITLES)
        assert document["player"] == name
        for path in ("diff", "best", "rating", "rating/trend"):
            response = client.get("/api/players/%s/%s" % (player, path))
            assert response.status_code == 200, path
            json.loads(response.get_data(as_text=True))
        archived = client.get("/api/players/%s/export" % player)
        disposition = archived.headers["Content-Disposition"]
        assert "\n" not in disposition and "<" not in disposition
        assert re.match(
            r'^attachment; filename="[A-Za-z0-9._-]+"; filename\*=UTF-8\'\'\S+$', disposition
        )
        exported = json.loads(archived.get_data(as_text=True))
        assert exported["player"]["name"] == name
        assert {entry["title"] for entry in exported["plays"]} == set(TITLES)
        assert {entry["title"] for entry in exported["scores"]} == set(TITLES)
        details = [entry["detail"] for entry in exported["plays"] if entry["detail"]]
        assert details[0]["matching_players"] == [SCRIPT, IMG, "😀"]
        divingfish = client.get("/api/players/%s/export?format=divingfish" % player)
        records = json.loads(divingfish.get_data(as_text=True))["records"]
        assert {record["title"] for record in records} == set(TITLES)


def test_json_answers_keep_chinese_readable(sqlite_app):
    answer = sqlite_app.test_client().get("/api/players/%s/plays" % quote("无人"))
    assert answer.status_code == 404
    assert "找不到玩家「无人」" in answer.get_data(as_text=True)  # not \u627e\u4e0d\u5230
