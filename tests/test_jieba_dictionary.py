"""jieba's prepared dictionary and the terms each catalog sync stores: same words, no rebuild."""

import json
import os
import shutil
import subprocess
import sys
import types

import pytest
from sqlalchemy import select, update

from chart_data import SMALL_CATALOG, load_catalog
from conftest import ROOT, SHARED_FIXTURES
from maimai_probe.catalog import dictionary, search
from maimai_probe.models import CatalogSync

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.search import QUERIES  # noqa: E402 - the bench's table of queries

SHARED_CATALOG = SHARED_FIXTURES / "diving-fish" / "music_data.json"
#: Text jieba meets in the app beside the catalog: queries, the /jieba/ sample, mixed scripts.
EXTRA_TEXTS = [
    "舞萌DX 查分器",
    "星之卡比 ヒバナ Oshama Scramble!",
    "我来到北京清华大学，他来到了网易杭研大厦。",
    "小明硕士毕业于中国科学院计算所，后在日本京都大学深造",
    "ＡＢＣ１２３ full-width ｶﾀｶﾅ and 한국어",
    "",
    "   ",
]


def catalog_songs():
    """Return (title, artist) of the shared catalog, or of the small one in a fork."""
    path = SHARED_CATALOG if SHARED_CATALOG.exists() else SMALL_CATALOG
    songs = json.loads(path.read_text(encoding="utf-8"))
    return [(song["title"], song["basic_info"].get("artist") or "") for song in songs]


@pytest.fixture(scope="module")
def jieba():
    return search.load_jieba()


@pytest.fixture(scope="module")
def own_tokenizer(jieba, tmp_path_factory):
    """jieba's tokenizer with the dictionary it builds itself from dict.txt."""
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = str(tmp_path_factory.mktemp("jieba-own"))
    tokenizer.initialize()
    assert isinstance(tokenizer.FREQ, dict)
    return tokenizer


@pytest.fixture(scope="module")
def prepared_path(jieba, tmp_path_factory):
    path = tmp_path_factory.mktemp("prepared") / dictionary.SHIPPED_NAME
    with open(dictionary.default_dictionary(jieba), "rb") as source:
        path.write_bytes(dictionary.prepare(source.read()))
    return path


@pytest.fixture(scope="module")
def prepared_tokenizer(jieba, prepared_path):
    """A tokenizer reading the prepared dictionary, as load_jieba gives the app."""
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ = dictionary.PreparedFrequencies(str(prepared_path))
    tokenizer.total = tokenizer.FREQ.total
    tokenizer.initialized = True
    return tokenizer


def test_the_prepared_entries_are_jiebas_own(jieba, own_tokenizer):
    with open(dictionary.default_dictionary(jieba), "rb") as source:
        frequencies, total = dictionary.read_dictionary(source)
    assert total == own_tokenizer.total
    assert frequencies == own_tokenizer.FREQ


def texts():
    found = list(EXTRA_TEXTS) + list(QUERIES)
    for title, artist in catalog_songs():
        found.extend((title, artist, search.normalise(title), search.normalise(artist)))
    return found


@pytest.mark.parametrize(
    "mode",
    [
        "cut",
        "cut without HMM",
        "cut_for_search",
        "cut_all",
    ],
)
def test_jieba_segments_alike_with_the_prepared_dictionary(own_tokenizer, prepared_tokenizer, mode):
    def cut(tokenizer, text):
        if mode == "cut":
            return tokenizer.lcut(text)
        if mode == "cut without HMM":
            return tokenizer.lcut(text, HMM=False)
        if mode == "cut_all":
            return tokenizer.lcut(text, cut_all=True)
        return tokenizer.lcut_for_search(text)

    differ = [text for text in texts() if cut(own_tokenizer, text) != cut(prepared_tokenizer, text)]
    assert differ == []


def test_a_query_reads_only_the_shards_of_its_characters(prepared_path, jieba, own_tokenizer):
    frequencies = dictionary.PreparedFrequencies(str(prepared_path))
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = frequencies, frequencies.total, True
    assert tokenizer.lcut("舞萌DX") == ["舞萌", "DX"]
    assert 0 < frequencies.shards_loaded() <= len("舞萌DX")
    for word in ("北京", "清华大学", "清华大", "清", "舞萌", "zzzq", "DX"):
        assert frequencies.get(word) == own_tokenizer.FREQ.get(word), word
        assert (word in frequencies) is (word in own_tokenizer.FREQ), word
    assert frequencies["清华大"] == 0  # a prefix of 清华大学, not a word
    assert 7 not in frequencies
    with pytest.raises(KeyError):
        frequencies["zzzq"]
    tokenizer.add_word("舞萌", 100)
    assert frequencies["舞萌"] == 100


def test_search_finds_the_same_titles_as_with_jiebas_own_dictionary(own_tokenizer, monkeypatch):
    songs = catalog_songs()
    # The stored terms, as a sync writes them and a fresh process reads them back.
    stored = search.read_terms(search.stored_terms(search.SearchIndex(songs)))
    prepared = search.SearchIndex(songs, stored)
    assert set(stored) == set(prepared.title.texts) | set(prepared.artist.texts)
    own = types.SimpleNamespace(cut=own_tokenizer.cut, cut_for_search=own_tokenizer.cut_for_search)
    monkeypatch.setattr(search, "load_jieba", lambda: own)
    reference = search.SearchIndex(songs)
    assert reference.jieba is own
    for query in QUERIES:
        assert prepared.search(query) == reference.search(query), query


