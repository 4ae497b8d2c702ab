"""The template filters: the game's numbers as the game shows them."""

import pytest

from maimai_probe.web import formatting

CHINA = 480
JAPAN = 540


def test_local_time_shows_the_minute_in_the_play_s_own_time_zone():
    moment = 1729934580  # 2024-10-26 09:23 UTC
    assert formatting.local_time(moment, CHINA) == "2024/10/26 17:23"
    assert formatting.local_time(moment, JAPAN) == "2024/10/26 18:23"
    assert formatting.local_time(moment, CHINA, "%Y-%m-%dT%H:%M") == "2024-10-26T17:23"
    assert formatting.local_time(None) == ""


def test_time_zones_are_made_once_per_offset():
    assert formatting.time_zone(CHINA) is formatting.time_zone(CHINA)
    assert formatting.time_zone(-90).utcoffset(None).total_seconds() == -5400


@pytest.mark.parametrize(
    ("number", "shown"),
    [(0, "0"), (999, "999"), (1000, "1,000"), (2772, "2,772"), (1234567, "1,234,567"), (None, "")],
)
def test_thousands(number, shown):
    assert formatting.thousands(number) == shown


@pytest.mark.parametrize(
    ("delta", "direction"), [(1, "up"), (35, "up"), (-1, "down"), (0, "level"), (None, "level")]
)
def test_trend_names_the_direction_of_a_difference(delta, direction):
    assert formatting.trend(delta) == direction


def test_signed_numbers():
    assert formatting.signed(12) == "+12"
    assert formatting.signed(-3) == "-3"
    assert formatting.signed(0) == "±0"
    assert formatting.signed_achievement(1234) == "+0.1234%"
    assert formatting.signed_achievement(-10000) == "-1.0000%"
