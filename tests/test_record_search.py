"""The record filter's title box searches the catalog with jieba, beside plain substrings."""

import json
import pathlib
import re

from factories import BASE_TIME, add_play, add_player
from maimai_probe.catalog.sync import read_catalog, sync_catalog

SMALL_CATALOG = pathlib.Path(__file__).parent / "fixtures" / "catalog_small.json"


def shown_titles(page: str) -> list:
    """Return the play titles of a page, in order."""
    return re.findall(r'<h3 class="play-title"><a href="[^"]*">([^<]*)</a>', page)


def load_small_catalog(session) -> None:
    """Sync the small hand-written catalog."""
    sync_catalog(session, read_catalog(json.loads(SMALL_CATALOG.read_text("utf-8"))))
    session.commit()


def test_searching_an_artist_finds_their_songs_plays(client, session):
    load_small_catalog(session)
    alice = add_player(session, "alice")
    add_play(session, alice, title="ヒバナ", played_at=BASE_TIME)
    add_play(session, alice, title="幻想のサテライト", played_at=BASE_TIME - 600)
    page = client.get("/players/alice/plays?title=DECO*27").get_data(as_text=True)
    assert shown_titles(page) == ["ヒバナ"]  # by its artist, which no play shows
    api = client.get("/api/players/alice/plays?title=DECO*27").get_json()
    assert [play["title"] for play in api["plays"]] == ["ヒバナ"]


def test_a_search_still_finds_substrings_of_titles_outside_the_catalog(client, session):
    load_small_catalog(session)
    alice = add_player(session, "alice")
    add_play(session, alice, title="未收录的新曲 Remix", played_at=BASE_TIME)
    add_play(session, alice, title="Link", played_at=BASE_TIME - 600)
    page = client.get("/players/alice/plays?title=remix").get_data(as_text=True)
    assert shown_titles(page) == ["未收录的新曲 Remix"]
    # "Link(CoF)" in the catalog stands for plays shown as "Link"
    circle = client.get("/players/alice/diff?title=Circle of friends").get_data(as_text=True)
    assert "Link" in circle and "未收录的新曲" not in circle


def test_digits_that_are_not_ascii_are_refused_not_crashed_on(client, session):
    add_player(session, "alice")
    for query in ("before=²", "after=٣", "size=²", "difficulty=³"):
        response = client.get("/players/alice/plays?" + query)
        assert response.status_code == 400, query
        assert "无效" in response.get_data(as_text=True) or "无法识别" in response.get_data(
            as_text=True
        )
