"""Storing parsed pages: new versus known rows, one transaction, safe when imports overlap."""

import codecs
import threading

import pytest
from sqlalchemy import select

from import_helpers import (
    detail_page,
    new_player,
    play,
    profile_page,
    record_page,
    row_counts,
    score_page,
)
from maimai_probe import game
from maimai_probe.importing import store
from maimai_probe.models import Chart, Play, PlayDetail, ProfileSnapshot, Score, Song

NOW = 1760000000
TIMES = (1759467960, 1759467754, 1759467572)


@pytest.fixture
def player(session):
    return new_player(session)[0]


def test_a_record_page_stores_its_plays_and_a_second_import_adds_nothing(session, player):
    first = store.import_pages(session, player, [record_page(*TIMES)], NOW)
    assert first.new == {"plays": 3, "details": 0, "scores": 0, "snapshots": 0, "aliases": 0}
    assert first.known["plays"] == 0
    again = store.import_pages(session, player, [record_page(*TIMES, 1759460000)], NOW + 9)
    assert again.new["plays"] == 1
    assert again.known["plays"] == 3
    rows = session.scalars(select(Play).order_by(Play.played_at.desc())).all()
    assert [row.played_at for row in rows] == [*TIMES, 1759460000]
    newest = rows[0]
    expected = play(TIMES[0])
    for column in ("title", "kind", "difficulty", "achievement", "rank", "dx_score", "ring_slot"):
        assert getattr(newest, column) == getattr(expected, column)
    assert (newest.service, newest.imported_at, newest.utc_offset) == ("cn", NOW, 480)


def test_the_same_play_twice_in_one_import_counts_once(session, player):
    result = store.import_pages(session, player, [record_page(*TIMES), record_page(*TIMES)], NOW)
    assert [f.new["plays"] for f in result.files] == [3, 0]
    assert [f.known["plays"] for f in result.files] == [0, 3]
    assert row_counts(session)["play"] == 3


def test_details_attach_to_their_play_once(session, player):
    store.import_pages(session, player, [record_page(*TIMES)], NOW)
    result = store.import_pages(session, player, [detail_page(TIMES[0])], NOW)
    assert result.new["details"] == 1
    assert result.known["plays"] == 1
    again = store.import_pages(session, player, [detail_page(TIMES[0])], NOW)
    assert (again.new["details"], again.known["details"]) == (0, 1)
    detail = session.scalars(select(PlayDetail)).one()
    assert detail.play.played_at == TIMES[0]
    assert detail.judgements == {"tap": [500, 20, 3, 0, 1]}
    assert detail.rating == 15000


def test_a_detail_page_known_to_the_minute_matches_its_play_in_the_same_import(session, player):
    pages = [detail_page(TIMES[0], exact=False), record_page(*TIMES)]
    result = store.import_pages(session, player, pages, NOW)
    detail_file, record_file = result.files
    assert record_file.new["plays"] == 3
    assert (detail_file.new["plays"], detail_file.known["plays"]) == (0, 1)
    assert detail_file.new["details"] == 1
    assert detail_file.warnings == []
    assert row_counts(session)["play"] == 3
    assert session.scalars(select(PlayDetail)).one().play.played_at == TIMES[0]


def test_a_minute_only_play_without_a_stored_play_is_skipped_with_a_warning(session, player):
    result = store.import_pages(session, player, [detail_page(TIMES[0], exact=False)], NOW)
    assert result.new == {"plays": 0, "details": 0, "scores": 0, "snapshots": 0, "aliases": 0}
    assert "最近游玩记录" in result.files[0].warnings[0]
    assert row_counts(session)["play"] == 0


def test_scores_are_kept_per_distinct_reading(session, player):
    first = store.import_pages(session, player, [score_page(1005000, 990000, 990000)], NOW)
    assert (first.new["scores"], first.known["scores"]) == (2, 0)  # the repeat within the file
    again = store.import_pages(session, player, [score_page(1005000, 995000)], NOW)
    assert (again.new["scores"], again.known["scores"]) == (1, 1)
    scores = session.scalars(select(Score).order_by(Score.achievement.desc())).all()
    assert [(s.achievement, s.rank, s.source, s.dx_score) for s in scores] == [
        (1005000, "sssp", "divingfish", 0),
        (995000, "ssp", "divingfish", 0),
        (990000, "ss", "divingfish", 0),
    ]


