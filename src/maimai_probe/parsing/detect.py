"""Tell what a pasted or uploaded page is and read it with the right parser."""

import contextlib
import json
import re
from typing import Optional, Tuple, Union

from bs4 import BeautifulSoup

from . import (
    archive,
    damage,
    detail,
    divingfish,
    errors,
    other_pages,
    profile,
    record,
    scores,
)
from .markup import make_soup, short, text_of
from .playlog import find_play_blocks
from .results import PageError, ParsedPage

#: Far above any official page (a full score list is about 2 MB); protects the parser.
MAX_PAGE_CHARS = 8 * 1024 * 1024
#: Our own archive export grows with the archive (about 0.5 KB a play): 100,000 plays fit.
MAX_ARCHIVE_CHARS = 96 * 1024 * 1024
UNKNOWN = "unknown"

_TAG = re.compile(r"<\s*(?:[a-zA-Z][a-zA-Z0-9-]*|!doctype|!--)", re.IGNORECASE)
_LOGIN_WORDS = ("SEGA ID", "segaId", "请在微信客户端打开", "aimeList", "wcaime")
_MAINTENANCE_WORDS = ("维护中", "系统维护", "メンテナンス中", "under maintenance")
_RECORD_PAGE_WORDS = ("title_playlog.png", "最近游玩记录")


def parse_page(text: Union[str, bytes]) -> ParsedPage:
    """Read any page or export; raise PageError, and nothing else, when it cannot be read."""
    try:
        return parse_page_unguarded(text)
    except PageError:
        raise
    except RecursionError:
        raise PageError("内容嵌套太深，不像是官方页面，无法解析。") from None
    except Exception as error:
        # The parsers are written to raise PageError only; this keeps that promise even for
        # input nobody foresaw, so one odd file cannot break an import.
        raise PageError(
            "解析这个页面时出了意外的问题（%s），内容可能已损坏或不是完整的官方页面。"
            % type(error).__name__
        ) from error


def parse_page_unguarded(text: Union[str, bytes]) -> ParsedPage:
    """Read any page or export, letting unforeseen exceptions through (for tests)."""
    if isinstance(text, bytes):
        text = _decode(text)
    if not isinstance(text, str):
        raise PageError("只能读取文字内容（网页或 JSON）。")
    content = text.lstrip("\ufeff").strip()
    if not content:
        raise PageError("内容是空的：没有任何网页或 JSON。")
    too_big = PageError("内容太大（%.1f MB），不像是一个官方页面。" % (len(text) / 1024 / 1024))
    if len(text) > MAX_ARCHIVE_CHARS or (len(text) > MAX_PAGE_CHARS and content[0] != "{"):
        raise too_big
    if "\x00" in text:
        raise PageError("这看起来不是文字（可能是图片、压缩包或其他二进制文件）。")
    if text.count("\ufffd") * 20 > len(text):
        raise PageError("内容里有大量乱码：文件的文字编码不对，请用 UTF-8 保存网页后再试。")
    if content[0] in "{[":
        parsed = _json(content, oversized=len(text) > MAX_PAGE_CHARS)
        if parsed is not None:
            return parsed
    if len(text) > MAX_PAGE_CHARS:
        raise too_big
    if not _TAG.search(content):
        raise PageError(
            "这不是网页（HTML），只是一段普通文字：「%s」。请保存官方页面的完整网页源代码。"
            % short(content, 30)
        )
    soup = make_soup(text)
    error = errors.error_page_error(soup) if errors.MARKER in text else None
    if error is not None:
        raise error
    page = _read(text, soup)
    if page is not None:
        return page
    raise _not_understood(text, soup)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise PageError("无法识别文件的文字编码：请用 UTF-8 保存网页后再上传。")


