"""jieba's dictionary, prepared once and read a shard at a time: no 0.7 s build at first use.

jieba builds its prefix dictionary (every word and every prefix of one, 500,000 entries) from
dict.txt when it first cuts, and even its own cache takes a marshal load of the whole of it.
A search cuts only a few characters, and jieba only looks up the words that start at each of
them, so the prepared file keeps the entries in shards by their first character: a query
loads the few shards it touches, and jieba segments exactly as with its own dictionary.

The prepared file sits beside dict.txt when the deployment ships it (layer/build.py writes
jieba/dict.shards into the layer), else it is built once into the temp dir, which is the
only writable folder on a serverless function.

Standard library only: layer/build.py loads this module by its path to prepare the layer.
"""

import marshal
import mmap
import os
import struct
import tempfile
from typing import Any, Dict, Iterable, Optional, Tuple

MAGIC = b"maimai-probe jieba shards 1\n"
#: Shards by the code point of an entry's first character; CJK code points are dense.
SHARDS = 2048
#: marshal's version 2 is read alike by every Python 3 (no references between objects).
MARSHAL_VERSION = 2
SHIPPED_NAME = "dict.shards"
HEADER_LENGTH = struct.Struct(">I")


def read_dictionary(lines: Iterable[bytes]) -> Tuple[Dict[str, int], int]:
    """Return jieba's prefix dictionary and total from dict.txt, as Tokenizer.gen_pfdict does."""
    frequencies = {}  # type: Dict[str, int]
    total = 0
    for number, raw in enumerate(lines, 1):
        line = raw.strip().decode("utf-8")
        try:
            word, frequency = line.split(" ")[:2]
            frequencies[word] = int(frequency)
        except ValueError:
            raise ValueError("invalid dictionary entry at line %d: %s" % (number, line)) from None
        total += int(frequency)
        for end in range(1, len(word)):
            frequencies.setdefault(word[:end], 0)
    return frequencies, total


def shard_of(word: str) -> int:
    """Return the shard that holds a word: by its first character."""
    return ord(word[0]) % SHARDS


def prepare(dictionary: bytes) -> bytes:
    """Return the prepared file of a dict.txt's bytes: a header, then each shard, marshalled."""
    size = len(dictionary)
    frequencies, total = read_dictionary(dictionary.splitlines())
    shards = [{} for _ in range(SHARDS)]  # type: Any
    for word, frequency in frequencies.items():
        shards[shard_of(word)][word] = frequency
    bodies = [marshal.dumps(shard, MARSHAL_VERSION) for shard in shards]
    offsets = [0]
    for body in bodies:
        offsets.append(offsets[-1] + len(body))
    header = marshal.dumps((size, total, SHARDS, tuple(offsets)), MARSHAL_VERSION)
    return MAGIC + HEADER_LENGTH.pack(len(header)) + header + b"".join(bodies)


class PreparedFrequencies:
    """jieba's FREQ mapping (word → frequency, 0 for a prefix), loading shards on first use."""

    def __init__(self, path: str, dictionary_size: Optional[int] = None) -> None:
        self.path = path
        with open(path, "rb") as handle:
            self._data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        start = len(MAGIC) + HEADER_LENGTH.size
        try:
            if self._data[: len(MAGIC)] != MAGIC:
                raise ValueError("not a prepared jieba dictionary")
            (length,) = HEADER_LENGTH.unpack(self._data[len(MAGIC) : start])
            # Our own file: shipped with the code, or written by this user (see trusted).
            header = marshal.loads(self._data[start : start + length])  # noqa: S302
            size, self.total, count, offsets = header
        except (EOFError, TypeError, struct.error) as error:
            raise ValueError("%s is cut short: %s" % (path, error)) from None
        if count != SHARDS or (dictionary_size is not None and size != dictionary_size):
            raise ValueError("%s was prepared from another dictionary" % path)
        self._offsets = [start + length + offset for offset in offsets]
        if self._offsets[-1] != len(self._data):
            raise ValueError("%s is cut short" % path)
        self._shards = {}  # type: Dict[int, Dict[str, int]]
        self._added = {}  # type: Dict[str, int]  # jieba.add_word's words

    def _shard(self, word: str) -> Dict[str, int]:
        number = shard_of(word)
        shard = self._shards.get(number)
        if shard is None:  # two threads may both load it: the same dict, harmless
            body = self._data[self._offsets[number] : self._offsets[number + 1]]
            shard = marshal.loads(body)  # noqa: S302 - our own file, as above
            self._shards[number] = shard
        return shard

    def get(self, word: str, default: Any = None) -> Any:
        """Return a word's frequency, 0 for a prefix of a word, default when absent."""
        if word in self._added:
            return self._added[word]
        if not word:
            return default
        return self._shard(word).get(word, default)

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self.get(word) is not None

    def __getitem__(self, word: str) -> int:
        frequency = self.get(word)
        if frequency is None:
            raise KeyError(word)
        return frequency

    def __setitem__(self, word: str, frequency: int) -> None:
        self._added[word] = frequency

    def shards_loaded(self) -> int:
        """Return how many shards have been read so far."""
        return len(self._shards)


def default_dictionary(jieba: Any) -> str:
    """Return the path of jieba's own dict.txt."""
    return os.path.join(os.path.dirname(os.path.abspath(jieba.__file__)), jieba.DEFAULT_DICT_NAME)


def cache_path(dictionary_size: int) -> str:
    """Return where a prepared dictionary is built in the temp dir."""
    name = "maimai-probe-jieba-%d.shards" % dictionary_size
    return os.path.join(tempfile.gettempdir(), name)


def trusted(path: str) -> bool:
    """Tell whether a file is ours to load: not written by another user of a shared temp dir."""
    getuid = getattr(os, "getuid", None)
    return getuid is None or os.stat(path).st_uid in (getuid(), 0)


def open_prepared(dictionary: str) -> PreparedFrequencies:
    """Open the shipped prepared dictionary, else the temp dir's, building it there once."""
    size = os.path.getsize(dictionary)
    shipped = os.path.join(os.path.dirname(dictionary), SHIPPED_NAME)
    for path in (shipped, cache_path(size)):
        if os.path.isfile(path) and trusted(path):
            try:
                return PreparedFrequencies(path, size)
            except ValueError:  # another jieba's, or cut short: build our own
                continue
    path = cache_path(size)
    with open(dictionary, "rb") as source:
        prepared = prepare(source.read())
    handle, partial = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".partial")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(prepared)
        os.replace(partial, path)  # whole or not at all, for processes starting beside us
    except BaseException:
        if os.path.exists(partial):
            os.remove(partial)
        raise
    return PreparedFrequencies(path, size)


def install(jieba: Any) -> None:
    """Give jieba's default tokenizer the prepared dictionary, unless it loaded its own."""
    tokenizer = jieba.dt
    with tokenizer.lock:
        if tokenizer.initialized or tokenizer.dictionary != jieba.DEFAULT_DICT:
            return
        try:
            frequencies = open_prepared(default_dictionary(jieba))
        except OSError:  # no temp dir to write to: jieba builds its own on first use
            return
        tokenizer.FREQ = frequencies
        tokenizer.total = frequencies.total
        tokenizer.initialized = True
