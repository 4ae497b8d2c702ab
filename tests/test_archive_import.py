"""The archive export imports again: onto another app, through the API, the form and the CLI."""

import copy
import io
import json
import re

import pytest
from sqlalchemy import select

from conftest import db_of, settings
from import_helpers import (
    detail_page,
    new_player,
    own_record_page,
    play,
    profile_page,
    record_page,
    row_counts,
    score_page,
)
from maimai_probe import create_app, game
from maimai_probe.catalog.linking import resolve
from maimai_probe.catalog.sync import read_catalog, sync_catalog
from maimai_probe.importing import store, tokens
from maimai_probe.models import Chart, ChartAlias, Play, PlayDetail, ProfileSnapshot, Score, Song
from maimai_probe.parsing import archive
from maimai_probe.parsing.detect import parse_page
from maimai_probe.parsing.results import ParsedPage, ScoreRecord
from test_catalog import small_catalog, song
from test_linking import chart_id

TIMES = (1759467960, 1759467754)
MOVED = "搬家玩家"
IMPORTS = "/api/players/%s/imports" % MOVED
IDS = frozenset(("id", "player_id", "play_id", "chart_id"))
#: The title the small catalog has two songs for: 131 "Link" and 383 "Link(CoF)".
LINK = ("Link", game.STANDARD, game.MASTER)
CHOSEN_AT = 1760000250


def load_catalog(session, songs=None, reverse=False):
    """Sync the small catalog, or the songs given; reversed, its charts get other row ids."""
    entries = small_catalog() if songs is None else songs
    sync_catalog(session, read_catalog(entries[::-1] if reverse else entries))
    session.commit()


def fill(session):
    """Give a player plays of two services, a detail, two readings, two profiles, a choice."""
    load_catalog(session)
    player = new_player(session)[0]
    intl = record_page(1759000000)
    intl.service = "intl"
    intl.plays[0].utc_offset = 540
    intl.plays[0].title, intl.plays[0].kind = LINK[:2]
    pages = [record_page(*TIMES), detail_page(TIMES[0]), score_page(1005000), profile_page()]
    store.import_pages(session, player, pages, 1760000000)
    upload = store.read_upload("record.html", own_record_page())
    store.import_uploads(session, player, [upload], 1760000100)
    store.import_pages(session, player, [intl, profile_page(rating=15100)], 1760000200)
    resolve(session, player.id, LINK, chart_id(session, "383"), CHOSEN_AT)
    session.commit()
    return player


@pytest.fixture
def other_app(app, tmp_path):
    """Yield a second app: another SQLite file, or the same PostgreSQL server."""
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite"):
        application = create_app(settings("sqlite:///%s" % (tmp_path / "other.sqlite3")))
    else:
        application = create_app(settings(url, AUTO_MIGRATE=False))
    yield application
    db_of(application).dispose()


@pytest.fixture
def other(other_app):
    """Yield a session of the second app, whose catalog gives the charts other row ids."""
    opened = db_of(other_app).session()
    load_catalog(opened, reverse=True)
    yield opened
    opened.close()


@pytest.fixture
def exported(client, session):
    fill(session)
    response = client.get("/api/players/舞萌玩家/export")
    assert response.status_code == 200
    return response.data


def rows_of(session, player_name):
    """Return every row of a player's plays, details, scores, snapshots and choices, but ids.

    A choice's chart is given by its song's catalog id and its difficulty.
    """
    player = tokens.find_player(session, player_name)

    def plain(row):
        return {c.name: getattr(row, c.key) for c in row.__table__.columns if c.name not in IDS}

    plays = session.execute(
        select(Play, PlayDetail)
        .outerjoin(PlayDetail, PlayDetail.play_id == Play.id)
        .where(Play.player_id == player.id)
        .order_by(Play.played_at)
    ).all()
    scores = session.scalars(
        select(Score).where(Score.player_id == player.id).order_by(Score.achievement)
    )
    snapshots = session.scalars(
        select(ProfileSnapshot)
        .where(ProfileSnapshot.player_id == player.id)
        .order_by(ProfileSnapshot.fingerprint)
    )
    aliases = session.execute(
        select(ChartAlias, Song.catalog_id, Chart.difficulty)
        .join(Chart, ChartAlias.chart_id == Chart.id)
        .join(Song, Chart.song_id == Song.id)
        .where(ChartAlias.player_id == player.id)
        .order_by(ChartAlias.title, ChartAlias.kind, ChartAlias.difficulty)
    )
    return {
        "plays": [plain(play) for play, _ in plays],
        "details": [(play.played_at, plain(detail)) for play, detail in plays if detail],
        "scores": [plain(score) for score in scores],
        "snapshots": [plain(snapshot) for snapshot in snapshots],
        "aliases": [(plain(alias), chart) for alias, *chart in aliases],
    }


