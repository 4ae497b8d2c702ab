"""Searching titles and artists with jieba: ranking, languages, the index's life and its speed."""

import json
import subprocess
import sys
import tempfile
import time

import pytest

from chart_data import SMALL_CATALOG, load_catalog
from conftest import ROOT, shared_fixture
from maimai_probe.catalog import search
from maimai_probe.models import Chart, Song

HOSTILE = "</script><script>alert(1)</script>"


def catalog_songs(path):
    """Return (title, artist) of each song of a music_data file."""
    songs = json.loads(path.read_text(encoding="utf-8"))
    return [(song["title"], song["basic_info"]["artist"]) for song in songs]


@pytest.fixture(scope="module")
def small_index():
    return search.SearchIndex(catalog_songs(SMALL_CATALOG))


def test_ranks_exact_then_prefix_then_words_then_artist_then_substring():
    index = search.SearchIndex(
        [
            ("Superstars", "Band"),
            ("Moon", "Star Band"),
            ("Rail Star Light", "Band"),
            ("Star Rail", "Band"),
            ("Star", "Band"),
            ("Unrelated", "Band"),
        ]
    )
    assert index.search("star") == ["Star", "Star Rail", "Rail Star Light", "Moon", "Superstars"]
    found = index.ranks("star")
    ranks = {index.titles[number]: rank for number, rank in found.items()}
    assert ranks == {
        "Star": search.EXACT,
        "Star Rail": search.PREFIX,
        "Rail Star Light": search.TITLE_WORDS,
        "Moon": search.ARTIST_WORDS,
        "Superstars": search.SUBSTRING,
    }


@pytest.mark.parametrize(
    "query, first",
    [
        ("ヒバナ", ["ヒバナ", "ユメヒバナ"]),  # the whole title before a title containing it
        ("re:unknown x", ["Re:Unknown X"]),
        ("RE:UNKNOWN", ["Re:Unknown X"]),  # the start of a title, any case
        ("unknown", ["Re:Unknown X"]),  # a word of a title
        ("Ｏｓｈａｍａ", ["Oshama Scramble!", "[宴]Oshama Scramble!"]),  # full-width letters
        ("oshama scr", ["Oshama Scramble!", "[宴]Oshama Scramble!"]),  # the last word half typed
        ("城市", ["城市的霓虹灯下"]),  # a Chinese word of the title
        ("霓虹", ["城市的霓虹灯下", "星河旅人"]),  # the title before the artist 霓虹之声
        ("华立", ["城市的霓虹灯下"]),  # the artist only
        ("DECO*27", ["ヒバナ"]),
        ("サテライト", ["幻想のサテライト"]),  # a katakana run, split by jieba into characters
        ("のサテ", ["幻想のサテライト"]),  # kana across jieba's words
        ("豚乙女 幻想", ["幻想のサテライト"]),  # artist and title words together
        ("link", ["Link", "Link(CoF)"]),  # the exact title first
        ("circle of friends", ["Link(CoF)"]),  # words of the artist
        ("end world", ["World's end loneliness"]),  # words in any order
        (HOSTILE, [HOSTILE]),
    ],
)
def test_search_finds_titles_in_every_language_best_first(small_index, query, first):
    assert small_index.search(query)[: len(first)] == first


@pytest.mark.parametrize("query", ["", "   ", "zzzz", "霓虹灯上", "\x00"])
def test_a_query_that_matches_nothing_finds_nothing(small_index, query):
    assert small_index.search(query) == []


def test_titles_are_found_once_across_chart_kinds(small_index):
    assert small_index.search("Re:Unknown X") == ["Re:Unknown X"]
    assert small_index.titles.count("Re:Unknown X") == 1


def test_importing_the_app_does_not_load_jieba(tmp_path):
    script = (
        "import sys\n"
        "import maimai_probe\n"
        "app = maimai_probe.create_app({'TESTING': True, 'SECRET_KEY': 'x' * 32,"
        " 'DATABASE_URL': 'sqlite:///%s'})\n"
        "assert {'songs', 'charts', 'demo'} <= set(app.blueprints), app.blueprints\n"
        "assert 'jieba' not in sys.modules, 'jieba was imported'\n"
        "from maimai_probe.catalog import search\n"
        "search.load_jieba()\n"
        "assert 'jieba' in sys.modules\n" % (tmp_path / "x.sqlite3")
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=str(ROOT),
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout.decode("utf-8")


def test_jieba_keeps_its_cache_in_the_temp_dir():
    jieba = search.load_jieba()
    assert jieba.dt.tmp_dir == tempfile.gettempdir()
    assert jieba.tmp_dir == tempfile.gettempdir()


def test_search_titles_reads_the_catalog_and_follows_its_changes(app, session):
    assert search.search_titles(session, "ヒバナ") == []
    load_catalog(session)
    assert search.search_titles(session, "ヒバナ") == ["ヒバナ", "ユメヒバナ"]
    assert search.search_titles(session, "   ") == []
    song = Song(catalog_id="99999", title="ヒバナ 2", kind="DX", artist="DECO*27")
    song.charts = [Chart(difficulty=3, level="13", constant_tenths=134)]
    session.add(song)
    session.commit()
    assert search.search_titles(session, "ヒバナ") == ["ヒバナ", "ヒバナ 2", "ユメヒバナ"]


def test_the_real_catalog_answers_mixed_queries_fast():
    songs = catalog_songs(shared_fixture("diving-fish", "music_data.json"))
    index = search.SearchIndex(songs)
    assert index.search("ヒバナ")[0] == "ヒバナ"
    assert index.search("チルノ")[0] == "チルノのパーフェクトさんすう教室"
    assert all(title.startswith("Bad Apple!!") for title in index.search("bad apple")[:4])
    assert "ヒバナ" in index.search("deco*27")
    assert index.search("re:unknown")[0] == "Re:Unknown X"
    queries = ["ヒバナ", "幻想", "world", "初音ミク", "sega", "の", "c", "ナイト", "星", "deco*27"]
    started = time.perf_counter()
    for query in queries:
        index.search(query)
    per_query = (time.perf_counter() - started) / len(queries)
    assert per_query < 0.05, "%.1f ms per query" % (per_query * 1000)
