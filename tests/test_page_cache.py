"""The rendered-page cache: hits, invalidation by every write, 304s, encodings, never-kept pages."""

import copy
import gzip
import json

import brotli
import pytest
from sqlalchemy import select

from conftest import settings
from factories import BASE_TIME, add_play, add_player
from import_helpers import record_page
from maimai_probe import create_app, game
from maimai_probe.catalog import linking
from maimai_probe.importing import store
from maimai_probe.models import CatalogSync, Play, Player
from maimai_probe.web import page_cache
from querycount import count_queries
from test_linking import add_play as add_titled_play
from test_linking import chart_id, small_catalog, sync

BROWSER = {"Accept-Encoding": "gzip, deflate, br"}


def cache_of(app) -> page_cache.PageCache:
    """Return the app's page cache."""
    return page_cache.page_cache(app)


def plain(response) -> bytes:
    """Return a Brotli answer's body as the browser reads it."""
    return brotli.decompress(response.data)


def fresh_player(session, name="alice"):
    """Return the player row as stored now."""
    session.expire_all()
    return session.execute(select(Player).where(Player.name == name)).scalar_one()


def test_a_second_request_is_served_from_the_cache_byte_for_byte(app, client, session):
    player = add_player(session)
    add_play(session, player)
    first = client.get("/players/alice/plays", headers=BROWSER)
    second = client.get("/players/alice/plays", headers=BROWSER)
    third = client.get("/players/alice/plays", headers=BROWSER)
    assert first.status_code == second.status_code == third.status_code == 200
    assert second.headers["Content-Encoding"] == first.headers["Content-Encoding"] == "br"
    # The same page: the first answer's body quickly compressed, the kept one again, smaller.
    assert brotli.decompress(second.data) == brotli.decompress(first.data)
    assert third.data == second.data
    assert len(second.data) < len(first.data)
    assert second.headers["ETag"] == first.headers["ETag"]
    assert (cache_of(app).hits, len(cache_of(app))) == (2, 1)
    # What the answer says about itself stays true on the hit.
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options"):
        assert second.headers[name] == first.headers[name]
    assert second.headers["Vary"] == "Accept-Encoding"
    plain = brotli.decompress(second.data)
    assert second.headers["Uncompressed-Content-Length"] == str(len(plain))
    assert second.headers["Content-Length"] == str(len(second.data))
    assert second.headers["Response-Time"].endswith("ms")
    assert "Re:Unknown X" in plain.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/players/alice/",
        "/players/alice/plays",
        "/players/alice/diff",
        "/players/alice/chart?title=Re%3AUnknown+X&kind=DX&difficulty=3",
        "/players/alice/best50",
        "/players/alice/charts",
        "/players/alice/songs",
        "/api/players/alice/plays",
        "/api/players/alice/diff",
        "/api/players/alice/best",
        "/api/players/alice/rating",
        "/api/players/alice/export",
        "/api/players/alice/export?format=divingfish",
        "/players/alice/plates",
        "/players/alice/plates/%E8%88%9E%E6%9E%81",
        "/players/alice/plan",
        "/api/players/alice/plates",
        "/api/players/alice/rating/plan",
    ],
)
def test_every_reading_page_of_a_player_is_kept(app, client, session, path):
    add_play(session, add_player(session))
    first = client.get(path)
    assert first.status_code == 200, first.data[:300]
    assert client.get(path).data == first.data
    assert cache_of(app).hits == 1


def test_the_query_string_is_part_of_the_key(app, client, session):
    player = add_player(session)
    add_play(session, player)
    add_play(session, player, played_at=BASE_TIME + 60, title="Link")
    everything = client.get("/players/alice/plays").data.decode()
    link_only = client.get("/players/alice/plays?title=Link").data.decode()
    assert "Re:Unknown X" in everything and "Re:Unknown X" not in link_only
    assert cache_of(app).hits == 0


def test_an_import_changes_the_page_at_once(app, client, session):
    player = add_player(session)
    add_play(session, player)
    client.get("/players/alice/plays")
    # A row written behind the app's back does not show: the page is kept ...
    add_play(session, player, played_at=BASE_TIME + 60, title="Behind the back")
    assert b"Behind the back" not in client.get("/players/alice/plays").data
    # ... until a write through the archive bumps the revision in its transaction.
    store.import_pages(session, fresh_player(session), [record_page(BASE_TIME + 120)], 0)
    assert fresh_player(session).revision == 1
    page = client.get("/players/alice/plays").data.decode()
    assert "Behind the back" in page and "テスト曲" in page


