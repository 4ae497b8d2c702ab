"""Read the player's profile off the home, playerData and friend-code pages."""

import re
from typing import List, Optional

from bs4 import BeautifulSoup, Tag

from .markup import (
    TagIndex,
    classes,
    has_class,
    image_of,
    make_soup,
    parse_count,
    short,
    spaced_text,
    strip_indent,
    text_of,
)
from .results import PageError, ParsedPage, ProfileSnapshot
from .services import detect_service

PAGE = "profile"
#: Classes a page showing the player's block or friend code has.
MARKERS = ("name_block", "friendcode_block", "see_through_block")
_STARS = re.compile(r"[×xX✕]\s*([0-9][0-9,]*)")
# playerData shows the total and, on newer versions, this version's count too: the total
# is the larger one.
_PLAY_COUNT = re.compile(
    r"(?:游玩次数|游戏次数|プレイ回数|play count)\s*[:：]\s*([0-9][0-9,]*)", re.IGNORECASE
)
_FRIEND_CODE = re.compile(r"^[0-9]{8,20}$")


def has_profile(soup: BeautifulSoup) -> bool:
    """Tell whether a page shows the player's block or a friend code."""
    return _name_box(soup) is not None or _friend_code(soup) is not None


def parse_profile_page(text: str, soup: Optional[BeautifulSoup] = None) -> ParsedPage:
    """Read a home, playerData or friend-code page into a profile."""
    service = detect_service(text)
    if soup is None:
        soup = make_soup(text)
    return ParsedPage(page=PAGE, service=service, profile=read_profile(soup))


def read_profile(soup: BeautifulSoup) -> ProfileSnapshot:
    """Read the player's block, play count and friend code from a page."""
    name_box = _name_box(soup)
    friend_code = _friend_code(soup)
    if name_box is None and friend_code is None:
        raise PageError("页面上没有玩家名字，也没有好友代码。", recognised=PAGE)
    profile = ProfileSnapshot(name=text_of(name_box), friend_code=friend_code)
    if not profile.name:
        # Every page showing the player shows their name: a copy without it is damaged.
        raise PageError(
            "玩家信息里的名字%s，页面可能不完整。整页都没有导入，请重新保存完整的页面后再试。"
            % ("是空的" if name_box is not None else "不见了"),
            recognised=PAGE,
        )
    block = _player_block(name_box) if name_box is not None else None
    if block is not None:
        tags = TagIndex(block)
        profile.rating = _rating(tags)
        profile.title = text_of(tags.first("trophy_inner_block")) or None
        profile.icon = _icon(tags)
        profile.stars = _stars(tags)
        for img in tags.tags("img"):
            name = image_of(img)
            if name.startswith("course_rank"):
                profile.course_rank = name
            elif name.startswith("class_rank"):
                profile.class_rank = name
    profile.play_count = _play_count(soup)
    return profile


def _fail(field: str, shown: str) -> PageError:
    return PageError(
        "玩家信息里的%s「%s」读不出来，请重新保存完整的页面后再试。" % (field, short(shown)),
        recognised=PAGE,
    )


def _name_box(soup: BeautifulSoup) -> Optional[Tag]:
    for tag in soup.find_all("div"):
        if has_class(tag, "name_block"):
            return tag
    return None


def _player_block(name_box: Tag) -> Tag:
    """Return the block around the name that also holds rating, title and ranks."""
    for parent in name_box.parents:
        if has_class(parent, "see_through_block") or has_class(parent, "basic_block"):
            return parent
    return name_box.parent if name_box.parent is not None else name_box


def _friend_code(soup: BeautifulSoup) -> Optional[str]:
    for tag in soup.find_all("div"):
        names = classes(tag)
        if "friendcode_block" in names or ("see_through_block" in names and tag.find(True) is None):
            code = "".join(strip_indent(tag.get_text()).split())
            if _FRIEND_CODE.match(code):
                return code
    return None


def _rating(tags: TagIndex) -> Optional[int]:
    box = tags.first("rating_block")
    if box is None:
        return None
    try:
        return parse_count(text_of(box))
    except ValueError:
        raise _fail("Rating", text_of(box)) from None


def _icon(tags: TagIndex) -> Optional[str]:
    for img in tags.tags("img"):
        src = img.get("src")
        if isinstance(src, str) and "/Icon/" in src:
            return image_of(img)
    return None


def _stars(tags: TagIndex) -> Optional[int]:
    for img in tags.tags("img"):
        if image_of(img) == "icon_star" and img.parent is not None:
            text = spaced_text(img.parent)
            match = _STARS.search(text)
            if match is None:
                raise _fail("星星数", text)
            return parse_count(match.group(1).replace(",", ""))
    return None


def _play_count(soup: BeautifulSoup) -> Optional[int]:
    counts: List[int] = []
    for match in _PLAY_COUNT.finditer(soup.get_text("\n")):
        try:
            counts.append(parse_count(match.group(1)))
        except ValueError:
            raise _fail("游玩次数", match.group(0)) from None
    return max(counts) if counts else None
