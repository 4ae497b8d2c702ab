"""Build record pages of chosen plays from a real (or our hand-made) record page.

A record page shows the newest 50 plays; tests of overlapping imports need pages that share
some plays and not others. Play number k (0, 1, 2, ...) is the page's block k modulo the
number of blocks, moved to its own time: its idx and its shown minute say the same new time,
so every play number is a different play and the same number is the same play on any page.
"""

import pathlib
import re
from typing import Iterable, List, NamedTuple

from maimai_probe.parsing.playlog import local_time_text

TESTS = pathlib.Path(__file__).resolve().parents[1]
PAGES = TESTS / "fixtures" / "pages"
SHARED_RECORD = TESTS.parent.parent / "shared" / "fixtures" / "maimai-mobile" / "record.html"

BLOCK_START = '<div class="p_10 t_l f_0 v_b">'
_IDX = re.compile(r'name="idx" value="[0-9]+,[0-9]+"')
_SHOWN = re.compile(r"[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}")
_DIV = re.compile(r"<div\b|</div>")
#: The newest play's time; play k is k ten-minute steps older.
NEWEST = 1759467960 - 1759467960 % 600
STEP = 600
CHINA = 480


class RecordTemplate(NamedTuple):
    """A record page cut into what comes before the plays, each play's block, and the rest."""

    source: str  # "real" or "hand-made"
    head: str
    blocks: List[str]
    tail: str

    def page(self, numbers: Iterable[int]) -> str:
        """Return a record page of the given play numbers, newest (lowest number) first."""
        return self.head + "".join(self.block(k) for k in sorted(numbers)) + self.tail

    def block(self, number: int) -> str:
        """Return play number k's block: a template block moved to the play's own time."""
        played_at = play_time(number)
        block = self.blocks[number % len(self.blocks)]
        block = _IDX.sub('name="idx" value="%d,%d"' % (number % 50, played_at), block, count=1)
        return _SHOWN.sub(local_time_text(played_at, CHINA), block, count=1)


def play_time(number: int) -> int:
    """Return the Unix time of play number k."""
    return NEWEST - number * STEP


def split_record_page(text: str, source: str) -> RecordTemplate:
    """Cut a record page at its play blocks, each ending where its outer div closes."""
    starts = [match.start() for match in re.finditer(re.escape(BLOCK_START), text)]
    if not starts:
        raise ValueError("no play blocks in the %s record page" % source)
    blocks = []
    end = starts[0]
    for start in starts:
        depth = 0
        for match in _DIV.finditer(text, start):
            depth += 1 if match.group() != "</div>" else -1
            if depth == 0:
                end = match.end()
                break
        blocks.append(text[start:end])
    return RecordTemplate(source, text[: starts[0]], blocks, text[end:])


def record_template() -> RecordTemplate:
    """Return the real record page cut into blocks, or our hand-made one where it is absent."""
    if SHARED_RECORD.exists():
        return split_record_page(SHARED_RECORD.read_text(encoding="utf-8"), "real")
    return split_record_page((PAGES / "record_cn.html").read_text(encoding="utf-8"), "hand-made")


def hand_made_template() -> RecordTemplate:
    """Return our hand-made record page of four plays cut into blocks."""
    return split_record_page((PAGES / "record_cn.html").read_text(encoding="utf-8"), "hand-made")
