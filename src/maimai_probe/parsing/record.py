"""Read the record page "最近游玩记录" (/maimai-mobile/record/): the latest plays."""

from typing import Dict, Optional

from bs4 import BeautifulSoup

from .markup import make_soup
from .playlog import find_play_blocks, local_time_text, parse_play
from .results import PageError, ParsedPage
from .services import detect_service

PAGE = "record"


def parse_record_page(text: str, soup: Optional[BeautifulSoup] = None) -> ParsedPage:
    """Read every play of a record page; one unreadable play rejects the whole page."""
    service = detect_service(text)
    if soup is None:
        soup = make_soup(text)
    blocks = find_play_blocks(soup)
    if not blocks:
        raise PageError("这是「最近游玩记录」页面，但上面一条游玩记录也没有。", recognised=PAGE)
    plays = []
    seen: Dict[int, int] = {}
    for number, block in enumerate(blocks, start=1):
        play = parse_play(block, number, service, PAGE)
        if play.played_at in seen:
            raise PageError(
                "第 %d 条和第 %d 条游玩记录的 idx 时间相同（%s），页面内容有重复或被改动过。"
                "整页都没有导入。"
                % (seen[play.played_at], number, local_time_text(play.played_at, play.utc_offset)),
                recognised=PAGE,
            )
        seen[play.played_at] = number
        plays.append(play)
    return ParsedPage(page=PAGE, service=service, plays=plays)
