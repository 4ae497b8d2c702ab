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
    image_of,
    make_soup,
    plain_strings,
    short,
    shown_achievement,
    strip_indent,
    text_of,
)
from .results import PageError, ParsedPage, ScoreRecord
from .services import detect_service

PAGE = "score_list"
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


class _Chart:
    """Reads one chart's block, naming the chart in every error."""

    def __init__(self, block: Tag, number: int) -> None:
        self.block = block
        self.number = number
        self.tags = TagIndex(block)
        self.title = ""

    def fail(self, field: str, problem: str) -> PageError:
        which = "第 %d 首乐曲" % self.number
        if self.title:
            which += "（「%s」）" % short(self.title)
        return PageError(
            "成绩列表中%s的%s%s。整页都没有导入，请重新保存完整的页面后再试。"
            % (which, field, problem),
            recognised=PAGE,
        )

    def read(self) -> Optional[ScoreRecord]:
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
            level=text_of(self.tags.first("music_lv_block")) or None,
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
        if difficulty == game.UTAGE:
            return game.DX  # every UTAGE chart so far is a DX chart
        raise self.fail("谱面类型（DX／标准）", "看不出来")

    def read_achievement(self, boxes: List[Tag]) -> int:
        texts = [text_of(box) for box in boxes]
        shown = next((text for text in texts if "%" in text), texts[0])
        return shown_achievement(shown, self.fail)

    def read_dx_score(self, boxes: List[Tag]) -> Tuple[Optional[int], Optional[int]]:
        for box in boxes:
            text = text_of(box)
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
            if not name.startswith("music_icon_") or name == "music_icon_back":
                continue
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
