"""Refuse damaged copies of a page before anything is read off them: cut short, or garbled."""

import re
from typing import Optional

from .markup import short
from .results import PageError

#: Every official page ends with its closing tag, perhaps followed by a comment a saving
#: tool adds ("<!-- saved from ... -->").
_END = re.compile(r"</html\s*>\s*(?:<!--.*?-->\s*)*\Z", re.IGNORECASE | re.DOTALL)
#: ... and begins with its document type or opening tag, perhaps after such a comment.
_START = re.compile(
    r"[\ufeff \t\r\n]*(?:<\?xml[^>]*>[ \t\r\n]*)?(?:<!--.*?-->[ \t\r\n]*)*"
    r"<(?:!doctype\s+html|html[\s>])",
    re.IGNORECASE | re.DOTALL,
)
_ASCII_BYTES = bytes(range(128))
# What CJK text, kana and the full-width forms the pages use look like, once restored.
_COMMON_TEXT = re.compile("[\u2000-\u206f\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]")
_NON_ASCII_RUN = re.compile("[^\x00-\x7f]+")
#: A page is garbled when undoing a wrong decoding restores this share of its non-ASCII
#: bytes to CJK text. Official pages score under 0.1; garbled copies of them 0.5 to 1.
GARBLED_SHARE = 0.3
# Enough to tell: a lone pair of characters can restore by chance.
_GARBLED_MINIMUM_BYTES = 9
#: The decodings UTF-8 bytes are wrongly read with before being saved again as UTF-8.
WRONG_DECODINGS = ("gbk", "cp1252")
_SAVE_AGAIN = "整页都没有导入，请等页面完全显示后，重新保存完整的页面再导入。"


def check_page_ends(text: str, kind: str, recognised: str, entry: str = "") -> None:
    """Refuse a page that does not begin and end as official pages do, or lost its footer.

    kind names the page in the message ("「最近游玩记录」页面"); entry is a marker of the
    page's repeated blocks, after the last of which official pages have their footer.
    """
    if _START.match(text[:4096]) is None:
        beginning = short(text.lstrip("\ufeff \t\r\n")[:40], 40)
        raise PageError(
            "这份%s不完整：官方页面以 <!DOCTYPE html> 开头，这份却从「%s」开始，前面缺了一部分。%s"
            % (kind, beginning, _SAVE_AGAIN),
            recognised=recognised,
        )
    if _END.search(text[-4096:]) is None:
        ending = short(text.rstrip()[-40:], 40)
        raise PageError(
            "这份%s不完整：官方页面以 </html> 结束，这份却停在「%s」，只保存了一部分。%s"
            % (kind, ending, _SAVE_AGAIN),
            recognised=recognised,
        )
    if entry and "<footer" not in text[text.rfind(entry) :]:
        raise PageError(
            "这份%s不完整：最后一条记录之后没有官方页面末尾的部分（页脚），"
            "页面可能只保存或加载了一部分。%s" % (kind, _SAVE_AGAIN),
            recognised=recognised,
        )


def check_not_garbled(text: str, kind: str, recognised: str) -> None:
    """Refuse a page whose UTF-8 text was read with another encoding and saved again."""
    example = garbled_example(text)
    if example is not None:
        raise PageError(
            "这份%s的文字是乱码（例如「%s」）：UTF-8 网页被当成别的编码（如 GBK）读出后又保存了"
            "一次，原来的文字已经无法还原。整页都没有导入。请用浏览器重新打开官方页面直接保存"
            "网页，不要用记事本等软件转换编码。" % (kind, example),
            recognised=recognised,
        )


def garbled_example(text: str) -> Optional[str]:
    """Return a garbled piece of a page's text, None when its text reads as it should."""
    for encoding in WRONG_DECODINGS:
        original = text.encode(encoding, "replace")
        non_ascii = len(original.translate(None, _ASCII_BYTES))
        restored = len(_COMMON_TEXT.findall(original.decode("utf-8", "ignore"))) * 3
        if restored >= _GARBLED_MINIMUM_BYTES and restored >= non_ascii * GARBLED_SHARE:
            return _first_garbled_run(text, encoding)
    return None


def _first_garbled_run(text: str, encoding: str) -> str:
    """Return the first stretch of text that undoing the wrong decoding restores."""
    body = text.find("<body")
    for match in _NON_ASCII_RUN.finditer(text, max(body, 0)):
        restored = match.group(0).encode(encoding, "replace").decode("utf-8", "ignore")
        if _COMMON_TEXT.search(restored):
            start = max(match.start() - 12, 0)
            return short(text[start : match.end()].split(">")[-1], 30)
    return short(text[:30])
