"""Search song titles, aliases and artists with jieba: an inverted index built once per process.

Texts and queries are folded alike: width and case (NFKC), and every Chinese character onto
its simplified form (folding.py), so 恋爱裁判 finds 恋愛裁判 and ＬＯＶＥ finds love. Each
catalog sync stores jieba's words of every (folded) title and artist beside its catalog_sync
row, so a fresh process builds the index from them without segmenting the catalog again.
"""

import bisect
import json
import logging
import os
import re
import sys
import tempfile
import threading
import unicodedata
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import CatalogSync, Song, SongAlias
from . import dictionary
from .folding import fold_variants

#: The longest query searched; longer ones are cut (no title is this long).
MAX_QUERY = 100
#: How many titles search_titles returns at most.
MAX_RESULTS = 200

# Ranks, best first: the whole title or an alias, its start, every word in it (or in an
# alias), words in title and artist, the query anywhere in title, alias or artist.
EXACT, PREFIX, TITLE_WORDS, ARTIST_WORDS, SUBSTRING = range(5)

LATIN = re.compile(r"[0-9a-z\u00c0-\u024f]+")
CJK = re.compile(
    "[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+"
)
WORD_CHARACTER = re.compile(r"\w")
SPACES = re.compile(r"\s+")

_lock = threading.Lock()
_indexes = {}  # type: Dict[str, Tuple[Tuple[Any, ...], SearchIndex]]


def load_jieba() -> Any:
    """Import jieba on first use, with its prepared dictionary and its chatter quiet."""
    # jieba is imported on first use, never with the app: it costs a cold start 0.1 s.
    # Without pkg_resources jieba opens its own files directly, as it does when setuptools is
    # missing; importing pkg_resources would cost a first search 60 ms more.
    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # type: ignore
    try:
        import jieba
    finally:
        if blocked and sys.modules.get("pkg_resources", False) is None:
            del sys.modules["pkg_resources"]

    # Serverless file systems are read-only except the temp dir, where jieba keeps its cache.
    jieba.dt.tmp_dir = tempfile.gettempdir()
    jieba.tmp_dir = jieba.dt.tmp_dir
    jieba.setLogLevel(logging.WARNING)
    dictionary.install(jieba)
    return jieba


def normalise(text: str) -> str:
    """Fold width, case and character variants and collapse spaces: ＡＢＣ = abc, 桜 = 樱."""
    folded = fold_variants(unicodedata.normalize("NFKC", text).casefold())
    return SPACES.sub(" ", folded).strip()


def is_cjk(text: str) -> bool:
    """Tell whether the text is all Chinese, Japanese or Korean characters."""
    return bool(CJK.fullmatch(text))


def grams(text: str) -> Set[str]:
    """Return the characters and character pairs of the CJK runs in a text."""
    found = set()  # type: Set[str]
    for run in CJK.findall(text):
        found.update(run)
        found.update(run[i : i + 2] for i in range(len(run) - 1))
    return found


def document_terms(text: str, jieba: Any) -> Set[str]:
    """Return the index terms of a normalised text: jieba's search words and latin words."""
    terms = {word for word in jieba.cut_for_search(text) if WORD_CHARACTER.search(word)}
    terms.update(LATIN.findall(text))
    return terms


def query_words(query: str, jieba: Any) -> List[str]:
    """Split a normalised query into words, joining the runs of single CJK characters."""
    words = []  # type: List[str]
    run = ""
    for token in jieba.cut(query):
        if len(token) == 1 and is_cjk(token):
            run += token
            continue
        if run:
            words.append(run)
            run = ""
        if WORD_CHARACTER.search(token):
            words.append(token.strip())
    if run:
        words.append(run)
    return list(dict.fromkeys(words))


class Field:
    """One searchable field of every entry (title or artist) and its inverted indexes."""

    def __init__(
        self, texts: List[str], jieba: Any, segments: Optional[Dict[str, List[str]]] = None
    ) -> None:
        self.texts = texts
        self.terms = {}  # type: Dict[str, Set[int]]
        self.grams = {}  # type: Dict[str, Set[int]]
        segments = {} if segments is None else segments
        for number, text in enumerate(texts):
            cut = segments.get(text)
            if cut is None:
                cut = segments[text] = sorted(document_terms(text, jieba))
            for term in cut:
                self.terms.setdefault(term, set()).add(number)
            for gram in grams(text):
                self.grams.setdefault(gram, set()).add(number)
        self.vocabulary = sorted(self.terms)

    def matches(self, word: str) -> Set[int]:
        """Return the entries whose field holds the word: as a term, a term's start, or text."""
        found = set(self.terms.get(word, ()))
        if LATIN.fullmatch(word):
            start = bisect.bisect_left(self.vocabulary, word)
            for term in self.vocabulary[start:]:
                if not term.startswith(word):
                    break
                found.update(self.terms[term])
        elif is_cjk(word):
            pairs = [word[i : i + 2] for i in range(len(word) - 1)] or [word]
            candidates = set.intersection(*(self.grams.get(pair, set()) for pair in pairs))
            found.update(number for number in candidates if word in self.texts[number])
        else:
            found.update(number for number, text in enumerate(self.texts) if word in text)
        return found


