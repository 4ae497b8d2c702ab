"""Every importer, fed mutated pages and generated JSON, parses or refuses: never a crash.

What parses is then stored, on SQLite and on PostgreSQL, exactly as given.
"""

import html
import itertools
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from maimai_probe import config, create_app
from maimai_probe.importing import store, tokens
from maimai_probe.models import Play, ProfileSnapshot, Score
from maimai_probe.parsing.detect import parse_page, parse_page_unguarded
from maimai_probe.parsing.divingfish import parse_divingfish_json
from maimai_probe.parsing.results import PageError, ParsedPage
from reliability.record_pages import PAGES, record_template
from security.fuzzing import JSON_VALUES, NASTY, SECRET, TEXT, examples, mutate, sqlite_app

REAL = record_template()
#: The real page's first three plays (or the hand-made page): a real page, parsed fast.
REAL_EXCERPT = REAL.head + "".join(REAL.blocks[:3]) + REAL.tail
HAND_MADE = {path.name: path.read_text("utf-8") for path in sorted(PAGES.glob("*.html"))}
SOURCES = dict(HAND_MADE, real_excerpt=REAL_EXCERPT)
PIECES = list("<>/\"'=&;#%,.0123456789 \u3000曲目") + [
    "<div>",
    "</div>",
    '<div class="playlog_top_container">',
    '<input type="hidden" name="idx" value="1,1759467960">',
    "&#0;",
    "&#x110000;",
    "&amp;",
    "<!--",
    "<![CDATA[",
    "\x00",
    "\ud800",
]
EDITS = st.tuples(
    st.sampled_from(["delete", "duplicate", "replace", "insert"]),
    st.floats(min_value=0, max_value=1),
    st.integers(min_value=1, max_value=2000),
    st.one_of(st.lists(st.sampled_from(PIECES), max_size=8).map("".join), NASTY),
)


def parses_or_refuses(data):
    """Parse without the safety net: only a ParsedPage or a PageError with a message."""
    try:
        page = parse_page_unguarded(data)
    except PageError as error:
        assert isinstance(error.message, str) and error.message
        assert isinstance(error.recognised, str)
        return None
    assert isinstance(page, ParsedPage)
    return page


@examples(600)
@given(source=st.sampled_from(sorted(SOURCES)), edits=st.lists(EDITS, min_size=1, max_size=5))
def test_mutated_pages_parse_or_are_refused(source, edits):
    parses_or_refuses(mutate(SOURCES[source], edits))


@examples(30)
@given(edits=st.lists(EDITS, min_size=1, max_size=3))
def test_the_whole_real_page_mutated_parses_or_is_refused(edits):
    parses_or_refuses(mutate(REAL.page(range(len(REAL.blocks))), edits))


@examples(300)
@given(
    data=st.one_of(
        st.binary(max_size=400),
        st.text(max_size=400).map(lambda text: text.encode("utf-8", "surrogatepass")),
        st.sampled_from(sorted(SOURCES)).map(lambda name: SOURCES[name].encode("utf-16")),
        st.sampled_from(sorted(SOURCES)).map(
            lambda name: SOURCES[name].encode("gb18030", "replace")
        ),
    )
)
def test_any_bytes_decode_and_parse_or_are_refused(data):
    try:
        text = store.decode(data)
    except PageError as error:
        assert error.message
        return
    parses_or_refuses(text)
    assert isinstance(store.read_upload("x", data), store.Upload)


# --- Diving-Fish JSON ------------------------------------------------------------------------

