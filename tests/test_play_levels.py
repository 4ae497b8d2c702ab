"""A play linked to a catalog chart shows the chart's level and constant, on cards and in JSON."""

import re

from sqlalchemy import select

from factories import BASE_TIME, add_play, add_player
from maimai_probe import game
from maimai_probe.catalog.linking import link_all
from maimai_probe.models import Chart, Play
from test_linking import sync


def linked_chart(session):
    """Add alice's play of Re:Unknown X (DX MASTER) with no level and one unknown; link them."""
    alice = add_player(session, "alice")
    add_play(session, alice, title="Re:Unknown X", kind=game.DX, level=None)
    add_play(session, alice, played_at=BASE_TIME + 60, title="Not In The Catalog", level=None)
    session.commit()
    sync(session)
    link_all(session)
    session.commit()


def chart_of(session):
    """Return the one linked chart: Re:Unknown X, DX, MASTER."""
    chart_id = session.execute(
        select(Play.chart_id).where(Play.title == "Re:Unknown X")
    ).scalar_one()
    return session.get(Chart, chart_id)


def test_the_json_api_gives_a_linked_plays_level_and_constant(client, session):
    linked_chart(session)
    chart = chart_of(session)
    assert chart.level and chart.constant_tenths
    body = client.get("/api/players/alice/plays").get_json()
    by_title = {play["title"]: play for play in body["plays"]}
    assert by_title["Re:Unknown X"]["level"] == chart.level
    assert by_title["Re:Unknown X"]["constant"] == chart.constant_tenths / 10
    assert by_title["Not In The Catalog"]["level"] is None
    assert by_title["Not In The Catalog"]["constant"] is None
    diff = client.get("/api/players/alice/diff").get_json()
    assert {play["title"]: play["constant"] for play in diff["plays"]} == {
        "Re:Unknown X": chart.constant_tenths / 10,
        "Not In The Catalog": None,
    }


def test_cards_show_the_level_and_constant_and_plays_are_grouped_by_day(client, session):
    linked_chart(session)
    chart = chart_of(session)
    page = client.get("/players/alice/plays").get_data(as_text=True)
    assert '<span class="play-diff">MASTER %s</span>' % chart.level in page
    assert (
        '<span class="play-constant" title="定数">%.1f</span>' % (chart.constant_tenths / 10)
        in page
    )
    assert page.count('class="play-constant"') == 1
    heads = re.findall(r'<h2 class="day-head"[^>]*>(.*?)</h2>', page, re.S)
    assert [" ".join(re.sub(r"<[^>]+>", " ", head).split()) for head in heads] == ["10/3 · 2 次"]
    diff_page = client.get("/players/alice/diff").get_data(as_text=True)
    assert '<span class="play-diff">MASTER %s</span>' % chart.level in diff_page
