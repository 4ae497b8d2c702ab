"""Exports: the whole archive by default, best scores in the Diving-Fish format on request."""

from sqlalchemy import select

from import_helpers import detail_page, new_player, profile_page, record_page, score_page
from maimai_probe import game
from maimai_probe.importing import exporting, store
from maimai_probe.models import Chart, Play, Song

URL = "/api/players/舞萌玩家/export"
TIMES = (1759467960, 1759467754)


def fill(session):
    player = new_player(session)[0]
    pages = [record_page(*TIMES), detail_page(TIMES[0]), score_page(1005000), profile_page()]
    store.import_pages(session, player, pages, 1760000000)
    return player


def test_the_archive_holds_every_play_with_every_field(client, session):
    fill(session)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="____-archive.json"; '
        "filename*=UTF-8''%E8%88%9E%E8%90%8C%E7%8E%A9%E5%AE%B6-archive.json"
    )
    document = response.get_json()
    assert document["format"] == "maimai-probe-archive"
    assert document["version"] == 1
    assert document["player"] == {"name": "舞萌玩家", "created_at": 1759000000}
    newest = document["plays"][-1]
    stored = session.scalars(select(Play).where(Play.played_at == TIMES[0])).one()
    internal = {"id", "player_id", "chart_id"}
    columns = {c.name for c in Play.__table__.columns} - internal
    assert set(newest) == columns | {"detail"}
    assert all(newest[column] == getattr(stored, column) for column in columns)
    assert newest["detail"]["judgements"] == {"tap": [500, 20, 3, 0, 1]}
    assert document["plays"][0]["detail"] is None
    assert [s["achievement"] for s in document["scores"]] == [1005000]
    assert [s["rating"] for s in document["snapshots"]] == [15000]
    assert "fingerprint" in document["snapshots"][0]


def test_the_export_is_public_and_readable_chinese(client, session):
    fill(session)
    response = client.get(URL)  # no token: the archive is public on the site anyway
    assert "舞萌玩家".encode() in response.data


def test_an_unknown_format_or_player(client, session):
    fill(session)
    wrong = client.get(URL + "?format=csv")
    assert wrong.status_code == 400
    assert "未知的导出格式" in wrong.get_json()["error"]
    assert client.get("/api/players/nobody/export").status_code == 404


def test_attachment_names_fall_back_to_ascii():
    assert exporting.attachment("alice-archive.json") == (
        "attachment; filename=\"alice-archive.json\"; filename*=UTF-8''alice-archive.json"
    )


def test_the_divingfish_export_keeps_the_best_per_chart(client, session):
    player = fill(session)
    better = record_page(1759470000)
    better.plays[0].title = record_page(TIMES[0]).plays[0].title
    better.plays[0].achievement = 1005000
    store.import_pages(session, player, [better], 1760000001)
    response = client.get(URL + "?format=divingfish")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith("%E5%AE%B6-divingfish.json")
    document = response.get_json()
    assert document["username"] == "舞萌玩家"
    assert (document["nickname"], document["rating"]) == ("ＭＡＩ", 15000)
    best = {(r["title"], r["type"], r["level_index"]): r for r in document["records"]}
    assert len(best) == 3  # two charts played, one from the score list
    played = best[(better.plays[0].title, "DX", 3)]
    assert (played["achievements"], played["rate"]) == (100.5, "sssp")


def test_the_divingfish_export_takes_constants_from_the_linked_chart(client, session):
    song = Song(title=record_page(TIMES[0]).plays[0].title, kind=game.DX, catalog_id="11234")
    song.charts.append(Chart(difficulty=game.MASTER, level="13+", constant_tenths=137))
    session.add(song)
    session.commit()
    fill(session)
    records = client.get(URL + "?format=divingfish").get_json()["records"]
    linked = next(r for r in records if r["title"] == song.title)
    assert (linked["song_id"], linked["ds"], linked["level"]) == (11234, 13.7, "13+")
    assert linked["ra"] > 0
    unlinked = next(r for r in records if r["title"] != song.title)
    assert (unlinked["song_id"], unlinked["ds"], unlinked["ra"]) == (None, 0, 0)
