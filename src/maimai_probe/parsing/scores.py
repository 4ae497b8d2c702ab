"""Read the score lists (musicGenre, musicWord, musicVersion searches): a best score per chart."""

import re
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
    make_soup,
    plain_strings,
    short,
    shown_achievement,
    spaced_text,
    strip_indent,
    text_of,
)
from .results import PageError, ParsedPage, ScoreRecord
from .services import detect_service

PAGE = "score_list"
SONG_PAGE = "music_detail"
#: The class of the song page's table of difficulties.
SONG_MARKER = "music_detail_table"
#: The empty slots of a chart's marks.
_NO_MARK = ("music_icon_back", "music_icon_blank")
_SCORE_BACK = re.compile(r"^music_([a-z]+)_score_back$")


def score_blocks(soup: BeautifulSoup) -> List[Tag]:
    """Return the block of every chart on a score list, played or not."""
    return [
        tag for tag in soup.find_all("div") if any(_SCORE_BACK.match(name) for name in classes(tag))
    ]


def parse_score_list(text: str, soup: Optional[BeautifulSoup] = None) -> ParsedPage:
    """Read the best score of every played chart of a score list; unplayed charts are skipped."""
    service = detect_service(text)
    if soup is None:
        soup = make_soup(text)
    scores = []
    for number, block in enumerate(score_blocks(soup), start=1):
        score = _Chart(block, number).read()
        if score is not None:
            scores.append(score)
    return ParsedPage(page=PAGE, service=service, scores=scores)


def is_music_detail(soup: BeautifulSoup) -> bool:
    """Tell whether a page is a song page (musicDetail): one song's table of difficulties."""
    return soup.find("table", class_=SONG_MARKER) is not None


def parse_music_detail(text: str, soup: Optional[BeautifulSoup] = None) -> ParsedPage:
    """Read the player's best on each played difficulty of a song page (musicDetail)."""
    service = detect_service(text)
    if soup is None:
        soup = make_soup(text)
    title, kind = _song_header(soup)
    scores = []
    for number, block in enumerate(score_blocks(soup), start=1):
        score = _Chart(block, number, song=title, song_kind=kind).read()
        if score is not None:
            scores.append(score)
    return ParsedPage(page=SONG_PAGE, service=service, scores=scores)


def _song_header(soup: BeautifulSoup) -> Tuple[str, Optional[str]]:
    """Read the title and the kind icon of a song page's header block."""
    table = soup.find("table", class_=SONG_MARKER)
    header = table.parent if table is not None else None
    title = ""
    kind = None
    if header is not None:
        for tag in header.find_all("div"):
            if has_class(tag, "f_15") and has_class(tag, "break"):
                title = strip_indent("".join(plain_strings(tag)))
                break
        for img in header.find_all("img"):
            kind = kind or marks.kind_from_image(image_of(img))
    if not title:
        raise PageError(
            "这是乐曲详情页面（musicDetail），但上面的曲名不见了。整页都没有导入，"
            "请重新保存完整的页面后再试。",
            recognised=SONG_PAGE,
        )
    return title, kind


