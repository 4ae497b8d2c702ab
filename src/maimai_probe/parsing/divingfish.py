"""Read and write the Diving-Fish prober's records format (best score per chart)."""

import json
import math
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Tuple, Union

from .. import game
from ..rating.formula import chart_rating
from .markup import strip_indent
from .results import PageError, ParsedPage, PlayRecord, ProfileSnapshot, ScoreRecord

PAGE = "divingfish_json"
SERVICE = "divingfish"
#: Diving-Fish's own labels for level_index 0..4.
LEVEL_LABELS = ("Basic", "Advanced", "Expert", "Master", "Re:MASTER")
MAX_ACHIEVEMENT = 101.0

# The international site calls FDX what Diving-Fish calls fsd; accept both when reading.
_FS_CODES = dict(game.FS_BY_CODE, fdx=game.FDX, fdxp=game.FDX_PLUS)

#: Looks up what the catalog knows of a chart by (title, kind, difficulty): a mapping
#: with any of "song_id", "ds" (the chart constant) and "level" ("13+").
ChartFacts = Callable[[str, str, int], Optional[Mapping[str, Any]]]


def parse_divingfish_json(data: Union[str, bytes, Mapping[str, Any], List[Any]]) -> ParsedPage:
    """Read a Diving-Fish export ({"records": [...]}) or a bare list of records."""
    document = _load(data) if isinstance(data, (str, bytes)) else data
    profile = None
    if isinstance(document, Mapping):
        records = document.get("records")
        if not isinstance(records, list):
            raise PageError(
                "这份 JSON 里没有 records 列表，不是水鱼查分器导出的成绩。", recognised=PAGE
            )
        profile = _profile(document)
    elif isinstance(document, list):
        records = document
    else:
        raise PageError(
            "这份 JSON 不是水鱼查分器的成绩格式（应该是带 records 列表的对象）。",
            recognised=PAGE,
        )
    scores = [_score(record, number) for number, record in enumerate(records, start=1)]
    return ParsedPage(page=PAGE, service=SERVICE, scores=scores, profile=profile)


def _load(data: Union[str, bytes]) -> Any:
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.lstrip("\ufeff")
        return json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise PageError(
            "JSON 格式有误（%s），请上传从水鱼查分器导出的完整 JSON 文件。" % error,
            recognised=PAGE,
        ) from None


def _profile(document: Mapping[str, Any]) -> Optional[ProfileSnapshot]:
    """Keep the nickname and rating an export carries, when they are well formed."""
    nickname = document.get("nickname")
    if not isinstance(nickname, str) or not nickname.strip():
        return None
    rating = document.get("rating")
    valid = isinstance(rating, int) and not isinstance(rating, bool) and rating >= 0
    return ProfileSnapshot(name=nickname, rating=rating if valid else None)


_NOTHING = object()


def _fail(number: int, field: str, problem: str, value: Any = _NOTHING) -> PageError:
    shown = "" if value is _NOTHING else "（%s）" % _shown(value)
    return PageError(
        "水鱼 JSON 的第 %d 条记录的 %s %s%s。整个文件都没有导入。"
        % (number, field, problem, shown),
        recognised=PAGE,
    )


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:39] + "…"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _score(record: Any, number: int) -> ScoreRecord:
    """Check one record's fields and turn it into a ScoreRecord."""
    if not isinstance(record, Mapping):
        raise PageError(
            "水鱼 JSON 的第 %d 条记录不是对象（%s）。整个文件都没有导入。"
            % (number, _shown(record)),
            recognised=PAGE,
        )
    for field in ("title", "type", "level_index", "achievements"):
        if field not in record:
            raise _fail(number, field, "缺失")
    title = record["title"]
    if not isinstance(title, str) or not strip_indent(title):
        raise _fail(number, "title", "不是有效的曲名", title)
    kind = record["type"]
    if kind not in game.KINDS:
        raise _fail(number, "type", '应该是 "DX" 或 "SD"', kind)
    difficulty = record["level_index"]
    if (
        not isinstance(difficulty, int)
        or isinstance(difficulty, bool)
        or not (0 <= difficulty < len(LEVEL_LABELS))
    ):
        raise _fail(number, "level_index", "应该是 0 到 4 的整数", difficulty)
    achievements = record["achievements"]
    if not _is_number(achievements) or not 0 <= achievements <= MAX_ACHIEVEMENT:
        raise _fail(number, "achievements", "不是 0 到 101 之间的数字", achievements)
    achievement = int(round(achievements * 10000))
    return ScoreRecord(
        title=title,
        kind=kind,
        difficulty=difficulty,
        achievement=achievement,
        dx_score=_dx_score(record, number),
        fc=_mark(record, number, "fc", game.FC_BY_CODE),
        fs=_mark(record, number, "fs", _FS_CODES),
        rank=_rank(record, number) or game.rank_for(achievement),
        level=_optional_text(record, number, "level"),
        song_id=_song_id(record, number),
    )


