"""Read one play's block, as the record and playlogDetail pages both show it."""

import calendar
import datetime
import re
import time
from typing import List, Optional, Tuple

from bs4 import BeautifulSoup, Tag

from .. import game
from . import marks
from .markup import (
    TagIndex,
    classes,
    find_pair,
    has_class,
    image_of,
    plain_strings,
    short,
    shown_achievement,
    spaced_text,
    strip_indent,
    text_of,
)
from .results import PageError, PlayRecord
from .services import UTC_OFFSETS

_SHOWN_TIME = re.compile(r"([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})\s+([0-9]{1,2}):([0-9]{2})")
_TRACK = re.compile(r"(?:曲目|TRACK)\s*([0-9]{1,2})(?![0-9])", re.IGNORECASE)
_IDX = re.compile(r"^\s*([0-9]{1,4})\s*,\s*([0-9]{9,10})\s*$")
_RESULT_CONTAINER = re.compile(r"^playlog_([a-z]+)_container$")

#: Plausible play times: the idx of a play on any maimai DX net service falls in here.
EARLIEST_PLAY = 1325376000  # 2012-01-01
LATEST_PLAY = 4102444800  # 2100-01-01
#: The page shows the idx time cut to the minute; allow a little slack around that.
SHOWN_TIME_SLACK = 60

PlayBlock = Tuple[Tag, Optional[Tag]]


def find_play_blocks(soup: BeautifulSoup) -> List[PlayBlock]:
    """Pair each play's top block (difficulty, track, time) with its result block."""
    # find_all by tag name alone is bs4's fast path; matching classes ourselves is cheaper.
    return [
        (top, _result_after(top))
        for top in soup.find_all("div")
        if has_class(top, "playlog_top_container")
    ]


def _result_after(top: Tag) -> Optional[Tag]:
    """Return the playlog_<difficulty>_container that follows a top block."""
    for sibling in top.next_siblings:
        if not isinstance(sibling, Tag):
            continue
        if has_class(sibling, "playlog_top_container"):
            return None  # the next play starts: this one lost its result block
        if any(_result_difficulty(name) is not None for name in classes(sibling)):
            return sibling
    return None


def _result_difficulty(class_name: str) -> Optional[int]:
    """Read the difficulty of a result block's class: 'playlog_master_container' -> 3."""
    match = _RESULT_CONTAINER.match(class_name)
    return game.DIFFICULTY_BY_SLUG.get(match.group(1)) if match else None


def parse_idx(value: str) -> Tuple[int, int]:
    """Split a play's idx '33,1759467960' into its ring slot and Unix time."""
    match = _IDX.match(value)
    if match is None:
        raise ValueError("not a play idx: %r" % value)
    played_at = int(match.group(2))
    if not EARLIEST_PLAY <= played_at < LATEST_PLAY:
        raise ValueError("play time out of range: %r" % value)
    return int(match.group(1)), played_at


def local_time_text(played_at: int, utc_offset: int) -> str:
    """Format a Unix time as the pages show it in the service's time zone."""
    return time.strftime("%Y/%m/%d %H:%M", time.gmtime(played_at + utc_offset * 60))


def shown_time(text: str, utc_offset: int) -> Optional[int]:
    """Read a shown local time '2025/10/03 13:06' into Unix time, None when unreadable."""
    match = _SHOWN_TIME.search(text)
    if match is None:
        return None
    year, month, day, hour, minute = (int(part) for part in match.groups())
    try:
        moment = datetime.datetime(year, month, day, hour, minute)
    except ValueError:
        return None
    return calendar.timegm(moment.timetuple()) - utc_offset * 60


