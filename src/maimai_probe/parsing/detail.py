"""Read the playlogDetail page: one play with its judgements, combo, sync and rating."""

import re
from typing import Dict, List, Optional, Tuple

from bs4 import BeautifulSoup, Tag

from .markup import (
    TagIndex,
    find_pair,
    image_of,
    make_soup,
    parse_count,
    short,
    spaced_text,
    text_of,
)
from .playlog import find_play_blocks, parse_play
from .results import PageError, ParsedPage, PlayDetail
from .services import detect_service

PAGE = "playlog_detail"
NOTES = ("tap", "hold", "slide", "touch", "break")
JUDGEMENTS = ("criticalperfect", "perfect", "great", "good", "miss")
JUDGEMENT_LABELS = {
    "tap": "TAP",
    "hold": "HOLD",
    "slide": "SLIDE",
    "touch": "TOUCH",
    "break": "BREAK",
}
#: Classes only a playlogDetail page has.
MARKERS = ("playlog_notes_detail", "playlog_fl_block", "playlog_rating_detail_block")

# A saved page keeps its address in a comment ("saved from url=...playlogDetail/?idx=33%2C...")
# or in a link; the idx in it is the only exact time a playlogDetail page carries.
_ADDRESS_IDX = re.compile(r"playlogDetail/?\?idx=([0-9]{1,4})(?:,|%2C|%2c)([0-9]{9,10})(?![0-9])")
_RATING_CHANGE = re.compile(r"\(\s*([+\-−－±])\s*([0-9][0-9,]*)\s*\)")
_NO_VALUE = {"", "―", "-", "－", "—"}


def is_detail_page(soup: BeautifulSoup) -> bool:
    """Tell whether a page has the parts only a playlogDetail page has."""
    return any(soup.find(class_=marker) is not None for marker in MARKERS)


def parse_playlog_detail(text: str, soup: Optional[BeautifulSoup] = None) -> ParsedPage:
    """Read the play of a playlogDetail page and what the page adds to it."""
    service = detect_service(text)
    if soup is None:
        soup = make_soup(text)
    blocks = find_play_blocks(soup)
    if not blocks:
        raise PageError(
            "这是游玩详情页面，但上面没有这次游玩的成绩部分（页面可能不完整）。", recognised=PAGE
        )
    if len(blocks) > 1:
        raise PageError(
            "这是游玩详情页面，但上面有 %d 条游玩记录，应该只有一条。" % len(blocks),
            recognised=PAGE,
        )
    play = parse_play(blocks[0], None, service, PAGE, idx=_page_idx(text, soup))
    tags = TagIndex(soup)
    fast, late = _fast_late(tags)
    max_combo, max_combo_total = _score_pair(tags, "maxcombo", "MAX COMBO")
    max_sync, max_sync_total = _score_pair(tags, "maxsync", "MAX SYNC")
    rating, rating_delta = _rating(tags)
    detail = PlayDetail(
        judgements=_judgements(tags),
        fast=fast,
        late=late,
        max_combo=max_combo,
        max_combo_total=max_combo_total,
        max_sync=max_sync,
        max_sync_total=max_sync_total,
        rating=rating,
        rating_delta=rating_delta,
        matching_players=_matching_players(soup),
    )
    return ParsedPage(page=PAGE, service=service, plays=[play], details={play.played_at: detail})


def _fail(part: str, problem: str) -> PageError:
    return PageError(
        "游玩详情页面上%s%s。整页都没有导入，请重新保存完整的页面后再试。" % (part, problem),
        recognised=PAGE,
    )


def _count(text: str, part: str) -> int:
    try:
        return parse_count(text)
    except ValueError:
        raise _fail(part, "「%s」读不出来" % short(text)) from None


def _page_idx(text: str, soup: BeautifulSoup) -> Optional[str]:
    """Find the play's idx in a hidden input or in the page's own address."""
    for box in soup.find_all("input"):
        value = box.get("value")
        if box.get("name") == "idx" and isinstance(value, str):
            return value
    match = _ADDRESS_IDX.search(text)
    if match is not None:
        return "%s,%s" % match.groups()
    return None


def _judgements(tags: TagIndex) -> Dict[str, List[int]]:
    """Read the judgement table: per note type, CRITICAL PERFECT, PERFECT, GREAT, GOOD, MISS."""
    table = tags.first("playlog_notes_detail")
    if table is None:
        return {}
    rows = table.find_all("tr")
    order = list(range(len(JUDGEMENTS)))
    judgements: Dict[str, List[int]] = {}
    for row in rows:
        heading = row.find("th")
        note = image_of(heading.find("img")) if heading is not None else ""
        cells = row.find_all("td")
        if note not in NOTES:
            # The heading row names the columns with images; follow its order.
            names = [image_of(cell.find("img")) for cell in cells]
            if sorted(names) == sorted(JUDGEMENTS):
                order = [names.index(name) for name in JUDGEMENTS]
            continue
        label = "判定表 %s 行" % JUDGEMENT_LABELS[note]
        if len(cells) < len(JUDGEMENTS):
            raise _fail(label, "不完整")
        texts = [text_of(cell) for cell in cells]
        if all(texts[column] in _NO_VALUE for column in order):
            continue  # a standard chart has no TOUCH notes: the row stays empty
        judgements[note] = [
            0 if texts[column] in _NO_VALUE else _count(texts[column], label) for column in order
        ]
    return judgements


def _fast_late(tags: TagIndex) -> Tuple[Optional[int], Optional[int]]:
    block = tags.first("playlog_fl_block")
    counts: Dict[str, Optional[int]] = {"fast": None, "late": None}
    if block is None:
        return None, None
    for img in block.find_all("img"):
        name = image_of(img)
        if name in counts and img.parent is not None:
            text = text_of(img.parent)
            counts[name] = None if text in _NO_VALUE else _count(text, name.upper())
    return counts["fast"], counts["late"]


def _score_pair(tags: TagIndex, image: str, label: str) -> Tuple[Optional[int], Optional[int]]:
    """Read 'x/y' next to the MAX COMBO or MAX SYNC image; y alone when x is not shown."""
    for block in tags.by_class.get("playlog_score_block", ()):
        if not any(image_of(img) == image for img in block.find_all("img")):
            continue
        text = spaced_text(block)
        try:
            pair = find_pair(text)
        except ValueError:
            pair = None
        if pair is not None:
            if pair[0] > pair[1]:
                raise _fail(label, "「%s」不对：前一个数比后一个大" % short(text))
            return pair
        if text in _NO_VALUE:
            return None, None
        # A solo play shows only the total MAX SYNC, or a dash.
        return None, _count(text.strip("/ "), label)
    return None, None


def _rating(tags: TagIndex) -> Tuple[Optional[int], Optional[int]]:
    block = tags.first("playlog_rating_detail_block")
    if block is None:
        return None, None
    value = block.find(class_="rating_block")
    rating = _count(text_of(value), "Rating") if value is not None else None
    match = _RATING_CHANGE.search(block.get_text(" "))
    if match is None:
        return rating, None
    sign, amount = match.groups()
    delta = _count(amount, "Rating 变化")
    return rating, -delta if sign in "-−－" else delta


def _matching_players(soup: BeautifulSoup) -> List[str]:
    """Read the names of the players who played along, leaving out the empty seats."""
    block = soup.find(id="matching")
    if not isinstance(block, Tag):
        return []
    names = []
    for name_box in block.find_all(class_="basic_block"):
        name = text_of(name_box)
        if name not in _NO_VALUE:
            names.append(name)
    return names