def test_the_same_profile_is_one_snapshot(session, player):
    assert store.import_pages(session, player, [profile_page()], NOW).new["snapshots"] == 1
    same = store.import_pages(session, player, [profile_page()], NOW + 60)
    assert (same.new["snapshots"], same.known["snapshots"]) == (0, 1)
    changed = store.import_pages(session, player, [profile_page(rating=15100)], NOW + 120)
    assert changed.new["snapshots"] == 1
    snapshots = session.scalars(select(ProfileSnapshot).order_by(ProfileSnapshot.id)).all()
    assert [(s.rating, s.observed_at, s.page) for s in snapshots] == [
        (15000, NOW, "profile"),
        (15100, NOW + 120, "profile"),
    ]
    assert snapshots[0].fingerprint != snapshots[1].fingerprint


def test_fingerprint_ignores_the_indentation_around_a_field():
    one = store.fingerprint({"name": "ＭＡＩ", "rating": 1})
    assert store.fingerprint({"rating": 1, "name": " ＭＡＩ\n"}) == one
    assert store.fingerprint({"name": "ＭＡＩ\u3000", "rating": 1}) != one


def test_a_failure_while_storing_writes_nothing(session, player, monkeypatch):
    store.import_pages(session, player, [record_page(TIMES[2])], NOW)
    before = row_counts(session)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "store_scores", broken)  # after the plays were inserted
    with pytest.raises(RuntimeError, match="disk full"):
        store.import_pages(session, player, [record_page(*TIMES), profile_page()], NOW)
    assert row_counts(session) == before


def test_rejected_uploads_are_listed_and_the_rest_stored(session, player):
    uploads = [
        store.Upload("a.html", page=record_page(*TIMES)),
        store.read_upload("b.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        store.Upload("c.json", page=score_page(1000000)),
    ]
    result = store.import_uploads(session, player, uploads, NOW)
    assert [f.name for f in result.files] == ["a.html", "b.png", "c.json"]
    assert [f.accepted for f in result.files] == [True, False, True]
    assert "不是文本文件" in result.files[1].error
    assert result.new["plays"] == 3 and result.new["scores"] == 1
    assert result.as_dict()["rejected"] == 1


def test_only_rejected_uploads_touch_nothing(session, player):
    before = row_counts(session)
    result = store.import_uploads(session, player, [store.read_upload("x", b"\0")], NOW)
    assert result.rejected and not result.stored_anything
    assert row_counts(session) == before


@pytest.mark.parametrize(
    "data, text",
    [
        ("<p>舞萌</p>".encode(), "<p>舞萌</p>"),
        (codecs.BOM_UTF8 + "<p>舞萌</p>".encode(), "<p>舞萌</p>"),
        ("<p>舞萌</p>".encode("gb18030"), "<p>舞萌</p>"),
        ("<p>舞萌</p>".encode("utf-16"), "<p>舞萌</p>"),
    ],
)
def test_decode_reads_the_encodings_saved_pages_come_in(data, text):
    assert store.decode(data) == text


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"PK\x03\x04\x00\x00", "不是文本文件"),
        (b"\xff\xfe\x00\xd8", "UTF-16"),
        (b"\x81\x30\xff\xff", "文字编码"),
    ],
)
def test_decode_rejects_what_is_not_text(data, reason):
    upload = store.read_upload("junk", data)
    assert upload.page is None
    assert reason in upload.error


def add_chart(session, title, kind, difficulty, catalog_id):
    song = Song(title=title, kind=kind, catalog_id=catalog_id)
    song.charts.append(Chart(difficulty=difficulty, level="13"))
    session.add(song)
    session.flush()
    return song.charts[0].id


def test_plays_link_to_a_chart_only_when_exactly_one_fits(session, player):
    unique = add_chart(session, "テスト曲 5", game.DX, game.MASTER, "10001")  # 1759467960 % 7
    add_chart(session, "テスト曲 2", game.DX, game.MASTER, "10002")  # 1759467754 % 7, and
    add_chart(session, "テスト曲 2", game.DX, game.MASTER, "10003")  # the same name twice
    session.commit()
    store.import_pages(session, player, [record_page(*TIMES)], NOW)
    linked = dict(session.execute(select(Play.played_at, Play.chart_id)).all())
    assert linked == {TIMES[0]: unique, TIMES[1]: None, TIMES[2]: None}


@pytest.mark.postgres
def test_concurrent_imports_of_one_page_store_it_once(postgres_app):
    database = postgres_app.extensions["maimai_probe.db"]
    with database.session() as setup:
        player = new_player(setup)[0]
    times = [1759467960 - 200 * n for n in range(50)]
    results, errors = [], []
    start = threading.Barrier(8)

    def run():
        with database.session() as own:
            start.wait()
            try:
                results.append(store.import_pages(own, player, [record_page(*times)], NOW))
            except Exception as error:  # reported below
                errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [r.new["plays"] + r.known["plays"] for r in results] == [50] * 8
    assert sum(r.new["plays"] for r in results) == 50
    with database.session() as check:
        assert row_counts(check)["play"] == 50