def linked_songs(session, player_name):
    """Return the catalog id of the song each of a player's plays is linked to, by title."""
    player = tokens.find_player(session, player_name)
    rows = session.execute(
        select(Play.title, Song.catalog_id)
        .outerjoin(Chart, Play.chart_id == Chart.id)
        .outerjoin(Song, Chart.song_id == Song.id)
        .where(Play.player_id == player.id)
    )
    return dict(rows.all())


def test_an_export_imports_onto_another_app_with_identical_rows(
    session, exported, other_app, other
):
    # The choice names its chart as any copy of the catalog does, never by our row ids.
    assert json.loads(exported)["aliases"] == [
        {
            "title": "Link",
            "kind": "SD",
            "difficulty": 3,
            "created_at": CHOSEN_AT,
            "chart": {"catalog_id": "383", "title": "Link(CoF)", "kind": "SD", "difficulty": 3},
        }
    ]
    token = new_player(other, MOVED)[1]
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    client = other_app.test_client()
    first = client.post(IMPORTS, data=exported, headers=headers)
    assert first.status_code == 201, first.get_json()
    answer = first.get_json()
    assert answer["files"][0]["page"] == "archive"
    assert answer["files"][0]["warnings"] == []
    counts = {"plays": 7, "details": 1, "scores": 1, "snapshots": 2, "aliases": 1}
    assert answer["new"] == counts
    original, moved = rows_of(session, "舞萌玩家"), rows_of(other, MOVED)
    assert moved == original
    assert moved["aliases"] == [
        ({"title": "Link", "kind": "SD", "difficulty": 3, "created_at": CHOSEN_AT}, ["383", 3])
    ]
    assert linked_songs(other, MOVED)["Link"] == "383"  # linked to the choice, not left over
    assert {play["service"] for play in moved["plays"]} == {"cn", "intl"}
    assert sorted({play["imported_at"] for play in moved["plays"]}) == [
        1760000000,
        1760000100,
        1760000200,
    ]

    before = row_counts(other)
    again = client.post(IMPORTS, data=exported, headers=headers)
    assert again.status_code == 200
    assert again.get_json()["new"] == dict.fromkeys(counts, 0)
    assert again.get_json()["known"] == counts
    assert row_counts(other) == before
    assert rows_of(other, MOVED) == original


def test_the_archive_keeps_when_each_snapshot_was_seen(session, exported, other):
    player = new_player(other, MOVED)[0]
    store.import_uploads(other, player, [store.read_upload("a.json", exported)], 1)
    observed = {s["rating"]: s["observed_at"] for s in rows_of(other, MOVED)["snapshots"]}
    assert observed == {15000: 1760000000, 15100: 1760000200}
    reading = rows_of(other, MOVED)["scores"][0]
    assert (reading["source"], reading["observed_at"]) == ("divingfish", 1760000000)


def post_form(client, name, token, body):
    """Upload an archive on a player's import page; return the result page."""
    url = "/players/%s/import" % name
    form = client.get(url).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    data = {"token": token, "csrf_token": csrf, "html": ""}
    data["files"] = [(io.BytesIO(body), "舞萌玩家-archive.json")]
    return client.post(url, data=data, content_type="multipart/form-data")


def test_the_form_takes_an_archive_file(session, exported, other_app, other):
    token = new_player(other, MOVED)[1]
    response = post_form(other_app.test_client(), MOVED, token, exported)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "本站导出的存档 JSON" in page
    assert "1 个谱面选择" in page
    assert rows_of(other, MOVED) == rows_of(session, "舞萌玩家")