def _json(content: str, oversized: bool = False) -> Optional[ParsedPage]:
    """Read JSON: our archive or a Diving-Fish export, else say what it is; None if not JSON.

    Only an archive may be larger than MAX_PAGE_CHARS (oversized).
    """
    try:
        document = json.loads(content)
    except ValueError:
        if "<" in content and not oversized:
            return None  # not JSON after all: maybe HTML starting oddly
        raise PageError("这看起来像 JSON，但格式有误（可能没有复制完整），也不是网页。") from None
    if archive.is_archive(document):
        return archive.parse_archive(document)
    if oversized:
        return None
    if isinstance(document, dict) and "records" in document:
        return divingfish.parse_divingfish_json(document)
    if (
        isinstance(document, list)
        and document
        and all(isinstance(item, dict) and "achievements" in item for item in document)
    ):
        return divingfish.parse_divingfish_json(document)
    raise PageError("这是 JSON 数据，但不是水鱼查分器导出的成绩（没有 records 列表）。")


def _read(text: str, soup: BeautifulSoup) -> Optional[ParsedPage]:
    """Dispatch to the parser of the page's kind; None when no parser fits."""
    refusal = other_pages.refusal_before_reading(text, soup)
    if refusal is not None:
        raise refusal
    # Each kind is first looked for in the text: a substring test costs microseconds, a
    # search of the whole tree as much as parsing the plays.
    if _mentions(text, detail.MARKERS) and detail.is_detail_page(soup):
        _check_whole(text, "游玩详情页面", detail.PAGE)
        page = detail.parse_playlog_detail(text, soup)
    elif "playlog_top_container" in text and find_play_blocks(soup):
        _check_whole(text, "「最近游玩记录」页面", record.PAGE, "playlog_top_container")
        page = record.parse_record_page(text, soup)
    elif scores.SONG_MARKER in text and scores.is_music_detail(soup):
        _check_whole(text, "乐曲详情页面", scores.SONG_PAGE, "_score_back")
        page = scores.parse_music_detail(text, soup)
    elif "_score_back" in text and scores.score_blocks(soup):
        _check_whole(text, "乐曲成绩页面", scores.PAGE, "_score_back")
        page = scores.parse_score_list(text, soup)
    elif _mentions(text, profile.MARKERS) and profile.has_profile(soup):
        _check_whole(text, "玩家信息页面", profile.PAGE)
        return profile.parse_profile_page(text, soup)
    else:
        return None
    if page.profile is None and _mentions(text, profile.MARKERS) and profile.has_profile(soup):
        # The player's block is a side note here: the plays or scores are the page.
        with contextlib.suppress(PageError):
            page.profile = profile.read_profile(soup)
    return page


def _check_whole(text: str, kind: str, recognised: str, entry: str = "") -> None:
    """Refuse a copy of a page that was cut short or garbled, before reading anything."""
    damage.check_page_ends(text, kind, recognised, entry)
    damage.check_not_garbled(text, kind, recognised)


def _mentions(text: str, markers: Tuple[str, ...]) -> bool:
    return any(marker in text for marker in markers)


def _not_understood(text: str, soup: BeautifulSoup) -> PageError:
    """Say what a page we cannot read looks like."""
    error = errors.error_page_error(soup, strict=False)
    if error is not None:
        return error
    if any(word in text for word in _RECORD_PAGE_WORDS):
        return PageError(
            "这是「最近游玩记录」页面，但上面一条游玩记录也没有。", recognised="record"
        )
    refusal = other_pages.divingfish_page_refusal(text)
    if refusal is not None:
        return refusal
    if soup.find("input", attrs={"type": "password"}) is not None or any(
        word in text for word in _LOGIN_WORDS
    ):
        return PageError(
            "这看起来是登录页面，不是游戏记录。请先登录，再打开「最近游玩记录」并保存那一页。",
            recognised=UNKNOWN,
        )
    if any(word in text for word in _MAINTENANCE_WORDS):
        return PageError(
            "这看起来是官方的维护通知页面，上面没有游戏记录。请在维护结束后再保存页面。",
            recognised=UNKNOWN,
        )
    refusal = other_pages.official_page_refusal(text, soup)
    if refusal is not None:
        return refusal
    title = text_of(soup.find("title"))
    named = "（标题「%s」）" % short(title) if title else ""
    return PageError(
        "这是一个网页%s，但上面没有游玩记录、乐曲成绩或玩家信息。" % named
        + other_pages.SAVE_INSTEAD,
        recognised=UNKNOWN,
    )
