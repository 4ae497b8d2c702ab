"""Read this site's own archive export back: plays, details, scores, snapshots, chart choices.

The export (exporting.archive) is a JSON object marked ``"format": "maimai-probe-archive"``.
Reading it is strict: a record with a missing or ill-typed field refuses the whole file,
naming the record and the field, so a damaged archive never half-arrives. Fields this
version does not know are ignored, so a newer exporter's additions do not break it; a
field an older exporter did not write (``aliases`` before chart choices were exported)
reads as empty.
"""

import json
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from .. import game
from .results import (
    ArchivedAlias,
    ArchivedSnapshot,
    ChosenChart,
    PageError,
    ParsedPage,
    PlayDetail,
    PlayRecord,
    ProfileSnapshot,
    ScoreRecord,
)

FORMAT = "maimai-probe-archive"
#: Raised only when an older reader would misread an archive: fields it does not know, as
#: the chart choices ("aliases") were to version 1 readers, it ignores.
VERSION = 1
PAGE = "archive"
SERVICE = "archive"
DETAIL_NUMBERS = (
    "fast",
    "late",
    "max_combo",
    "max_combo_total",
    "max_sync",
    "max_sync_total",
    "rating",
    "rating_delta",
)
PROFILE_TEXTS = ("title", "course_rank", "class_rank", "friend_code", "icon")
PROFILE_NUMBERS = ("rating", "stars", "play_count")
HEX = frozenset("0123456789abcdef")
DIGITS = frozenset("0123456789")

_NOTHING = object()


def is_archive(document: Any) -> bool:
    """Tell whether a JSON document says it is this site's archive export."""
    return isinstance(document, Mapping) and document.get("format") == FORMAT


def parse_archive(document: Any) -> ParsedPage:
    """Read an archive export into one page: plays with details, scores and snapshots."""
    if not is_archive(document):
        raise PageError("这份 JSON 不是本站导出的存档（没有 format 标记）。", recognised=PAGE)
    version = document.get("version")
    if not _is_int(version) or version < 1:
        raise PageError(
            "存档的 version %s。整个文件都没有导入。" % _problem("应该是正整数", version),
            recognised=PAGE,
        )
    if version > VERSION:
        raise PageError(
            "这份存档的版本（%d）比本站能读的（%d）新：请先升级本站再导入。" % (version, VERSION),
            recognised=PAGE,
        )
    plays = _list(document, "plays")
    scores = _list(document, "scores")
    snapshots = _list(document, "snapshots")
    aliases = _list(document, "aliases")
    page = ParsedPage(page=PAGE, service=SERVICE)
    first_seen: Dict[int, int] = {}
    for number, entry in enumerate(plays, start=1):
        fields = _Record("游玩记录", number, entry)
        play = _play(fields)
        if play.played_at in first_seen:
            raise fields.fail(
                "played_at", "与第 %d 条游玩记录重复" % first_seen[play.played_at], play.played_at
            )
        first_seen[play.played_at] = number
        page.plays.append(play)
        detail = fields.optional("detail", _is_mapping, "应该是对象或 null")
        if detail is not None:
            page.details[play.played_at] = _detail(_Record("游玩记录", number, detail, "detail."))
    page.scores = [
        _score(_Record("成绩", number, entry)) for number, entry in enumerate(scores, start=1)
    ]
    page.snapshots = [
        _snapshot(_Record("玩家信息", number, entry))
        for number, entry in enumerate(snapshots, start=1)
    ]
    page.aliases = _aliases(aliases)
    return page


def _aliases(entries: List[Any]) -> List[ArchivedAlias]:
    """Read the chart choices, refusing two for one title, kind and difficulty."""
    read: List[ArchivedAlias] = []
    first_seen: Dict[Tuple[str, str, int], int] = {}
    for number, entry in enumerate(entries, start=1):
        fields = _Record("谱面选择", number, entry)
        alias = _alias(fields)
        key = (alias.title, alias.kind, alias.difficulty)
        if key in first_seen:
            raise fields.fail("title", "与第 %d 条谱面选择重复" % first_seen[key], alias.title)
        first_seen[key] = number
        read.append(alias)
    return read


