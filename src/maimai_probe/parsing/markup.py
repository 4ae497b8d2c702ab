"""Small helpers for reading the official pages' markup."""

import re
from typing import Callable, Dict, Iterator, List, Optional, Tuple

from bs4 import BeautifulSoup, NavigableString, Tag

from .. import game
from .bounds import check_markup_bounds
from .results import PageError

#: The whitespace HTML indentation is made of; U+3000 and friends are part of the text.
ASCII_SPACE = " \t\n\r\f"

# Whitespace-only gaps between tags carry nothing on these pages; dropping them first
# saves the parser about a third of its work on a record page.
_INDENT_GAP = re.compile(r">[ \t\n\r\f]+<")
# An XHTML page saved with its XML declaration makes bs4 warn that it looks like XML;
# these pages are HTML, so the declaration goes before parsing.
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
_COUNT = re.compile(r"^[0-9]{1,3}(?:,[0-9]{3})*$|^[0-9]{1,9}$")
_PAIR = re.compile(r"(?<![0-9,])([0-9][0-9,]*)\s*/\s*([0-9][0-9,]*)(?![0-9])")


def make_soup(text: str) -> BeautifulSoup:
    """Parse a page with the standard library's HTML parser, within bounds of work."""
    check_markup_bounds(text)
    try:
        markup = _INDENT_GAP.sub("><", _XML_DECLARATION.sub("", text, count=1))
        return BeautifulSoup(markup, "html.parser")
    except Exception as exc:  # the stdlib parser rejects some garbage with odd exceptions
        raise PageError(
            "这段内容无法按网页（HTML）解析（%s），请确认保存的是完整的官方页面。"
            % type(exc).__name__
        ) from exc


def classes(tag: Tag) -> List[str]:
    """Return a tag's class names."""
    value = tag.get("class")
    if value is None:
        return []
    if isinstance(value, str):
        return value.split()
    return list(value)


def has_class(tag: Tag, name: str) -> bool:
    """Tell whether a tag carries a class name."""
    return name in classes(tag)


def image_name(src: Optional[str]) -> str:
    """Name an image by its file: '.../playlog/splus.png?ver=1.50' -> 'splus'."""
    if not src or not isinstance(src, str):
        return ""
    path = src.split("?", 1)[0].split("#", 1)[0]
    name = path.rsplit("/", 1)[-1]
    if "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def image_of(tag: Optional[Tag]) -> str:
    """Name the image of an <img> tag, or '' when there is none."""
    if tag is None:
        return ""
    src = tag.get("src")
    return image_name(src if isinstance(src, str) else None)


def strip_indent(text: str) -> str:
    """Drop the ASCII whitespace around a text, keeping U+3000 and other spaces."""
    return text.strip(ASCII_SPACE)


def text_of(tag: Optional[Tag]) -> str:
    """Return a tag's whole text without the indentation around it."""
    if tag is None:
        return ""
    return strip_indent(tag.get_text())


def spaced_text(tag: Optional[Tag]) -> str:
    """Return a tag's text with a space between its pieces, for reading numbers out of it.

    Saved pages lose the whitespace between blocks; joined, one block's "602" and the next
    block's "48/5,562" would read as 60248.
    """
    if tag is None:
        return ""
    return strip_indent(tag.get_text(" "))


def plain_strings(tag: Tag, skip_class: str = "") -> Iterator[str]:
    """Yield the text pieces inside a tag, leaving out subtrees carrying skip_class."""
    # A stack, not recursion: a hostile page may nest thousands of tags.
    stack = list(reversed(list(tag.children)))
    while stack:
        node = stack.pop()
        if type(node) is NavigableString:  # not comments, CDATA or doctype
            yield str(node)
        elif isinstance(node, Tag):
            if skip_class and any(skip_class in name for name in classes(node)):
                continue
            stack.extend(reversed(list(node.children)))


def parse_count(text: str) -> int:
    """Read a count as shown: '3,066' or '3066'."""
    cleaned = text.strip()
    if not _COUNT.match(cleaned):
        raise ValueError("not a count: %r" % text)
    return int(cleaned.replace(",", ""))


def find_pair(text: str) -> Optional[Tuple[int, int]]:
    """Find an 'x / y' pair of counts, such as '3,066 / 3,567'."""
    match = _PAIR.search(text)
    if match is None:
        return None
    return parse_count(match.group(1)), parse_count(match.group(2))


def shown_achievement(text: str, fail: Callable[[str, str], PageError]) -> int:
    """Read the achievement a page shows, failing the page when it is unreadable or over 101%."""
    try:
        achievement = game.parse_achievement(text)
    except ValueError:
        raise fail("达成率", "「%s」读不出来" % short(text)) from None
    if achievement > game.MAX_ACHIEVEMENT:
        raise fail("达成率", "「%s」超过了 101%%" % short(text))
    return achievement


def short(text: str, limit: int = 40) -> str:
    """Shorten a piece of page text for an error message."""
    text = " ".join(text.split())
    if len(text) > limit:
        return text[: limit - 1] + "…"
    return text


class TagIndex:
    """The tags under some roots, by class name and by tag name, for quick lookups."""

    def __init__(self, *roots: Optional[Tag]) -> None:
        # One walk instead of a find() per field: bs4's searches dominate otherwise.
        self.by_class: Dict[str, List[Tag]] = {}
        self.by_name: Dict[str, List[Tag]] = {}
        for root in roots:
            if root is None:
                continue
            for node in root.descendants:
                if not isinstance(node, Tag):
                    continue
                self.by_name.setdefault(node.name, []).append(node)
                for name in classes(node):
                    self.by_class.setdefault(name, []).append(node)

    def first(self, class_name: str, name: str = "") -> Optional[Tag]:
        """Return the first tag carrying a class (and of a tag name, if given)."""
        for tag in self.by_class.get(class_name, ()):
            if not name or tag.name == name:
                return tag
        return None

    def tags(self, name: str) -> List[Tag]:
        """Return every tag of a tag name."""
        return self.by_name.get(name, [])
