"""Recognise the official error pages and say what they mean."""

import re
from typing import Optional

from bs4 import BeautifulSoup

from .markup import has_class, short, text_of
from .results import PageError

RECOGNISED = "error_page"
#: The class of the red box an official error page shows its code in.
MARKER = "container_red"
_ERROR_CODE = re.compile(
    r"(?:错误码|錯誤碼|ERROR\s*CODE|エラーコード)\s*[:：]?\s*([0-9]{3,8})", re.I
)

#: What the codes we know mean, in the words we tell the player.
KNOWN_CODES = {
    "200002": "登录已失效",
}


def error_page_error(soup: BeautifulSoup, strict: bool = True) -> Optional[PageError]:
    """Return the error for an official error page, None for any other page.

    strict looks only in the red error box; otherwise any error code in the page's text
    counts (for pages that showed nothing else we understand).
    """
    box = None
    for tag in soup.find_all("div"):
        if has_class(tag, MARKER):
            box = tag
            break
    text = box.get_text(" ") if box is not None else ("" if strict else soup.get_text(" "))
    match = _ERROR_CODE.search(text)
    if match is None:
        return None
    code = match.group(1)
    meaning = KNOWN_CODES.get(code) or _description(soup, match.group(0))
    shown = "错误码 %s：%s" % (code, meaning) if meaning else "错误码 %s" % code
    if code in KNOWN_CODES:
        advice = "请重新登录后再保存页面。"
    else:
        advice = "请重新打开官方页面，确认它正常显示后再保存。"
    return PageError("这是官方的错误页面（%s），%s" % (shown, advice), recognised=RECOGNISED)


def _description(soup: BeautifulSoup, code_text: str) -> str:
    """Return the explanation the error page gives under its code, if any."""
    for tag in soup.find_all("div"):
        if has_class(tag, "gray") and has_class(tag, "break"):
            text = text_of(tag)
            if text and code_text not in text:
                return short(" ".join(text.split()), 60)
    return ""