class SearchIndex:
    """Titles and their artists, searchable by words in any of the game's languages."""

    def __init__(
        self,
        songs: Iterable[Tuple[str, Optional[str]]],
        segments: Optional[Dict[str, List[str]]] = None,
        aliases: Iterable[Tuple[str, str]] = (),
    ) -> None:
        jieba = load_jieba()
        #: Each normalised text's index terms: those given (stored by the sync), then cut here.
        self.segments = dict(segments or {})  # type: Dict[str, List[str]]
        artists = {}  # type: Dict[str, List[str]]
        for title, artist in songs:
            names = artists.setdefault(title, [])
            if artist and artist not in names:
                names.append(artist)
        other_names = {}  # type: Dict[str, List[str]]
        for title, alias in aliases:
            if title in artists:
                other_names.setdefault(title, []).append(normalise(alias))
        self.titles = sorted(artists)
        self.title = Field([normalise(title) for title in self.titles], jieba, self.segments)
        self.artist = Field(
            [normalise(" / ".join(artists[title])) for title in self.titles], jieba, self.segments
        )
        # All of a title's aliases in one text, " / " between them, searched like the title.
        self.alias = Field(
            [" / ".join(other_names.get(title, ())) for title in self.titles], jieba, self.segments
        )
        self.exact = {}  # type: Dict[str, List[int]]
        for number, text in enumerate(self.title.texts):
            self.exact.setdefault(text, []).append(number)
        for number, title in enumerate(self.titles):
            for alias in other_names.get(title, ()):
                self.exact.setdefault(alias, []).append(number)
        self.by_text = sorted((text, number) for number, text in enumerate(self.title.texts))
        self.jieba = jieba

    def ranks(self, query: str) -> Dict[int, int]:
        """Return the best rank of every entry the query finds."""
        query = normalise(query[:MAX_QUERY])
        if not query:
            return {}
        found = {}  # type: Dict[int, int]

        def rank(numbers: Iterable[int], value: int) -> None:
            for number in numbers:
                if found.get(number, SUBSTRING + 1) > value:
                    found[number] = value

        rank(self.exact.get(query, ()), EXACT)
        start = bisect.bisect_left(self.by_text, (query, -1))
        for text, number in self.by_text[start:]:
            if not text.startswith(query):
                break
            rank([number], PREFIX)
        words = query_words(query, self.jieba)
        if words:
            in_title = [self.title.matches(word) for word in words]
            rank(set.intersection(*in_title), TITLE_WORDS)
            rank(set.intersection(*(self.alias.matches(word) for word in words)), TITLE_WORDS)
            in_either = [hits | self.artist.matches(word) for word, hits in zip(words, in_title)]
            rank(set.intersection(*in_either), ARTIST_WORDS)
        squeezed = query.replace(" ", "")
        texts = zip(self.title.texts, self.alias.texts, self.artist.texts)
        for number, (title, alias, artist) in enumerate(texts):
            if (
                query in title
                or query in artist
                or squeezed in title.replace(" ", "")
                or (alias and squeezed in alias.replace(" ", ""))
            ):
                rank([number], SUBSTRING)
        return found

    def search(self, query: str, limit: int = MAX_RESULTS) -> List[str]:
        """Return the titles matching the query, best first."""
        found = self.ranks(query)
        ordered = sorted(
            found, key=lambda number: (found[number], len(self.titles[number]), self.titles[number])
        )
        return [self.titles[number] for number in ordered[:limit]]


def segmenter(jieba: Any) -> str:
    """Name what cut the stored terms: jieba's version and its dictionary's size."""
    size = os.path.getsize(dictionary.default_dictionary(jieba))
    return "jieba %s, dict.txt %d bytes" % (jieba.__version__, size)


def stored_terms(index: SearchIndex) -> str:
    """Return an index's terms as the sync stores them: JSON, with what cut them."""
    stored = {"segmenter": segmenter(index.jieba), "terms": index.segments}
    return json.dumps(stored, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def read_terms(stored: Optional[str]) -> Dict[str, List[str]]:
    """Return the stored terms, or none when another jieba or dictionary cut them."""
    if not stored:
        return {}
    try:
        loaded = json.loads(stored)
    except ValueError:
        return {}
    if not isinstance(loaded, dict) or loaded.get("segmenter") != segmenter(load_jieba()):
        return {}
    terms = loaded.get("terms")
    return terms if isinstance(terms, dict) else {}


def catalog_songs(session: Session) -> List[Tuple[str, Optional[str]]]:
    """Return every song's title and artist, as the index takes them."""
    return [(title, artist) for title, artist in session.execute(select(Song.title, Song.artist))]


def catalog_signature(session: Session) -> Tuple[Any, ...]:
    """Return what changes when the catalog or its aliases do: counts, newest rows, lengths."""

    def of_aliases(aggregate: Any) -> Any:
        return select(aggregate).select_from(SongAlias).scalar_subquery()

    row = session.execute(
        select(
            func.count(Song.id),
            func.max(Song.id),
            func.sum(func.length(Song.title)),
            func.sum(func.length(func.coalesce(Song.artist, ""))),
            of_aliases(func.count(SongAlias.id)),
            of_aliases(func.max(SongAlias.id)),
            of_aliases(func.sum(func.length(SongAlias.alias))),
        )
    ).one()
    return tuple(row)


def catalog_index(session: Session) -> SearchIndex:
    """Return the search index of the catalog, built once per process and database."""
    key = str(session.get_bind().url)
    signature = catalog_signature(session)
    with _lock:
        cached = _indexes.get(key)
        if cached is not None and cached[0] == signature:
            return cached[1]
        stored = session.scalar(
            select(CatalogSync.search_terms).order_by(CatalogSync.id.desc()).limit(1)
        )
        aliases = session.execute(select(SongAlias.title, SongAlias.alias)).all()
        index = SearchIndex(
            catalog_songs(session),
            read_terms(stored),
            aliases=((title, alias) for title, alias in aliases),
        )
        _indexes[key] = (signature, index)
        return index


def search_titles(session: Session, query: str, limit: int = MAX_RESULTS) -> List[str]:
    """Return the catalog titles matching a query in titles or artists, best first."""
    if not query or not query.strip():
        return []
    return catalog_index(session).search(query, limit)