class _Play:
    """Reads the fields of one play, naming the play in every error."""

    def __init__(self, top: Tag, result: Optional[Tag], number: Optional[int], page: str):
        self.top = top
        self.result = result
        self.number = number
        self.page = page
        self.title = ""  # filled in as soon as it is read, to name the play in errors
        self.tags = TagIndex(result)
        self.top_tags = TagIndex(top)

    def fail(self, field: str, problem: str) -> PageError:
        """Build the error that rejects the whole page because of one field."""
        which = "第 %d 条游玩记录" % self.number if self.number else "这条游玩记录"
        if self.title:
            which += "（「%s」）" % short(self.title)
        return PageError(
            "%s的%s%s。整页都没有导入，请重新保存完整的页面后再试。" % (which, field, problem),
            recognised=self.page,
        )

    def find(self, class_name: str, name: str = "") -> Optional[Tag]:
        """Find a tag in the play's result block, then in its top block."""
        found = self.tags.first(class_name, name)
        return found if found is not None else self.top_tags.first(class_name, name)

    def read(self, service: str, idx: Optional[str]) -> PlayRecord:
        """Read every field of the play."""
        if self.result is None:
            raise self.fail("成绩部分", "不见了（页面可能不完整）")
        self.title = self.read_title()
        difficulty = self.read_difficulty()
        kind = self.read_kind(difficulty)
        achievement = self.read_achievement()
        dx_score, dx_score_max = self.read_dx_score()
        fc, fs, place, stars = self.read_icons()
        utc_offset = UTC_OFFSETS[service]
        ring_slot, played_at, exact = self.read_time(idx, utc_offset)
        return PlayRecord(
            played_at=played_at,
            utc_offset=utc_offset,
            title=self.title,
            kind=kind,
            difficulty=difficulty,
            achievement=achievement,
            rank=self.read_rank(achievement),
            dx_score=dx_score,
            dx_score_max=dx_score_max,
            fc=fc,
            fs=fs,
            dx_stars=stars,
            achievement_new_record=self.find("playlog_achievement_newrecord") is not None,
            dx_score_new_record=self.find("playlog_deluxscore_newrecord") is not None,
            track=self.read_track(),
            place=place,
            ring_slot=ring_slot,
            jacket=image_of(self.tags.first("music_img", "img")) or None,
            level=text_of(self.find("playlog_level_icon")) or None,
            played_at_exact=exact,
            utage_kind=text_of(self.find("playlog_music_kind_icon_utage_text")) or None,
        )

    def read_title(self) -> str:
        # The title block is the result block's own basic_block; the score box below it
        # is a basic_block too, so look at direct children first.
        block = None
        for child in self.result.children:
            if isinstance(child, Tag) and has_class(child, "basic_block"):
                block = child
                break
        if block is None:
            for candidate in self.tags.by_class.get("basic_block", ()):
                if not has_class(candidate, "playlog_result_innerblock"):
                    block = candidate
                    break
        if block is None:
            raise self.fail("曲名", "不见了")
        # Newer title blocks carry the chart level inside; it is not part of the title.
        title = strip_indent("".join(plain_strings(block, skip_class="playlog_level")))
        if not title:
            raise self.fail("曲名", "是空的")
        return title

    def read_difficulty(self) -> int:
        icon = self.top_tags.first("playlog_diff", "img")
        if icon is not None:
            difficulty = marks.difficulty_from_image(image_of(icon))
            if difficulty is None:
                raise self.fail("难度图标", "「%s」不认识" % short(image_of(icon)))
            return difficulty
        for name in classes(self.result):
            difficulty = _result_difficulty(name)
            if difficulty is not None:
                return difficulty
        raise self.fail("难度", "看不出来")

    def read_kind(self, difficulty: int) -> str:
        icon = self.find("playlog_music_kind_icon", "img")
        if icon is not None:
            kind = marks.kind_from_image(image_of(icon))
            if kind is None:
                raise self.fail("谱面类型图标", "「%s」不认识" % short(image_of(icon)))
            return kind
        # UTAGE plays show a row of small icons (utage, buddy, dx) instead of one.
        utage_icons = self.find("playlog_music_kind_icon_utage")
        if utage_icons is not None:
            for img in utage_icons.find_all("img"):
                kind = marks.kind_from_image(image_of(img))
                if kind is not None:
                    return kind
        if difficulty == game.UTAGE:
            return game.DX  # every UTAGE chart so far is a DX chart
        raise self.fail("谱面类型（DX／标准）", "看不出来")

    def read_achievement(self) -> int:
        box = self.tags.first("playlog_achievement_txt")
        if box is None:
            raise self.fail("达成率", "不见了")
        return shown_achievement(text_of(box), self.fail)

    def read_rank(self, achievement: int) -> str:
        icon = self.tags.first("playlog_scorerank", "img")
        if icon is None:
            return game.rank_for(achievement)
        rank = marks.rank_from_image(image_of(icon))
        if rank is None:
            raise self.fail("评级图标", "「%s」不认识" % short(image_of(icon)))
        return rank

    def read_dx_score(self) -> Tuple[int, int]:
        box = self.tags.first("playlog_score_block")
        if box is None:
            raise self.fail("DX 分数", "不见了")
        text = box.get_text(" ")
        try:
            pair = find_pair(text)
        except ValueError:
            pair = None
        if pair is None or pair[0] > pair[1]:
            shown = strip_indent(text)
            raise self.fail("DX 分数", "「%s」读不出来" % short(shown) if shown else "不见了")
        return pair

    def read_icons(self) -> Tuple[int, int, Optional[int], int]:
        """Read the combo and sync marks, the multiplayer place and the DX stars."""
        fc, fs, place, stars = game.FC_NONE, game.FS_NONE, None, 0
        for img in self.tags.tags("img"):
            name = image_of(img)
            mark = marks.fc_from_image(name)
            if mark is not None:
                fc = max(fc, mark)
                continue
            mark = marks.fs_from_image(name)
            if mark is not None:
                fs = max(fs, mark)
                continue
            found = marks.place_from_image(name)
            if found is not None:
                place = found
                continue
            found = marks.dx_stars_from_image(name)
            if found is not None:
                stars = found
        return fc, fs, place, stars

    def read_track(self) -> Optional[int]:
        match = _TRACK.search(spaced_text(self.top_tags.first("sub_title")))
        return int(match.group(1)) if match else None

    def read_time(self, idx: Optional[str], utc_offset: int) -> Tuple[Optional[int], int, bool]:
        """Read the play's ring slot and time from idx, checked against the shown time."""
        shown = shown_time(spaced_text(self.top_tags.first("sub_title")), utc_offset)
        if idx is None:
            for box in self.tags.tags("input"):
                value = box.get("name") == "idx" and box.get("value")
                if isinstance(value, str):
                    idx = value
                    break
        if idx is None:
            if self.page != "record" and shown is not None:
                # A playlogDetail page saved without its address only shows the minute.
                return None, shown, False
            raise self.fail("idx（游玩编号）", "不见了")
        try:
            ring_slot, played_at = parse_idx(idx)
        except ValueError:
            raise self.fail("idx（游玩编号）", "「%s」读不出来" % short(idx)) from None
        if shown is not None and not (
            -SHOWN_TIME_SLACK <= played_at - shown < 60 + SHOWN_TIME_SLACK
        ):
            raise self.fail(
                "时间",
                "对不上：idx 里的时间换算成当地时间是 %s，页面上显示的却是 %s"
                % (
                    local_time_text(played_at, utc_offset),
                    local_time_text(shown, utc_offset),
                ),
            )
        return ring_slot, played_at, True


def parse_play(
    block: PlayBlock,
    number: Optional[int],
    service: str,
    page: str,
    idx: Optional[str] = None,
) -> PlayRecord:
    """Read one play; number counts plays from 1 on the page, None on a single-play page."""
    top, result = block
    return _Play(top, result, number, page).read(service, idx)