def test_the_export_is_kept_compressed_until_the_next_import(app, client, session):
    player = add_player(session)
    add_play(session, player)
    first = client.get("/api/players/alice/export", headers=BROWSER)
    assert first.headers["Content-Encoding"] == "br"
    assert first.headers["Content-Disposition"].startswith("attachment;")
    with count_queries(app) as statements:
        second = client.get("/api/players/alice/export", headers=BROWSER)
    assert len(statements) == 1 and "FROM player" in statements[0]
    assert brotli.decompress(second.data) == brotli.decompress(first.data)
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Content-Disposition"] == first.headers["Content-Disposition"]
    again = client.get(
        "/api/players/alice/export",
        headers=dict(BROWSER, **{"If-None-Match": first.headers["ETag"]}),
    )
    assert again.status_code == 304 and again.data == b""
    store.import_pages(session, fresh_player(session), [record_page(BASE_TIME + 120)], 0)
    fresh = client.get("/api/players/alice/export", headers=BROWSER)
    assert fresh.headers["ETag"] != first.headers["ETag"]
    plays = json.loads(brotli.decompress(fresh.data))["plays"]
    assert [play["played_at"] for play in plays] == [BASE_TIME, BASE_TIME + 120]


def test_a_failed_import_leaves_the_revision(app, session):
    add_player(session)
    broken = record_page(BASE_TIME)
    broken.plays[0].title = None  # the database refuses it
    with pytest.raises(Exception):  # noqa: B017 - any database error
        store.import_pages(session, fresh_player(session), [broken], 0)
    assert fresh_player(session).revision == 0


def test_choosing_a_chart_changes_the_page_at_once(app, client, session):
    sync(session)
    player = add_player(session)
    add_titled_play(session, player, "Link", game.STANDARD)
    session.commit()
    before = client.get("/api/players/alice/plays").get_json()
    assert before["plays"][0]["chart"] is None if "chart" in before["plays"][0] else True
    revision = fresh_player(session).revision
    key = ("Link", game.STANDARD, game.MASTER)
    linking.resolve(session, player.id, key, chart_id(session, "383"), BASE_TIME)
    session.commit()
    assert fresh_player(session).revision == revision + 1
    assert client.get("/api/players/alice/plays").data != before
    assert cache_of(app).hits == 0


def test_a_catalog_sync_changes_every_players_pages(app, client, session):
    add_player(session, "alice")
    add_player(session, "bob")
    client.get("/players/alice/best50")
    sync(session)
    revisions = session.execute(select(Player.revision)).scalars().all()
    assert revisions == [1, 1]
    client.get("/players/alice/best50")
    assert cache_of(app).hits == 0