def _list(document: Mapping[str, Any], key: str) -> List[Any]:
    value = document.get(key, [])
    if not isinstance(value, list):
        raise PageError(
            "存档的 %s %s。整个文件都没有导入。" % (key, _problem("应该是列表", value)),
            recognised=PAGE,
        )
    return value


class _Record:
    """One record of the archive, read field by field with errors that name both."""

    def __init__(self, label: str, number: int, entry: Any, prefix: str = "") -> None:
        self.label = label
        self.number = number
        self.prefix = prefix
        if not isinstance(entry, Mapping):
            raise PageError(
                "存档的第 %d 条%s的 %s%s。整个文件都没有导入。"
                % (number, label, prefix.rstrip(".") or "内容", _problem("不是对象", entry)),
                recognised=PAGE,
            )
        self.entry = entry

    def fail(self, field: str, problem: str, value: Any = _NOTHING) -> PageError:
        return PageError(
            "存档的第 %d 条%s的 %s%s %s。整个文件都没有导入。"
            % (self.number, self.label, self.prefix, field, _problem(problem, value)),
            recognised=PAGE,
        )

    def required(self, field: str, check: Callable[[Any], bool], problem: str) -> Any:
        if field not in self.entry:
            raise self.fail(field, "缺失")
        value = self.entry[field]
        if not check(value):
            raise self.fail(field, problem, value)
        return value

    def optional(self, field: str, check: Callable[[Any], bool], problem: str) -> Any:
        value = self.entry.get(field)
        if value is not None and not check(value):
            raise self.fail(field, problem, value)
        return value

    def integer(self, field: str, low: int, high: Optional[int] = None) -> int:
        return self.required(field, _between(low, high), _range_text(low, high))

    def optional_integer(self, field: str, low: int, high: Optional[int] = None) -> Optional[int]:
        return self.optional(field, _between(low, high), _range_text(low, high))

    def text(self, field: str) -> str:
        return self.required(field, _is_text, "不是有效的文字")

    def optional_text(self, field: str) -> Optional[str]:
        return self.optional(field, lambda value: isinstance(value, str), "不是文字")

    def flag(self, field: str) -> bool:
        return self.required(field, lambda value: isinstance(value, bool), "应该是 true 或 false")

    def choice(self, field: str, allowed: Tuple[Any, ...]) -> Any:
        if field in self.entry and _in(self.entry[field], allowed):
            return self.entry[field]
        shown = "、".join(json.dumps(value, ensure_ascii=False) for value in allowed)
        return self.required(field, lambda value: _in(value, allowed), "应该是 %s 之一" % shown)


def _result(fields: _Record) -> Dict[str, Any]:
    """Read what a play and a score reading both hold: the chart and how it went."""
    return dict(
        title=fields.text("title"),
        kind=fields.choice("kind", game.KINDS),
        difficulty=fields.choice("difficulty", game.DIFFICULTIES),
        level=fields.optional_text("level"),
        achievement=fields.integer("achievement", 0, game.MAX_ACHIEVEMENT),
        rank=fields.choice("rank", tuple(game.RANK_LABELS)),
        dx_score=fields.integer("dx_score", 0),
    )


def _play(fields: _Record) -> PlayRecord:
    return PlayRecord(
        played_at=fields.integer("played_at", 0),
        utc_offset=fields.integer("utc_offset", -16 * 60, 16 * 60),
        ring_slot=fields.optional_integer("ring_slot", 0),
        track=fields.optional_integer("track", 0),
        **_result(fields),
        dx_score_max=fields.integer("dx_score_max", 0),
        dx_stars=fields.integer("dx_stars", 0, 5),
        fc=fields.choice("fc", tuple(game.FC_CODES)),
        fs=fields.choice("fs", tuple(game.FS_CODES)),
        achievement_new_record=fields.flag("achievement_new_record"),
        dx_score_new_record=fields.flag("dx_score_new_record"),
        place=fields.optional_integer("place", 0),
        jacket=fields.optional_text("jacket"),
        service=fields.text("service"),
        imported_at=fields.integer("imported_at", 0),
    )


