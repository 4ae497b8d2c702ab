"""Whatever it is fed, parse_page returns a ParsedPage or raises PageError, nothing else."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from parsing_pages import page_text

from maimai_probe.parsing.detect import parse_page_unguarded
from maimai_probe.parsing.divingfish import parse_divingfish_json
from maimai_probe.parsing.results import PageError, ParsedPage
from security.fuzzing import mutate

PAGES = [
    page_text(name)
    for name in (
        "record_cn.html",
        "record_intl.html",
        "playlog_detail.html",
        "music_genre.html",
        "player_data.html",
        "error_200002.html",
    )
]
FEW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(text):
    """Parse without the safety net, so a parser bug shows as its own exception."""
    try:
        page = parse_page_unguarded(text)
    except PageError as error:
        assert error.message
        assert isinstance(error.recognised, str)
        return error
    assert isinstance(page, ParsedPage)
    return page


# One edit: (what, where from, how long, inserted text); positions scale to the page.
EDITS = st.tuples(
    st.sampled_from(["delete", "duplicate", "replace"]),
    st.floats(min_value=0, max_value=1),
    st.integers(min_value=1, max_value=400),
    st.text(alphabet=st.sampled_from(list('<>/"= ,.%0123456789abcdiv曲目\u3000')), max_size=12),
)


@FEW
@given(page=st.sampled_from(PAGES), edits=st.lists(EDITS, min_size=1, max_size=4))
def test_mutated_pages(page, edits):
    outcome(mutate(page, edits))


@FEW
@given(text=st.text(max_size=300))
def test_random_text(text):
    outcome(text)


@FEW
@given(data=st.binary(max_size=300))
def test_random_bytes(data):
    outcome(data)


@FEW
@given(
    head=st.sampled_from(['<div class="playlog_top_container">', "<html><body>", "{", "["]),
    text=st.text(max_size=200),
)
def test_random_text_after_a_plausible_start(head, text):
    outcome(head + text)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)
RECORD_FIELDS = ["title", "type", "level_index", "achievements", "dxScore", "fc", "fs", "rate"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    records=st.lists(
        st.fixed_dictionaries({}, optional={field: JSON_VALUES for field in RECORD_FIELDS}),
        max_size=4,
    )
)
def test_random_diving_fish_records(records):
    try:
        page = parse_divingfish_json(json.loads(json.dumps({"records": records})))
    except PageError as error:
        assert error.recognised == "divingfish_json"
    else:
        assert len(page.scores) == len(records)


# Attack shapes: one piece of markup repeated, nested or stuffed, at sizes around the bounds.
ATTACK_PIECES = ["<a>", "<p>", "<div>", "</div>", "<br>", "&amp;", "<img src=x>", "<!---->", "<"]


@FEW
@given(
    piece=st.sampled_from(ATTACK_PIECES),
    count=st.one_of(st.integers(1, 3000), st.sampled_from([63999, 64001, 200000, 2790000])),
    head=st.sampled_from(["", "<html><body>", '<div class="playlog_top_container">']),
)
def test_repeated_markup_is_parsed_or_refused(piece, count, head):
    outcome(head + piece * count)


@FEW
@given(
    attributes=st.integers(1, 9000),
    tags=st.sampled_from([1, 10, 70, 2000]),
    gap=st.sampled_from([" ", "\n", "/", "\t"]),
)
def test_tags_stuffed_with_attributes_are_parsed_or_refused(attributes, tags, gap):
    outcome(("<br" + (gap + "b") * attributes + ">") * tags)