def test_the_cli_exports_and_imports_an_archive(session, runner, tmp_path):
    fill(session)
    path = tmp_path / "archive.json"
    exported = runner.invoke(args=["export", "--player", "舞萌玩家", "-o", str(path)])
    assert exported.exit_code == 0, exported.output
    new_player(session, MOVED)
    first = runner.invoke(args=["import", str(path), "--player", MOVED])
    assert first.exit_code == 0, first.output
    assert "archive.json（本站导出的存档 JSON）：新增 7 次游玩、" in first.output
    assert "、1 个谱面选择；已有 0\n" in first.output
    assert first.output.rstrip().endswith("；已有 0；拒绝 0 个文件")
    again = runner.invoke(args=["import", str(path), "--player", MOVED])
    assert "合计：新增 0；已有 7 次游玩、" in again.output
    assert again.output.rstrip().endswith("、1 个谱面选择；拒绝 0 个文件")
    session.expire_all()
    assert rows_of(session, MOVED) == rows_of(session, "舞萌玩家")


def test_an_empty_archive_is_accepted_and_adds_nothing():
    page = parse_page(json.dumps({"format": archive.FORMAT, "version": 1}))
    assert (page.page, page.plays, page.scores, page.snapshots) == ("archive", [], [], [])


def test_an_archive_may_be_larger_than_a_page():
    play = {
        "played_at": 0,
        "utc_offset": 480,
        "title": "曲" * 100,
        "kind": "DX",
        "difficulty": 3,
        "achievement": 1000000,
        "rank": "sss",
        "dx_score": 1,
        "dx_score_max": 2,
        "dx_stars": 0,
        "fc": 0,
        "fs": 0,
        "achievement_new_record": False,
        "dx_score_new_record": False,
        "service": "cn",
        "imported_at": 0,
        "detail": None,
    }
    plays = [dict(play, played_at=number) for number in range(30000)]
    text = json.dumps({"format": archive.FORMAT, "version": 1, "plays": plays})
    assert len(text) > 8 * 1024 * 1024
    assert len(parse_page(text).plays) == 30000
    with pytest.raises(store.PageError, match="内容太大"):
        parse_page(json.dumps({"records": plays}))


# --- malformed archives -------------------------------------------------------------------


def base_document():
    """Return a small valid archive: two plays, one with a detail, a reading, a snapshot."""
    play = {
        "played_at": TIMES[1],
        "utc_offset": 480,
        "ring_slot": 3,
        "track": 1,
        "title": "曲",
        "kind": "DX",
        "difficulty": 3,
        "level": "13+",
        "achievement": 1000000,
        "rank": "sss",
        "dx_score": 2000,
        "dx_score_max": 2400,
        "dx_stars": 3,
        "fc": 0,
        "fs": 0,
        "achievement_new_record": False,
        "dx_score_new_record": False,
        "place": None,
        "jacket": None,
        "service": "cn",
        "imported_at": 1760000000,
        "detail": None,
    }
    second = dict(play, played_at=TIMES[0])
    second["detail"] = {
        "judgements": {"tap": [500, 20, 3, 0, 1]},
        "fast": 10,
        "late": 12,
        "max_combo": 400,
        "max_combo_total": None,
        "max_sync": None,
        "max_sync_total": None,
        "rating": 15000,
        "rating_delta": None,
        "matching_players": ["ＰＬＡＹＥＲ"],
    }
    score = {
        "title": "曲",
        "kind": "SD",
        "difficulty": 2,
        "level": None,
        "achievement": 1005000,
        "rank": "sssp",
        "dx_score": 0,
        "dx_score_max": None,
        "fc": 0,
        "fs": 0,
        "source": "divingfish",
        "observed_at": 1760000000,
    }
    snapshot = {
        "observed_at": 1760000000,
        "page": "profile",
        "name": "ＭＡＩ",
        "rating": 15000,
        "title": None,
        "course_rank": None,
        "class_rank": None,
        "stars": None,
        "play_count": 1234,
        "friend_code": "123",
        "icon": None,
        "fingerprint": "ab" * 32,
    }
    return {
        "format": archive.FORMAT,
        "version": 1,
        "exported_at": 1760000300,
        "player": {"name": "舞萌玩家", "created_at": 1759000000},
        "plays": [play, second],
        "scores": [score],
        "snapshots": [snapshot],
    }