def _detail(fields: _Record) -> PlayDetail:
    numbers = {name: fields.optional_integer(name, -(2**31), 2**31 - 1) for name in DETAIL_NUMBERS}
    judgements = fields.optional("judgements", _is_judgements, "应该是「名称: [整数, …]」的对象")
    players = fields.optional("matching_players", _is_names, "应该是文字列表")
    return PlayDetail(judgements=judgements, matching_players=players, **numbers)


def _score(fields: _Record) -> ScoreRecord:
    return ScoreRecord(
        **_result(fields),
        dx_score_max=fields.optional_integer("dx_score_max", 0),
        fc=fields.choice("fc", tuple(game.FC_CODES)),
        fs=fields.choice("fs", tuple(game.FS_CODES)),
        source=fields.text("source"),
        observed_at=fields.integer("observed_at", 0),
    )


def _snapshot(fields: _Record) -> ArchivedSnapshot:
    profile = ProfileSnapshot(name=fields.required("name", _is_string, "不是文字"))
    for name in PROFILE_TEXTS:
        setattr(profile, name, fields.optional_text(name))
    for name in PROFILE_NUMBERS:
        setattr(profile, name, fields.optional_integer(name, 0))
    return ArchivedSnapshot(
        profile=profile,
        observed_at=fields.integer("observed_at", 0),
        page=fields.text("page"),
        fingerprint=fields.required("fingerprint", _is_sha256, "应该是 64 位十六进制的 sha256"),
    )


def _alias(fields: _Record) -> ArchivedAlias:
    return ArchivedAlias(
        title=fields.text("title"),
        kind=fields.choice("kind", game.KINDS),
        difficulty=fields.choice("difficulty", game.DIFFICULTIES),
        chart=_chosen_chart(fields),
        created_at=fields.integer("created_at", 0),
    )


def _chosen_chart(alias: _Record) -> ChosenChart:
    chart = alias.required("chart", _is_mapping, "应该是对象")
    fields = _Record(alias.label, alias.number, chart, "chart.")
    return ChosenChart(
        catalog_id=fields.optional("catalog_id", _is_catalog_id, "应该是数字组成的文字"),
        title=fields.text("title"),
        kind=fields.choice("kind", game.KINDS),
        difficulty=fields.choice("difficulty", game.DIFFICULTIES),
    )


def _problem(problem: str, value: Any = _NOTHING) -> str:
    if value is _NOTHING:
        return problem
    try:
        text = json.dumps(value, ensure_ascii=False)
    except ValueError:
        text = repr(value)
    return "%s（%s）" % (problem, text if len(text) <= 40 else text[:39] + "…")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _between(low: int, high: Optional[int]) -> Callable[[Any], bool]:
    return lambda value: _is_int(value) and low <= value and (high is None or value <= high)


def _range_text(low: int, high: Optional[int]) -> str:
    if high is None:
        return "应该是不小于 %d 的整数" % low
    return "应该是 %d 到 %d 之间的整数" % (low, high)


def _in(value: Any, allowed: Tuple[Any, ...]) -> bool:
    # True == 1 in Python: a JSON true must not pass as a difficulty or a mark.
    return not isinstance(value, (bool, float)) and value in allowed


def _is_string(value: Any) -> bool:
    return isinstance(value, str)


def _is_text(value: Any) -> bool:
    # Not stripped: titles are kept exactly as the page showed them, a lone U+3000 included.
    return isinstance(value, str) and value != ""


def _is_mapping(value: Any) -> bool:
    return isinstance(value, Mapping)


def _is_judgements(value: Any) -> bool:
    return isinstance(value, Mapping) and all(
        _is_text(name)
        and isinstance(counts, list)
        and all(_is_int(count) and 0 <= count < 2**31 for count in counts)
        for name, counts in value.items()
    )


def _is_names(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(name, str) for name in value)


def _is_catalog_id(value: Any) -> bool:
    return isinstance(value, str) and value != "" and set(value) <= DIGITS


def _is_sha256(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= HEX
