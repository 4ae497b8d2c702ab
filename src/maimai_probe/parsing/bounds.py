"""Bound the work of parsing a page before it starts: its tags, attributes and nesting.

The standard library's parser costs about 12 µs a tag, 2 µs an attribute and 1 µs a
character reference ("&amp;"): an 8 MB page of 2.8 million tags would take half a minute.
Each bound is one and a half to twice what the largest official page seen has (a friend
VS page of one difficulty, 2.1 MB: 42,000 '<', 116,000 attribute gaps, 40 '&', tags of 333
characters, nesting about 10 deep), so any page within them parses in about a second.
"""

import re

from .results import PageError

#: '<' and '&' together: tags and character references.
MAX_MARKUP_SIGNS = 64000
#: Gaps between a tag's name and attributes, and between attributes.
MAX_ATTRIBUTE_GAPS = 240000
MAX_TAG_CHARS = 8192
MAX_NESTING = 200

# A start or end tag: the slash, the name and everything up to its end.
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)([^<>]*)")
_ATTRIBUTE_GAP = re.compile(r"[\s/][^\s/>]")  # a gap where something follows: linear
_VOID = frozenset(
    ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param")
    + ("source", "track", "wbr")
)
# Their content is text to the standard library's parser, not tags.
_RAW_TEXT = frozenset(("script", "style"))
_ADVICE = "不像是官方页面，没有解析。请保存官方页面的原始网页再试。"


def check_markup_bounds(text: str) -> None:
    """Refuse markup with more tags, attributes or nesting than any official page has."""
    signs = text.count("<") + text.count("&")
    if signs > MAX_MARKUP_SIGNS:
        raise _refusal("有 %d 个标签符号（「<」和「&」），官方页面最多约 4 万个" % signs)
    bodies = []
    depth = 0
    raw_until = ""
    for match in _TAG.finditer(text):
        closing, name, body = match.groups()
        if len(body) > MAX_TAG_CHARS:
            raise _refusal("有一个 %d 个字符长的标签，官方页面的标签不过几百个字符" % len(body))
        bodies.append(body)
        name = name.lower()
        if raw_until:
            if closing and name == raw_until:
                raw_until = ""
        elif closing:
            depth = max(depth - 1, 0)
        elif name in _RAW_TEXT:
            raw_until = name
        elif name not in _VOID and not body.endswith("/"):
            depth += 1
            if depth > MAX_NESTING:
                raise _refusal("的标签嵌套超过 %d 层，官方页面只有十几层" % MAX_NESTING)
    gaps = len(_ATTRIBUTE_GAP.findall("\n".join(bodies)))
    if gaps > MAX_ATTRIBUTE_GAPS:
        raise _refusal("的标签里有约 %d 个属性，官方页面最多十几万个" % gaps)


def _refusal(what: str) -> PageError:
    return PageError("这份网页%s，%s" % (what, _ADVICE))