def test_the_shipped_dictionary_beside_dict_txt_comes_first(
    jieba, prepared_path, tmp_path, monkeypatch
):
    shipped = tmp_path / "jieba"
    shipped.mkdir()
    shutil.copy(dictionary.default_dictionary(jieba), str(shipped / "dict.txt"))
    shutil.copy(str(prepared_path), str(shipped / dictionary.SHIPPED_NAME))
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(temp))
    opened = dictionary.open_prepared(str(shipped / "dict.txt"))
    assert opened.path == str(shipped / dictionary.SHIPPED_NAME)
    assert os.listdir(str(temp)) == []
    # One cut short, or from another dictionary, is passed over: built in the temp dir.
    (shipped / dictionary.SHIPPED_NAME).write_bytes(prepared_path.read_bytes()[:40])
    opened = dictionary.open_prepared(str(shipped / "dict.txt"))
    assert opened.path == dictionary.cache_path(os.path.getsize(str(shipped / "dict.txt")))
    assert os.path.dirname(opened.path) == str(temp)
    assert opened["北京"] == dictionary.PreparedFrequencies(str(prepared_path))["北京"] > 0


LOAD = """
import json, os, sys
from maimai_probe.catalog import dictionary, search
jieba = search.load_jieba()
words = jieba.lcut("舞萌DX 查分器")
path = dictionary.cache_path(os.path.getsize(dictionary.default_dictionary(jieba)))
print(json.dumps([words, type(jieba.dt.FREQ).__name__, jieba.dt.FREQ.path == path,
                  os.stat(path).st_mtime_ns, "pkg_resources" in sys.modules]))
"""


def test_a_fresh_process_builds_the_prepared_dictionary_once_in_the_temp_dir(tmp_path):
    environ = {
        "PYTHONPATH": str(ROOT / "src"),
        "PATH": "/usr/bin:/bin",
        "TMPDIR": str(tmp_path),
        "PYTHONDONTWRITEBYTECODE": "1",
        "LANG": "C.UTF-8",  # Python 3.6 reads its -c text in the locale's encoding
    }
    said = []
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", LOAD],
            env=environ,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stdout.decode("utf-8")
        said.append(json.loads(done.stdout.decode("utf-8").splitlines()[-1]))
    first, second = said
    assert first[:3] == [["舞萌", "DX", " ", "查分", "器"], "PreparedFrequencies", True]
    assert second[:3] == first[:3]
    assert second[3] == first[3], "the second process built the dictionary again"
    assert first[4] is second[4] is False, "jieba imported pkg_resources"
    assert not [name for name in os.listdir(str(tmp_path)) if name.endswith(".partial")]


def test_each_sync_stores_the_catalogs_terms_and_a_fresh_index_uses_them(app, session):
    load_catalog(session)
    stored = session.scalar(select(CatalogSync.search_terms).order_by(CatalogSync.id.desc()))
    terms = search.read_terms(stored)
    assert terms[search.normalise("ヒバナ")] == ["ナ", "バ", "ヒ"]  # jieba cuts katakana apart
    assert search.search_titles(session, "ヒバナ") == ["ヒバナ", "ユメヒバナ"]
    # A word only the stored terms know: found once a fresh index reads them.
    terms[search.normalise("ヒバナ")].append("zzzqword")
    changed = json.loads(stored)
    changed["terms"] = terms
    session.execute(update(CatalogSync).values(search_terms=json.dumps(changed)))
    session.commit()
    search._indexes.clear()
    assert search.search_titles(session, "zzzqword") == ["ヒバナ"]
    # Terms another jieba cut are not trusted: the index cuts the titles itself.
    changed["segmenter"] = "jieba 0.0, dict.txt 1 bytes"
    session.execute(update(CatalogSync).values(search_terms=json.dumps(changed)))
    session.commit()
    search._indexes.clear()
    assert search.search_titles(session, "zzzqword") == []
    assert search.search_titles(session, "ヒバナ") == ["ヒバナ", "ユメヒバナ"]


def test_the_layer_ships_the_prepared_dictionary_beside_dict_txt(tmp_path):
    from layer import build

    source = "舞萌 3 n\n查分器 5 n\n".encode()
    files = build.with_prepared_dictionary({"jieba/dict.txt": source, "other.py": b""})
    assert sorted(files) == ["jieba/dict.shards", "jieba/dict.txt", "other.py"]
    (tmp_path / "dict.shards").write_bytes(files["jieba/dict.shards"])
    frequencies = dictionary.PreparedFrequencies(str(tmp_path / "dict.shards"), len(source))
    assert (frequencies["舞萌"], frequencies["查分"], frequencies["查分器"]) == (3, 0, 5)
    assert frequencies.total == 8
    assert build.with_prepared_dictionary({"other.py": b""}) == {"other.py": b""}