def _dx_score(record: Mapping[str, Any], number: int) -> Optional[int]:
    value = record.get("dxScore")
    if value is None:
        return None
    if not _is_number(value) or value < 0 or value != int(value):
        raise _fail(number, "dxScore", "不是非负整数", value)
    return int(value)


def _mark(record: Mapping[str, Any], number: int, field: str, codes: Mapping[str, int]) -> int:
    value = record.get(field)
    if value is None:
        return 0
    if not isinstance(value, str) or value.lower() not in codes:
        allowed = "、".join('"%s"' % code for code in sorted(codes))
        raise _fail(number, field, "应该是 %s 之一" % allowed, value)
    return codes[value.lower()]


def _rank(record: Mapping[str, Any], number: int) -> Optional[str]:
    value = record.get("rate")
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value.lower() not in game.RANK_LABELS:
        raise _fail(number, "rate", '不是评级（如 "sssp"、"aa"）', value)
    return value.lower()


def _optional_text(record: Mapping[str, Any], number: int, field: str) -> Optional[str]:
    value = record.get(field)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _fail(number, field, "不是文字", value)
    return value


def _song_id(record: Mapping[str, Any], number: int) -> Optional[int]:
    value = record.get("song_id")
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.isdigit() and len(value) < 10:
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise _fail(number, "song_id", "不是歌曲编号", value)


ChartKey = Tuple[str, str, int, Optional[int]]


def export_divingfish(
    records: Iterable[Union[ScoreRecord, PlayRecord]],
    chart_facts: Optional[ChartFacts] = None,
    nickname: Optional[str] = None,
    rating: Optional[int] = None,
) -> Dict[str, Any]:
    """Write a player's best score per chart as Diving-Fish records; UTAGE charts are left out.

    Plays and scores may be mixed: per chart the best achievement, DX score, combo mark and
    sync mark are kept, each on its own, as the official score lists do.
    """
    best: Dict[ChartKey, ScoreRecord] = {}
    for record in records:
        if record.difficulty == game.UTAGE:
            continue  # Diving-Fish keeps UTAGE charts as songs of their own
        song_id = getattr(record, "song_id", None)
        key = (record.title, record.kind, record.difficulty, song_id)
        known = best.get(key)
        if known is None:
            best[key] = ScoreRecord(
                title=record.title,
                kind=record.kind,
                difficulty=record.difficulty,
                achievement=record.achievement,
                dx_score=record.dx_score,
                fc=record.fc,
                fs=record.fs,
                level=record.level,
                song_id=song_id,
            )
            continue
        known.achievement = max(known.achievement, record.achievement)
        if record.dx_score is not None:
            known.dx_score = max(known.dx_score or 0, record.dx_score)
        known.fc = max(known.fc, record.fc)
        known.fs = max(known.fs, record.fs)
        known.level = known.level or record.level
    rows = [_row(score, chart_facts) for score in best.values()]
    rows.sort(key=lambda row: (-row["ra"], -row["achievements"], row["title"], row["type"]))
    document: Dict[str, Any] = {"records": rows}
    if nickname is not None:
        document["nickname"] = nickname
    if rating is not None:
        document["rating"] = rating
    return document


def _row(score: ScoreRecord, chart_facts: Optional[ChartFacts]) -> Dict[str, Any]:
    facts = (chart_facts(score.title, score.kind, score.difficulty) if chart_facts else None) or {}
    ds = facts.get("ds")
    constant = float(ds) if _is_number(ds) else None
    song_id = score.song_id if score.song_id is not None else facts.get("song_id")
    return {
        "achievements": score.achievement / 10000,
        "ds": constant if constant is not None else 0,
        "dxScore": score.dx_score or 0,
        "fc": game.FC_CODES[score.fc],
        "fs": game.FS_CODES[score.fs],
        "level": score.level or facts.get("level") or "",
        "level_index": score.difficulty,
        "level_label": LEVEL_LABELS[score.difficulty],
        "ra": chart_rating(int(round(constant * 10)), score.achievement) if constant else 0,
        "rate": game.rank_for(score.achievement),
        "song_id": song_id,
        "title": score.title,
        "type": score.kind,
    }