def test_a_repeated_request_with_the_etag_gets_a_304_without_a_body(app, client, session):
    add_play(session, add_player(session))
    first = client.get("/players/alice/diff", headers=BROWSER)
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["Cache-Control"] == "no-cache"
    again = client.get("/players/alice/diff", headers=dict(BROWSER, **{"If-None-Match": etag}))
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Vary"] == "Accept-Encoding"
    # Another encoding is another answer, and a changed archive another ETag.
    gzipped = client.get("/players/alice/diff", headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["ETag"] != etag
    store.import_pages(session, fresh_player(session), [record_page(BASE_TIME + 60)], 0)
    changed = client.get("/players/alice/diff", headers=dict(BROWSER, **{"If-None-Match": etag}))
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


def test_encodings_are_never_mixed_up(app, client, session):
    add_play(session, add_player(session))
    bodies = {}
    for _ in range(2):
        for accept, encoding in (("br", "br"), ("gzip", "gzip"), ("", None)):
            answer = client.get("/players/alice/plays", headers={"Accept-Encoding": accept})
            assert answer.headers.get("Content-Encoding") == encoding
            if encoding == "br":
                plain = brotli.decompress(answer.data)
            elif encoding == "gzip":
                plain = gzip.decompress(answer.data)
            else:
                plain = answer.data
            bodies.setdefault(accept, plain)
            assert plain == bodies[accept]
    assert len(set(bodies.values())) == 1
    assert (cache_of(app).hits, len(cache_of(app))) == (3, 3)


@pytest.mark.parametrize("path", ["/players/alice/import", "/players/alice/unmatched"])
def test_pages_with_a_csrf_token_are_never_kept(app, client, session, path):
    add_player(session)
    first = client.get(path)
    second = client.get(path)
    assert first.status_code == second.status_code == 200
    assert "ETag" not in second.headers
    assert len(cache_of(app)) == 0


@pytest.mark.parametrize(
    "path, status",
    [("/players/nobody/plays", 404), ("/players/alice/plays?size=x", 400)],
)
def test_errors_are_never_kept(app, client, session, path, status):
    add_player(session)
    assert client.get(path).status_code == status
    assert client.get(path).status_code == status
    assert len(cache_of(app)) == 0


def test_the_cache_stays_within_its_bound(tmp_path, monkeypatch):
    app = create_app(
        settings("sqlite:///%s" % (tmp_path / "bound.sqlite3"), PAGE_CACHE_BYTES=20000)
    )
    client = app.test_client()
    with app.app_context():
        session = app.extensions["maimai_probe.db"].session()
        add_play(session, add_player(session))
        session.close()
    for size in range(1, 30):
        assert client.get("/players/alice/plays?size=%d" % size).status_code == 200
        assert cache_of(app).size <= 20000
    assert 0 < len(cache_of(app)) < 29
    # The newest page is the one kept; the oldest ones went first.
    client.get("/players/alice/plays?size=29")
    assert cache_of(app).hits == 1
    app.extensions["maimai_probe.db"].dispose()


def test_least_recently_used_entries_go_first():
    cache = page_cache.PageCache(max_bytes=3 * (100 + page_cache.ENTRY_OVERHEAD))
    for key in "abc":
        assert cache.put(key, page_cache.Entry([], b"x" * 100))
    assert cache.get("a") is not None  # a is now the most recent
    cache.put("d", page_cache.Entry([], b"x" * 100))
    assert [key for key in "abcd" if cache.get(key) is not None] == ["a", "c", "d"]
    assert not cache.put("huge", page_cache.Entry([], b"x" * 10000))
    assert cache.size == 3 * (100 + page_cache.ENTRY_OVERHEAD)


def test_a_zero_bound_turns_caching_off(tmp_path):
    app = create_app(settings("sqlite:///%s" % (tmp_path / "off.sqlite3"), PAGE_CACHE_BYTES=0))
    with app.app_context():
        session = app.extensions["maimai_probe.db"].session()
        add_play(session, add_player(session))
        session.close()
    answer = app.test_client().get("/players/alice/plays")
    assert answer.status_code == 200
    assert "ETag" not in answer.headers
    assert cache_of(app) is None
    app.extensions["maimai_probe.db"].dispose()


def test_plays_of_other_players_do_not_touch_a_players_revision(app, session):
    alice, bob = add_player(session, "alice"), add_player(session, "bob")
    store.import_pages(session, bob, [record_page(BASE_TIME)], 0)
    assert fresh_player(session, "alice").revision == 0
    assert fresh_player(session, "bob").revision == 1
    assert session.execute(select(Play.player_id)).scalars().all() == [bob.id]
    assert alice.id != bob.id


def test_a_kept_page_costs_only_the_player_query(app, client, session):
    add_play(session, add_player(session))
    client.get("/players/alice/diff")
    with count_queries(app) as statements:
        assert client.get("/players/alice/diff").status_code == 200
    assert len(statements) == 1 and "FROM player" in statements[0]


def test_a_kept_page_is_found_without_a_session(app, client, session, monkeypatch):
    add_play(session, add_player(session))
    first = client.get("/players/alice/plays", headers=BROWSER)

    def no_session(*_args, **_kwargs):
        raise AssertionError("a kept page opened a session")

    monkeypatch.setattr(app.extensions["maimai_probe.db"], "session", no_session)
    again = client.get("/players/alice/plays", headers=BROWSER)
    assert again.status_code == 200 and plain(again) == plain(first)


def versioned_app(found, shown):
    """Return a bare app whose one view is looked up at version `found` and shows `shown`."""
    from flask import Flask

    bare = Flask(__name__)
    page_cache.init_app(bare)
    renders = []

    def view():
        renders.append(1)
        page_cache.depends_on(*shown)
        return "page %d" % len(renders)

    bare.add_url_rule("/", "view", page_cache.cached(view, version=lambda: found))
    return bare, renders


def test_a_page_found_by_its_version_is_rendered_once():
    bare, renders = versioned_app(("v", 1), ("v", 1))
    client = bare.test_client()
    assert [client.get("/").get_data(as_text=True) for _ in range(3)] == ["page 1"] * 3
    assert len(renders) == 1


def test_a_page_whose_data_changed_since_the_lookup_is_not_kept():
    bare, renders = versioned_app(("v", 1), ("v", 2))
    client = bare.test_client()
    assert [client.get("/").get_data(as_text=True) for _ in range(2)] == ["page 1", "page 2"]
    assert len(cache_of(bare)) == 0


@pytest.mark.parametrize("path", ["/songs", "/songs?sort=title&page=2", "/songs?q=Link"])
def test_catalog_pages_are_kept_and_cost_one_light_read(app, client, session, path):
    sync(session)
    first = client.get(path, headers=BROWSER)
    with count_queries(app) as statements:
        again = client.get(path, headers=BROWSER)
    assert first.status_code == again.status_code == 200
    assert plain(again) == plain(first) and cache_of(app).hits == 1
    assert len(statements) == 1 and "FROM catalog_sync" in statements[0]


def test_a_catalog_sync_changes_the_catalog_pages_at_once(app, client, session):
    catalog = small_catalog()
    sync(session, catalog)
    before = client.get("/songs?sort=title").get_data(as_text=True)
    changed = copy.deepcopy(catalog)
    changed[0]["ds"][0] = 1.9  # the first song's Basic is now a 1.9 chart
    changed[0]["title"] = "新的曲名"
    sync(session, changed)
    after = client.get("/songs?sort=title").get_data(as_text=True)
    assert cache_of(app).hits == 0
    assert "新的曲名" in after and "新的曲名" not in before
    assert '<span class="song-constant">1.9</span>' in after
    assert session.execute(select(CatalogSync.id)).scalars().all() == [1, 2]


def test_catalog_pages_without_any_sync_are_kept_too(app, client, session):
    assert client.get("/songs").status_code == 200
    assert client.get("/songs").status_code == 200
    assert cache_of(app).hits == 1
    sync(session)
    assert "0 个谱面" not in client.get("/songs").get_data(as_text=True)
    assert cache_of(app).hits == 1