RECORD_FIELDS = [
    "title",
    "type",
    "level_index",
    "achievements",
    "dxScore",
    "fc",
    "fs",
    "rate",
    "level",
    "song_id",
    "ds",
    "ra",
]
PLAUSIBLE = {
    "title": TEXT,
    "type": st.sampled_from(["DX", "SD", "dx", ""]),
    "level_index": st.integers(min_value=-1, max_value=5),
    "achievements": st.one_of(
        st.floats(min_value=-1, max_value=102, allow_nan=False), st.integers(0, 101)
    ),
    "dxScore": st.one_of(st.integers(-1, 5000), st.floats(allow_nan=False)),
    "fc": st.sampled_from(["", "fc", "fcp", "ap", "app", "FC", "x"]),
    "fs": st.sampled_from(["", "fs", "fsp", "fsd", "fsdp", "fdx", "sync", "x"]),
    "rate": st.sampled_from(["", "sssp", "sss", "aa", "d", "x"]),
    "level": TEXT,
    "song_id": st.one_of(st.integers(-1, 2**40), TEXT),
}
RECORDS = st.fixed_dictionaries(
    {},
    optional={
        name: st.one_of(PLAUSIBLE.get(name, JSON_VALUES), JSON_VALUES) for name in RECORD_FIELDS
    },
)
DOCUMENTS = st.one_of(
    st.fixed_dictionaries(
        {"records": st.lists(RECORDS, max_size=5)},
        optional={"nickname": TEXT, "rating": JSON_VALUES, "username": TEXT},
    ),
    st.lists(RECORDS, max_size=5),
    JSON_VALUES,
)


@examples(400)
@given(document=DOCUMENTS, as_text=st.booleans())
def test_generated_divingfish_json_is_read_or_refused(document, as_text):
    data = json.dumps(document, ensure_ascii=False) if as_text else document
    try:
        page = parse_divingfish_json(data)
    except PageError as error:
        assert error.message and error.recognised == "divingfish_json"
        return
    assert len(page.scores) == len(document["records"] if isinstance(document, dict) else document)
    if as_text:
        try:
            assert parse_page(data).page == "divingfish_json"
        except PageError as error:  # a bare list must hold records to be taken for an export
            assert isinstance(document, list)
            assert error.message


# --- what parses is stored as given ---------------------------------------------------------

_counter = itertools.count()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def store_app(request, tmp_path_factory):
    """Yield an app to store fuzzed pages in: SQLite, then the PostgreSQL test server."""
    if request.param == "sqlite":
        app = sqlite_app(tmp_path_factory.mktemp("store"))
    else:
        url = request.getfixturevalue("postgres_schema")
        app = create_app(
            {
                "TESTING": True,
                "APP_ENV": "testing",
                "SECRET_KEY": SECRET,
                "DATABASE_URL": config.normalise_database_url(url),
                "AUTO_MIGRATE": False,
            }
        )
    yield app
    app.extensions["maimai_probe.db"].dispose()


def import_fuzzed(app, data):
    """Import one file for a new player; return the session, the player and the result."""
    session = app.extensions["maimai_probe.db"].session()
    player, _ = tokens.create_player(session, "fuzz%d" % next(_counter), now=1)
    upload = store.read_upload("fuzz", data)
    result = store.import_uploads(session, player, [upload], now=2)
    return session, player, upload, result


HOSTILE = st.one_of(NASTY, st.text(min_size=1, max_size=80), st.text(min_size=100, max_size=400))
#: Spots of the hand-made pages where a page carries text we keep: (page, pattern, kind).
SLOTS = [
    ("record_cn.html", r"(?<=clear\.png\" class=\"w_80 f_r\"/>)\s*CYCLES\s*(?=</div>)", "text"),
    ("record_cn.html", r"(?<=img/Music/)8a0b6f4c2d9e1735(?=\.png)", "image"),
    ("home.html", r"(?<=name_block f_l f_16\">)[^<]+", "text"),
    ("home.html", r"(?<=trophy_inner_block f_13\"><span>)[^<]+", "text"),
    ("home.html", r"(?<=img/Icon/)3a7c1e5f9b2d4860(?=\.png)", "image"),
    ("home.html", r"(?<=img/course/)course_rank_11(?=\.png)", "image"),
    ("home.html", r"(?<=img/class/)class_rank_s_05(?=\.png)", "image"),
]


