"""Strategies and apps shared by the fuzz tests."""

import json
import pathlib
from typing import Iterable, Tuple

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from maimai_probe import create_app

TESTS = pathlib.Path(__file__).resolve().parents[1]
EVENTS = TESTS / "fixtures" / "events"
SECRET = "security-secret-0123456789abcdef"


def examples(count: int) -> settings:
    """Return settings for count examples, with no deadline: parsing a page takes a while."""
    return settings(
        max_examples=count,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


def mutate(text: str, edits: Iterable[Tuple[str, float, int, str]]) -> str:
    """Delete, duplicate, replace or insert pieces at places spread over the text."""
    for what, where, length, inserted in edits:
        start = int(where * len(text))
        piece = text[start : start + length]
        if what == "delete":
            text = text[:start] + text[start + length :]
        elif what == "duplicate":
            text = text[:start] + piece + piece + text[start + length :]
        elif what == "replace":
            text = text[:start] + inserted + text[start + length :]
        else:
            text = text[:start] + inserted + text[start:]
    return text


def sqlite_app(folder: pathlib.Path, **extra: object):
    """Return an app on a fresh SQLite database in a folder."""
    values = {
        "TESTING": True,
        "APP_ENV": "testing",
        "SECRET_KEY": SECRET,
        "DATABASE_URL": "sqlite:///%s" % (folder / "fuzz.sqlite3"),
        "AUTO_MIGRATE": True,
    }
    values.update(extra)
    return create_app(values)


def fixture_events():
    """Return every gateway event fixture, by file name."""
    return {
        path.name: json.loads(path.read_text("utf-8")) for path in sorted(EVENTS.glob("*.json"))
    }


#: Text that tends to break things: markup, quotes, escapes, controls, RTL, emoji, surrogates.
NASTY = st.sampled_from(
    [
        "",
        " ",
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "</script>",
        "'\"\\",
        "\x00",
        "\x1b[31m",
        "\u202e",
        "\ufeff",
        "😀",
        "%00",
        "%ZZ",
        "%E8%88%9E",
        "../../etc/passwd",
        "a" * 5000,
        "\r\n",
        "true",
        "null",
        "=?utf-8?",
        "𠀀",
        "\ud800",
        "a\udfff\ud83d",
    ]
)
TEXT = st.one_of(st.text(max_size=40), NASTY)
JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=8,
)