def change(path, value):
    """Return an edit of the document at a path of keys and indexes; value DELETE removes."""

    def edit(document):
        target = document
        for key in path[:-1]:
            target = target[key]
        if value is DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value
        return document

    return edit


DELETE = object()

#: A chart choice as the export writes it: "Link" meant 383 "Link(CoF)", not 131 "Link".
ALIAS = {
    "title": "Link",
    "kind": "SD",
    "difficulty": 3,
    "created_at": CHOSEN_AT,
    "chart": {"catalog_id": "383", "title": "Link(CoF)", "kind": "SD", "difficulty": 3},
}


def with_alias(**chart):
    """Return the base document with the chart choice, its chart changed as given."""
    document = base_document()
    document["aliases"] = [copy.deepcopy(ALIAS)]
    document["aliases"][0]["chart"].update(chart)
    return document


def alias_change(path, value):
    """Return an edit that adds the chart choice, then changes it at a path."""

    def edit(document):
        document["aliases"] = [copy.deepcopy(ALIAS)]
        return change(["aliases", 0] + path, value)(document)

    return edit


def duplicate_alias(document):
    document["aliases"] = [copy.deepcopy(ALIAS), dict(ALIAS, created_at=CHOSEN_AT + 1)]
    return document


def duplicate_play(document):
    document["plays"][1]["played_at"] = document["plays"][0]["played_at"]
    return document


BAD_ARCHIVES = [
    ("newer version", change(["version"], 2), "这份存档的版本（2）比本站能读的（1）新"),
    ("version as text", change(["version"], "1"), 'version 应该是正整数（"1"）'),
    ("plays not a list", change(["plays"], {}), "存档的 plays 应该是列表（{}）"),
    ("play not an object", change(["plays", 0], 7), "第 1 条游玩记录的 内容不是对象（7）"),
    (
        "played_at missing",
        change(["plays", 0, "played_at"], DELETE),
        "第 1 条游玩记录的 played_at 缺失",
    ),
    (
        "played_at as text",
        change(["plays", 1, "played_at"], "1759467960"),
        "第 2 条游玩记录的 played_at 应该是不小于 0 的整数",
    ),
    (
        "played_at true",
        change(["plays", 0, "played_at"], True),
        "第 1 条游玩记录的 played_at 应该是不小于 0 的整数（true）",
    ),
    ("played twice", duplicate_play, "第 2 条游玩记录的 played_at 与第 1 条游玩记录重复"),
    (
        "unknown kind",
        change(["plays", 0, "kind"], "XX"),
        '第 1 条游玩记录的 kind 应该是 "DX"、"SD" 之一',
    ),
    ("difficulty true", change(["plays", 0, "difficulty"], True), "第 1 条游玩记录的 difficulty"),
    (
        "achievement above 101 %",
        change(["plays", 0, "achievement"], 1010001),
        "achievement 应该是 0 到 1010000 之间的整数（1010001）",
    ),
    ("unknown rank", change(["plays", 0, "rank"], "zz"), "第 1 条游玩记录的 rank 应该是"),
    ("unknown combo mark", change(["plays", 0, "fc"], 9), "第 1 条游玩记录的 fc 应该是"),
    (
        "new record as number",
        change(["plays", 0, "achievement_new_record"], 1),
        "achievement_new_record 应该是 true 或 false（1）",
    ),
    ("empty title", change(["plays", 0, "title"], ""), "第 1 条游玩记录的 title 不是有效的文字"),
    ("service missing", change(["plays", 0, "service"], DELETE), "第 1 条游玩记录的 service 缺失"),
    (
        "imported_at float",
        change(["plays", 0, "imported_at"], 1.5),
        "imported_at 应该是不小于 0 的整数",
    ),
    (
        "detail a list",
        change(["plays", 1, "detail"], []),
        "第 2 条游玩记录的 detail 应该是对象或 null",
    ),
    (
        "negative judgement",
        change(["plays", 1, "detail", "judgements", "tap"], [1, -1]),
        "第 2 条游玩记录的 detail.judgements 应该是",
    ),
    (
        "detail number too wide",
        change(["plays", 1, "detail", "fast"], 2**40),
        "第 2 条游玩记录的 detail.fast 应该是",
    ),
    (
        "matching player not text",
        change(["plays", 1, "detail", "matching_players"], [1]),
        "第 2 条游玩记录的 detail.matching_players 应该是文字列表",
    ),
    (
        "matching player with a NUL",
        change(["plays", 1, "detail", "matching_players"], ["a\x00b"]),
        "第 2 条游玩记录的 detail 含有空字符",
    ),
    (
        "title with a NUL",
        change(["plays", 0, "title"], "曲\x00"),
        "第 1 条游玩记录的 title 含有空字符",
    ),
    ("jacket too long", change(["plays", 0, "jacket"], "j" * 65), "第 1 条游玩记录的 jacket 太长"),
    ("score source missing", change(["scores", 0, "source"], DELETE), "第 1 条成绩的 source 缺失"),
    ("score rank wrong", change(["scores", 0, "rank"], 5), "第 1 条成绩的 rank 应该是"),
    (
        "snapshot fingerprint short",
        change(["snapshots", 0, "fingerprint"], "abc"),
        "第 1 条玩家信息的 fingerprint 应该是 64 位十六进制的 sha256",
    ),
    (
        "snapshot rating negative",
        change(["snapshots", 0, "rating"], -1),
        "第 1 条玩家信息的 rating 应该是不小于 0 的整数",
    ),
    ("aliases not a list", change(["aliases"], {}), "存档的 aliases 应该是列表（{}）"),
    ("choice not an object", change(["aliases"], [7]), "第 1 条谱面选择的 内容不是对象（7）"),
    ("choice without chart", alias_change(["chart"], DELETE), "第 1 条谱面选择的 chart 缺失"),
    (
        "chart as text",
        alias_change(["chart"], "383"),
        '第 1 条谱面选择的 chart 应该是对象（"383"）',
    ),
    (
        "catalog id as number",
        alias_change(["chart", "catalog_id"], 383),
        "第 1 条谱面选择的 chart.catalog_id 应该是数字组成的文字（383）",
    ),
    (
        "chart difficulty unknown",
        alias_change(["chart", "difficulty"], 7),
        "第 1 条谱面选择的 chart.difficulty 应该是",
    ),
    (
        "choice kind unknown",
        alias_change(["kind"], "XX"),
        '第 1 条谱面选择的 kind 应该是 "DX"、"SD" 之一',
    ),
    (
        "choice time missing",
        alias_change(["created_at"], DELETE),
        "第 1 条谱面选择的 created_at 缺失",
    ),
    ("choice title with a NUL", alias_change(["title"], "Link\x00"), "谱面选择的 title 含有空字符"),
    (
        "choice made twice",
        duplicate_alias,
        '第 2 条谱面选择的 title 与第 1 条谱面选择重复（"Link"）',
    ),
]


