"""Name the pages the importer does not read, and say what to save instead."""

import re
from typing import Optional

from bs4 import BeautifulSoup

from .markup import has_class, image_of, short, text_of
from .results import PageError

FRIEND_LIST = "friend_list"
FRIEND_VS = "friend_vs"
RATING_TARGET = "rating_target"
DIVINGFISH_PAGE = "divingfish_page"
OTHER_OFFICIAL = "official_page"

#: What to save instead, said the same way in every refusal.
SAVE_INSTEAD = (
    "请保存你自己的「最近游玩记录」、游玩详情、乐曲成绩（按分类、按等级或按版本）或乐曲详情页面。"
)
_VS_MARKERS = ("friend_vs_you_block", "friend_vs_friend_block", "title_friend_vs.")
# A friend's own page or the list of friends links to each friend by their code.
_FRIEND_MARKERS = (
    "/friend/friendDetail/",
    "/friend/favoriteOn/",
    "/friend/favoriteOff/",
    "/friend/friendGenreVs/",
    "/friend/friendLevelVs/",
)
_RATING_TARGET_MARKERS = (
    "Songs for Rating",
    "RATING対象曲",
    "RATING对象乐曲",
    "Rating对象乐曲",
    "Music for DX RATING",
)
_DIVINGFISH_MARKERS = (
    "diving-fish",
    "maimaidxprober",
    "/maimaidx/prober",
    "水鱼查分器",
    "舞萌 DX 查分器",
    "舞萌DX查分器",
)
_OFFICIAL_MARKERS = ("maimai.wahlap.com/maimai-mobile", "maimaidx-eng.com/maimai-mobile")
_TITLE_IMAGE = re.compile(r"^title_([a-z_]+)$")
#: The official pages' title images, by the name players know them by.
OFFICIAL_TITLES = {
    "home": "首页",
    "playerdata": "玩家数据",
    "friend": "好友",
    "collection": "收藏品",
    "map": "区域",
    "ranking": "排行榜",
    "course": "段位认定",
    "photo": "照片",
    "shop": "店铺",
    "option": "设置",
    "playlog_detail": "游玩详情",
    "music": "乐曲成绩",
    "nationaldata": "全国数据",
    "event": "活动",
    "information": "通知",
}


def refusal_before_reading(text: str, soup: BeautifulSoup) -> Optional[PageError]:
    """Return the refusal of a page that looks like one we read but is not the player's own."""
    if any(marker in text for marker in _VS_MARKERS):
        return PageError(
            "这是「好友对战」（好友VS）页面：每首乐曲旁边是你和好友两个人的成绩，"
            "本站不从这里导入，以免把好友的成绩记成你的。" + SAVE_INSTEAD,
            recognised=FRIEND_VS,
        )
    names = [tag for tag in soup.find_all("div") if has_class(tag, "name_block")]
    if any(marker in text for marker in _FRIEND_MARKERS) or len(names) > 1:
        return PageError(
            "这是好友页面（好友列表或好友的信息）：上面是好友的名字、Rating 和成绩，"
            "不是你自己的，本站不导入。"
            + SAVE_INSTEAD
            + "要记录你自己的玩家信息，请保存首页、玩家数据或「好友代码」页面。",
            recognised=FRIEND_LIST,
        )
    if any(marker in text for marker in _RATING_TARGET_MARKERS) or _rating_headings(text, soup):
        return PageError(
            "这是「Rating 对象乐曲」页面：它只列出计入 Rating 的乐曲，本站不从这里导入。"
            + SAVE_INSTEAD,
            recognised=RATING_TARGET,
        )
    return None


def _rating_headings(text: str, soup: BeautifulSoup) -> bool:
    """Tell whether a list of charts is headed as the charts counted in the rating."""
    if "_score_back" not in text or "screw_block" not in text:
        return False
    for tag in soup.find_all("div"):
        if has_class(tag, "screw_block"):
            heading = text_of(tag)
            if "rating" in heading.lower() or "対象" in heading or "对象" in heading:
                return True
    return False


def divingfish_page_refusal(text: str) -> Optional[PageError]:
    """Return the refusal of a page of the Diving-Fish site, None for any other page."""
    if any(marker in text for marker in _OFFICIAL_MARKERS) or not any(
        marker in text for marker in _DIVINGFISH_MARKERS
    ):
        return None
    return PageError(
        "这是水鱼查分器网站上的页面（说明或查分页面），不是官方页面，上面没有可以导入的"
        "成绩。要导入水鱼查分器里的成绩，请在水鱼查分器导出 JSON 后上传；要从官方页面导入，"
        + SAVE_INSTEAD,
        recognised=DIVINGFISH_PAGE,
    )


def official_page_refusal(text: str, soup: BeautifulSoup) -> Optional[PageError]:
    """Return the refusal naming an official page we do not read, None for other pages."""
    if not any(marker in text for marker in _OFFICIAL_MARKERS):
        return None
    name = _official_title(soup)
    title = text_of(soup.find("title"))
    if name:
        shown = "「%s」页面" % name
    elif title:
        shown = "页面（标题「%s」）" % short(title)
    else:
        shown = "页面"
    return PageError(
        "这是官方网站的%s，上面没有本站读取的游玩记录、乐曲成绩或玩家信息。" % shown + SAVE_INSTEAD,
        recognised=OTHER_OFFICIAL,
    )


def _official_title(soup: BeautifulSoup) -> str:
    """Name an official page by its title image: 'title_collection.png' -> '收藏品'."""
    for img in soup.find_all("img"):
        if not has_class(img, "title"):
            continue
        match = _TITLE_IMAGE.match(image_of(img))
        if match:
            return OFFICIAL_TITLES.get(match.group(1), match.group(1))
    return ""