def fill(slot, value):
    name, pattern, kind = slot
    if kind == "image":
        value = "".join(c for c in value if c not in "/?#.\x00") or "x"
        if "rank" in pattern:
            value = pattern.split(")")[1].split("(")[0].split("_")[0] + "_rank" + value
    return re.sub(pattern, lambda _: html.escape(value), HAND_MADE[name], count=1)


@examples(150)
@given(slot=st.sampled_from(SLOTS), value=HOSTILE)
def test_hostile_text_in_a_page_is_stored_as_parsed(store_app, slot, value):
    page = fill(slot, value)
    parsed = parses_or_refuses(page)
    session, player, upload, result = import_fuzzed(store_app, page)
    try:
        if parsed is None or upload.page is None:
            assert result.files[0].error
            return
        assert result.files[0].error is None
        if parsed.plays:
            titles = session.scalars(select(Play.title).where(Play.player_id == player.id))
            assert sorted(titles) == sorted(play.title for play in parsed.plays)
        if parsed.profile is not None:
            stored = session.scalars(
                select(ProfileSnapshot).where(ProfileSnapshot.player_id == player.id)
            ).one()
            for field in ("name", "title", "icon", "course_rank", "class_rank"):
                assert getattr(stored, field) == getattr(parsed.profile, field), field
    finally:
        session.close()


@examples(150)
@given(
    records=st.lists(
        st.fixed_dictionaries(
            {
                "title": HOSTILE,
                "type": st.sampled_from(["DX", "SD"]),
                "level_index": st.integers(0, 4),
                "achievements": st.floats(0, 101, allow_nan=False),
            },
            optional={
                "level": HOSTILE,
                "song_id": st.integers(0, 2**70),
                "dxScore": st.one_of(st.integers(0, 3000), st.integers(0, 2**70)),
            },
        ),
        min_size=1,
        max_size=3,
    ),
    nickname=st.one_of(st.none(), HOSTILE),
    rating=st.one_of(st.none(), st.integers(0, 20000), st.integers(0, 2**70)),
)
def test_hostile_divingfish_records_are_stored_as_given(store_app, records, nickname, rating):
    document = {"records": records, "rating": rating}
    if nickname is not None:
        document["nickname"] = nickname
    data = json.dumps(document).encode("ascii")
    session, player, upload, result = import_fuzzed(store_app, data)
    try:
        if upload.page is None:
            assert result.files[0].error
            return
        titles = session.scalars(select(Score.title).where(Score.player_id == player.id))
        assert set(titles) == {record["title"] for record in records}
    finally:
        session.close()


# --- pages built to burn the parser's time --------------------------------------------------

TAG_BOMBS = {
    "2,790,000 <a>": b"<a>" * 2790000,
    "1,000,000 <p>": b"<p>" * 1000000,
    "1,600,000 &amp;": b"<html>" + b"&amp;" * 1600000,
    "a tag of 4 million attributes": b"<div" + b" b" * 4000000 + b">",
    "300,000 nested <div> in a record page": REAL_EXCERPT.replace(
        "<body", "<div>" * 300000 + "<body", 1
    ).encode("utf-8"),
}


@pytest.mark.parametrize("name", sorted(TAG_BOMBS))
def test_tag_bombs_are_refused_and_nothing_is_written(store_app, name):
    session, player, upload, result = import_fuzzed(store_app, TAG_BOMBS[name])
    try:
        assert upload.page is None
        assert "不像是官方页面，没有解析" in result.files[0].error
        assert not result.stored_anything
        assert session.scalars(select(Play.id).where(Play.player_id == player.id)).all() == []
    finally:
        session.close()


@examples(40)
@given(
    piece=st.sampled_from(["<a>", "<p>", "<div>", "<br>", "&lt;", "<img src=x>", "<b x>"]),
    count=st.one_of(st.integers(1, 2000), st.sampled_from([70000, 2790000])),
    where=st.floats(0, 1),
)
def test_markup_repeated_inside_a_real_page_parses_or_is_refused(piece, count, where):
    at = int(len(REAL_EXCERPT) * where)
    parses_or_refuses(REAL_EXCERPT[:at] + piece * count + REAL_EXCERPT[at:])
