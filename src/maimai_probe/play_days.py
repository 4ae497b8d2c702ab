"""The local day a play falls on: the game's days begin at midnight where it was played."""

import datetime

EPOCH = datetime.date(1970, 1, 1)
DAY = 86400


def local_day(unix_time: int, utc_offset: int) -> int:
    """Return the day, counted from 1970-01-01, a Unix time falls on in a time zone."""
    return (unix_time + utc_offset * 60) // DAY


def local_date(unix_time: int, utc_offset: int) -> datetime.date:
    """Return the date a Unix time falls on in a time zone (minutes east of UTC)."""
    return EPOCH + datetime.timedelta(days=local_day(unix_time, utc_offset))