@pytest.mark.parametrize(
    "edit, message", [case[1:] for case in BAD_ARCHIVES], ids=[case[0] for case in BAD_ARCHIVES]
)
def test_a_malformed_archive_is_refused_naming_record_and_field(client, session, edit, message):
    token = new_player(session)[1]
    before = row_counts(session)
    body = json.dumps(edit(copy.deepcopy(base_document())), ensure_ascii=False)
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    response = client.post("/api/players/舞萌玩家/imports", data=body.encode(), headers=headers)
    assert response.status_code == 422
    file = response.get_json()["files"][0]
    assert file["page"] == "archive"
    assert message in file["error"]
    assert row_counts(session) == before


def test_the_valid_base_document_imports(client, session):
    token = new_player(session)[1]
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    body = json.dumps(base_document()).encode()  # no "aliases": as exported before choices were
    response = client.post("/api/players/舞萌玩家/imports", data=body, headers=headers)
    assert response.status_code == 201
    counts = {"plays": 2, "details": 1, "scores": 1, "snapshots": 1, "aliases": 0}
    assert response.get_json()["new"] == counts
    assert response.get_json()["files"][0]["warnings"] == []


def test_a_truncated_archive_is_refused(client, session):
    token = new_player(session)[1]
    body = json.dumps(base_document())[:-40].encode()
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    response = client.post("/api/players/舞萌玩家/imports", data=body, headers=headers)
    assert response.status_code == 422
    assert "格式有误" in response.get_json()["files"][0]["error"]
    assert row_counts(session)["play"] == 0


