"""A play's jacket comes from the official site of its service, and only a real image name."""

import re

import pytest

from factories import BASE_TIME, add_play, add_player
from maimai_probe import game
from maimai_probe.web.formatting import jacket_url

JACKET = "0847c38d2a623e99"
HOSTILE = [
    "../../maimai-mobile/home",
    'x" onerror="alert(1)',
    "x?y=1",
    "x#top",
    "two words",
    "a/b",
    "ジャケット",
    "x\n",
]
TOO_LONG = "j" * 65  # the importers refuse it (tests/security/test_unstorable_values.py)
IMAGE = re.compile(r'<img class="jacket" src="([^"]*)"')


def test_a_jacket_of_each_service_comes_from_its_own_site():
    assert jacket_url(JACKET) == (
        "https://maimai.wahlap.com/maimai-mobile/img/Music/0847c38d2a623e99.png"
    )
    assert jacket_url(JACKET, "intl") == (
        "https://maimaidx-eng.com/maimai-mobile/img/Music/0847c38d2a623e99.png"
    )
    assert jacket_url("j" * 64, "elsewhere").startswith("https://maimai.wahlap.com/")


@pytest.mark.parametrize("name", HOSTILE + [TOO_LONG, "", None])
def test_a_name_that_is_not_an_image_name_gets_no_link(name):
    assert jacket_url(name) is None


def test_the_record_page_shows_each_jacket_from_its_site(client, session):
    alice = add_player(session)
    add_play(session, alice, played_at=BASE_TIME, jacket=JACKET)
    add_play(session, alice, played_at=BASE_TIME + 60, jacket="a1b2c3d4e5f60718", service="intl")
    add_play(session, alice, played_at=BASE_TIME + 120)  # no jacket: no image
    page = client.get("/players/alice/plays").get_data(as_text=True)
    assert IMAGE.findall(page) == [
        "https://maimaidx-eng.com/maimai-mobile/img/Music/a1b2c3d4e5f60718.png",
        "https://maimai.wahlap.com/maimai-mobile/img/Music/0847c38d2a623e99.png",
    ]


def test_a_hostile_jacket_is_kept_as_given_and_never_put_in_a_link(client, session):
    alice = add_player(session)
    for number, name in enumerate(HOSTILE):
        add_play(session, alice, played_at=BASE_TIME + number * 60, jacket=name)
    page = client.get("/players/alice/plays").get_data(as_text=True)
    assert IMAGE.findall(page) == []
    assert "onerror" not in page and "maimai-mobile/home" not in page
    answer = client.get("/api/players/alice/plays?size=%d" % len(HOSTILE)).get_json()
    assert sorted(play["jacket"] for play in answer["plays"]) == sorted(HOSTILE)


def test_the_policy_lets_images_come_from_the_jacket_sites_only(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    (images,) = [part for part in policy.split("; ") if part.startswith("img-src ")]
    assert images.split()[1:] == ["'self'", "data:"] + sorted(game.JACKET_SITES.values())