class _Chart:
    """Reads one chart's block, naming the chart in every error."""

    def __init__(
        self, block: Tag, number: int, song: Optional[str] = None, song_kind: Optional[str] = None
    ) -> None:
        self.block = block
        self.number = number
        self.tags = TagIndex(block)
        self.song = song  # the song page's title: its blocks are difficulties of one song
        self.song_kind = song_kind  # the kind the song page shows in its header
        self.title = song or ""

    def fail(self, field: str, problem: str) -> PageError:
        if self.song is not None:
            return PageError(
                "乐曲详情页面上「%s」的第 %d 个难度的%s%s。整页都没有导入，"
                "请重新保存完整的页面后再试。" % (short(self.song), self.number, field, problem),
                recognised=SONG_PAGE,
            )
        which = "第 %d 首乐曲" % self.number
        if self.title:
            which += "（「%s」）" % short(self.title)
        return PageError(
            "成绩列表中%s的%s%s。整页都没有导入，请重新保存完整的页面后再试。"
            % (which, field, problem),
            recognised=PAGE,
        )

    def read(self) -> Optional[ScoreRecord]:
        if self.song is None:
            name_box = self.tags.first("music_name_block")
            if name_box is None:
                raise self.fail("曲名", "不见了")
            self.title = strip_indent("".join(plain_strings(name_box)))
            if not self.title:
                raise self.fail("曲名", "是空的")
        boxes = self.tags.by_class.get("music_score_block", [])
        if not boxes:
            return None  # never played: the list shows the chart without scores
        difficulty = self.read_difficulty()
        achievement = self.read_achievement(boxes)
        dx_score, dx_score_max = self.read_dx_score(boxes)
        fc, fs, rank = self.read_icons()
        return ScoreRecord(
            title=self.title,
            kind=self.read_kind(difficulty),
            difficulty=difficulty,
            achievement=achievement,
            dx_score=dx_score,
            dx_score_max=dx_score_max,
            fc=fc,
            fs=fs,
            rank=rank or game.rank_for(achievement),
            level=text_of(self.tags.first("music_lv_block") or self.tags.first("music_lv_back"))
            or None,
        )

    def read_difficulty(self) -> int:
        for name in classes(self.block):
            match = _SCORE_BACK.match(name)
            if match and match.group(1) in game.DIFFICULTY_BY_SLUG:
                return game.DIFFICULTY_BY_SLUG[match.group(1)]
        for img in self.tags.tags("img"):
            difficulty = marks.difficulty_from_image(image_of(img))
            if difficulty is not None and image_of(img).startswith("diff_"):
                return difficulty
        raise self.fail("难度", "看不出来")

    def read_kind(self, difficulty: int) -> str:
        # Songs with both kinds list one block per kind, told apart by id ("sta_", "dx_").
        block_id = self.block.get("id")
        if isinstance(block_id, str) and block_id.startswith(("sta_", "dx_")):
            return game.STANDARD if block_id.startswith("sta_") else game.DX
        # Otherwise one icon sits in the block (the level and version lists put it in the
        # form, after the difficulty icon) or next to it, in the chart's container.
        inside = self.tags.by_class.get("music_kind_icon", [])
        around = []
        if not inside and self.block.parent is not None:
            around = self.block.parent.find_all("img", class_="music_kind_icon")
        for icons in (inside, around):
            kinds = {marks.kind_from_image(image_of(img)) for img in icons} - {None}
            if len(kinds) == 1:
                return kinds.pop()
        if self.song_kind is not None:
            return self.song_kind
        if difficulty == game.UTAGE:
            return game.DX  # every UTAGE chart so far is a DX chart
        raise self.fail("谱面类型（DX／标准）", "看不出来")

    def read_achievement(self, boxes: List[Tag]) -> int:
        texts = [text_of(box) for box in boxes]
        shown = next((text for text in texts if "%" in text), texts[0])
        return shown_achievement(shown, self.fail)

    def read_dx_score(self, boxes: List[Tag]) -> Tuple[Optional[int], Optional[int]]:
        for box in boxes:
            text = spaced_text(box)
            if "/" not in text:
                continue
            try:
                pair = find_pair(text)
            except ValueError:
                pair = None
            if pair is None or pair[0] > pair[1]:
                raise self.fail("DX 分数", "「%s」读不出来" % short(text))
            return pair
        return None, None

    def read_icons(self) -> Tuple[int, int, Optional[str]]:
        """Read the combo mark, the sync mark and the rank from the music_icon_* images."""
        fc, fs, rank = game.FC_NONE, game.FS_NONE, None
        for img in self.tags.tags("img"):
            name = image_of(img)
            if not name.startswith("music_icon_") or name in _NO_MARK:
                continue
            if name.startswith("music_icon_dxstar_"):
                continue  # the DX score's stars: a score reading does not keep them
            found_rank = marks.rank_from_image(name)
            found_fc = marks.fc_from_image(name)
            found_fs = marks.fs_from_image(name)
            if found_rank is not None:
                rank = found_rank
            elif found_fc is not None:
                fc = max(fc, found_fc)
            elif found_fs is not None:
                fs = max(fs, found_fs)
            else:
                raise self.fail("标记图标", "「%s」不认识" % short(name))
        return fc, fs, rank