# --- chart choices ------------------------------------------------------------------------

NOW = 1760000400
SKIPPED = (
    "谱面选择「Link」（标准 MASTER）选的是 id 99999「幻の曲」，本站的曲目列表里没有这张谱面，"
    "已跳过：更新曲目列表后再导入这份存档即可补上，也可以在「未对应到谱面的曲目」页面重新选择。"
)


def link_page():
    """Return a page with a play and a score reading of the ambiguous title "Link"."""
    title, kind, difficulty = LINK
    reading = ScoreRecord(title=title, kind=kind, difficulty=difficulty, achievement=990000)
    played = play(1759000000, title=title, kind=kind, difficulty=difficulty)
    return ParsedPage(page="record", service="cn", plays=[played], scores=[reading])


def import_document(session, player, document):
    """Import an archive document for a player; return the result."""
    return store.import_pages(session, player, [parse_page(json.dumps(document))], NOW)


def links_of(session, title):
    """Return the charts the plays and score readings of a title are linked to."""
    plays = session.scalars(select(Play.chart_id).where(Play.title == title))
    scores = session.scalars(select(Score.chart_id).where(Score.title == title))
    return set(plays) | set(scores)


def choices(session):
    """Return every chart choice: title, kind, difficulty, chart and when it was made."""
    rows = session.execute(
        select(
            ChartAlias.title,
            ChartAlias.kind,
            ChartAlias.difficulty,
            ChartAlias.chart_id,
            ChartAlias.created_at,
        )
    )
    return [tuple(row) for row in rows]


def test_a_choice_of_a_chart_this_catalog_lacks_is_skipped_with_a_warning(client, session):
    load_catalog(session)
    token = new_player(session)[1]
    body = json.dumps(with_alias(catalog_id="99999", title="幻の曲")).encode()
    response = post_form(client, "舞萌玩家", token, body)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert SKIPPED in page
    assert "新增 2 次游玩、1 条游玩详情、1 条成绩、1 份玩家信息；" in page
    assert "个谱面选择" not in page
    counts = row_counts(session)
    assert (counts["play"], counts["chart_alias"]) == (2, 0)

    # Once the catalog has the chart, importing the same archive again brings the choice.
    load_catalog(session, small_catalog() + [song("99999", "Link")])
    player = tokens.find_player(session, "舞萌玩家")
    again = import_document(session, player, with_alias(catalog_id="99999", title="幻の曲"))
    assert again.files[0].warnings == []
    assert (again.new["aliases"], again.new["plays"]) == (1, 0)
    assert choices(session) == [LINK + (chart_id(session, "99999"), CHOSEN_AT)]


def test_a_choice_moves_rows_linked_while_the_title_was_unique(session):
    load_catalog(session, [song("131", "Link", ds=[3.0, 6.0, 9.0, 12.2])])
    player = new_player(session)[0]
    store.import_pages(session, player, [link_page()], NOW)
    assert links_of(session, "Link") == {chart_id(session, "131")}
    load_catalog(session)  # now also 383 "Link(CoF)", shown as "Link" too

    result = import_document(session, player, with_alias())
    assert (result.new["aliases"], result.files[0].warnings) == (1, [])
    cof = chart_id(session, "383")
    assert choices(session) == [LINK + (cof, CHOSEN_AT)]
    assert links_of(session, "Link") == {cof}

    before = row_counts(session)
    again = import_document(session, player, with_alias())
    assert not any(again.new.values())
    assert again.known["aliases"] == 1
    assert row_counts(session) == before


def test_a_choice_already_made_here_is_kept(session):
    load_catalog(session)
    player = new_player(session)[0]
    store.import_pages(session, player, [link_page()], NOW)
    original = chart_id(session, "131")
    resolve(session, player.id, LINK, original, NOW)
    session.commit()

    result = import_document(session, player, with_alias())
    assert (result.new["aliases"], result.known["aliases"]) == (0, 1)
    assert result.files[0].warnings == [
        "谱面选择「Link」（标准 MASTER）在本站已经选过另一首，保留了本站的选择。"
    ]
    assert choices(session) == [LINK + (original, NOW)]
    assert links_of(session, "Link") == {original}
