"""Store what imported pages say, in one transaction, adding only what the archive lacks.

How a multi-file import goes: every file is read and parsed first. A file we cannot read
(not a page we know, an official error page, broken JSON) is rejected with its reason and
skipped; the accepted files are then stored together in ONE transaction. Duplicates are
left out by the tables' unique keys (insert-or-ignore), never by looking first, so imports
of overlapping pages may run at the same time. Any failure while storing rolls the whole
transaction back: nothing of that import is written.
"""

import codecs
import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from sqlalchemy import BigInteger, Integer, SmallInteger, String, Text, delete, select, update
from sqlalchemy.orm import Session

from .. import game
from ..catalog.linking import (
    Candidate,
    ChartKey,
    aliases,
    chart_candidates,
    link_chosen,
    link_plays,
)
from ..db import insert_ignore
from ..models import ChartAlias, Play, ProfileSnapshot, Score, bump_revision
from ..models import PlayDetail as PlayDetailRow
from ..parsing.results import (
    ArchivedAlias,
    ArchivedSnapshot,
    PageError,
    ParsedPage,
    PlayDetail,
    PlayRecord,
)
from ..plain_text import encodable
from ..rating.rating_days import store_days

#: What an import stores, in the order it stores them.
KINDS = ("plays", "details", "scores", "snapshots", "aliases")


def _zero() -> Dict[str, int]:
    return dict.fromkeys(KINDS, 0)


@dataclass
class FileResult:
    """What became of one imported file."""

    name: str
    page: str = "unknown"  # the kind of page recognised: "record", "divingfish_json", ...
    error: Optional[str] = None  # why the file was rejected, in Chinese
    new: Dict[str, int] = field(default_factory=_zero)
    known: Dict[str, int] = field(default_factory=_zero)
    warnings: List[str] = field(default_factory=list)  # what was left out, in Chinese

    @property
    def accepted(self) -> bool:
        """Tell whether the file was stored."""
        return self.error is None

    def as_dict(self) -> Dict[str, Any]:
        """Return the result as the API shows it."""
        return {
            "name": self.name,
            "page": self.page,
            "accepted": self.accepted,
            "error": self.error,
            "new": dict(self.new),
            "known": dict(self.known),
            "warnings": list(self.warnings),
        }


@dataclass
class ImportResult:
    """What one import stored, file by file."""

    files: List[FileResult] = field(default_factory=list)

    @property
    def new(self) -> Dict[str, int]:
        """Return how many rows of each kind were new."""
        return {kind: sum(f.new[kind] for f in self.files) for kind in KINDS}

    @property
    def known(self) -> Dict[str, int]:
        """Return how many rows of each kind the archive had already."""
        return {kind: sum(f.known[kind] for f in self.files) for kind in KINDS}

    @property
    def rejected(self) -> List[FileResult]:
        """Return the files that were not stored."""
        return [f for f in self.files if not f.accepted]

    @property
    def stored_anything(self) -> bool:
        """Tell whether any row was new."""
        return any(self.new.values())

    def as_dict(self) -> Dict[str, Any]:
        """Return the result as the API shows it."""
        return {
            "new": self.new,
            "known": self.known,
            "rejected": len(self.rejected),
            "files": [f.as_dict() for f in self.files],
        }


@dataclass
class Upload:
    """One file of an import after reading: its parsed page, or why it cannot be imported."""

    name: str
    page: Optional[ParsedPage] = None
    error: Optional[str] = None
    recognised: str = "unknown"


def read_upload(name: str, data: Union[bytes, str]) -> Upload:
    """Decode and parse one file: an official page (HTML) or a Diving-Fish JSON export."""
    # The parsers load BeautifulSoup: imported here so serving pages does not pay for it.
    from ..parsing.detect import parse_page

    name = encodable(name)
    try:
        page = parse_page(data if isinstance(data, str) else decode(data))
        check_storable(page)
    except PageError as error:
        return Upload(name, error=encodable(error.message), recognised=error.recognised)
    return Upload(name, page=page, recognised=page.page)


#: The largest value each kind of integer column holds (PostgreSQL's; SQLite's are wider).
INTEGER_LIMITS = ((BigInteger, 2**63 - 1), (SmallInteger, 2**15 - 1), (Integer, 2**31 - 1))
RECORD_LABELS = {
    "play": "游玩记录",
    "score": "成绩",
    "profile_snapshot": "玩家信息",
    "chart_alias": "谱面选择",
}


def check_storable(page: ParsedPage) -> None:
    """Refuse a page whose values the database cannot keep as given, before storing anything.

    PostgreSQL refuses text with NUL characters, strings longer than their column and
    integers wider than it, and neither database takes a lone surrogate; any of them would
    fail the whole import with a server error.
    """
    profiles = [asdict(page.profile)] if page.profile is not None else []
    profiles += [snapshot_row(snapshot) for snapshot in page.snapshots]
    groups = (
        ([vars(play) for play in page.plays], Play.__table__),
        ([vars(score) for score in page.scores], Score.__table__),
        (profiles, ProfileSnapshot.__table__),
        ([vars(alias) for alias in page.aliases], ChartAlias.__table__),
    )
    for records, table in groups:
        for number, record in enumerate(records, start=1):
            for column in table.columns:
                value = record.get(column.key)
                problem = _unstorable(column.type, value) or _unshowable_time(column.key, value)
                if problem:
                    raise _refusal(page, table.name, number, len(records), column.key, problem)
    # The details' JSON columns hold names: judgement kinds and the other players' names.
    numbers = {play.played_at: number for number, play in enumerate(page.plays, start=1)}
    for played_at, detail in page.details.items():
        names = list(detail.judgements or ()) + list(detail.matching_players or ())
        for name in names:
            problem = _unstorable(Text(), name)
            if problem:
                number = numbers.get(played_at, 1)
                raise _refusal(page, "play", number, len(page.plays), "detail", problem)


def _refusal(
    page: ParsedPage, table: str, number: int, count: int, field: str, problem: str
) -> PageError:
    which = RECORD_LABELS[table]
    if count > 1:
        which = "第 %d 条%s" % (number, which)
    return PageError(
        "%s的 %s %s，无法保存。整个文件都没有导入。" % (which, field, problem),
        recognised=page.page,
    )


#: The latest Unix time a page can show in any time zone: the last day of the year 9999.
LATEST_TIME = 253402214400


def _unshowable_time(name: str, value: Any) -> Optional[str]:
    """Say why a time column's value cannot be shown as a date (every *_at is Unix time)."""
    if not name.endswith("_at") or not isinstance(value, int) or isinstance(value, bool):
        return None
    if 0 <= value <= LATEST_TIME:
        return None
    return "不是 1970 到 9999 年之间的时间（%d）" % value


def _unstorable(kind: Any, value: Any) -> Optional[str]:
    """Say why a column of this type cannot hold a value, or None when it can."""
    if isinstance(value, str):
        if "\x00" in value:
            return "含有空字符（U+0000）"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:  # a lone surrogate, from JSON's "\ud800"
            return "含有无法保存的字符（U+%04X）" % ord(value[error.start])
        limit = kind.length if isinstance(kind, String) else None
        if limit and len(value) > limit:
            return "太长（%d 个字符，最多 %d 个）" % (len(value), limit)
    elif isinstance(value, int) and not isinstance(value, bool):
        for integer, largest in INTEGER_LIMITS:
            if isinstance(kind, integer):
                if not -largest - 1 <= value <= largest:
                    return "超出范围（%d）" % value
                break
    return None


def decode(data: bytes) -> str:
    """Decode a saved page: UTF-8 with or without BOM, UTF-16 with BOM, else GB18030."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise PageError("文件以 UTF-16 标记开头，但内容无法解码。") from None
    if b"\x00" in data:
        raise PageError("这不是文本文件（可能是图片或压缩包）：请上传网页（.html）或 JSON 文件。")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # older saves from Chinese Windows
    except UnicodeDecodeError:
        raise PageError("无法识别文件的文字编码：请用 UTF-8 保存网页后再上传。") from None


def import_uploads(
    session: Session, player: Any, uploads: Sequence[Upload], now: int
) -> ImportResult:
    """Store the accepted uploads in one transaction; list the rejected ones with reasons."""
    accepted = [upload for upload in uploads if upload.page is not None]
    stored: List[FileResult] = []
    if accepted:
        pages = [upload.page for upload in accepted]
        names = [upload.name for upload in accepted]
        stored = import_pages(session, player, pages, now, names=names).files
    results = iter(stored)
    files = [
        next(results)
        if upload.page is not None
        else FileResult(upload.name, upload.recognised, error=upload.error)
        for upload in uploads
    ]
    return ImportResult(files)


def import_pages(
    session: Session,
    player: Any,
    pages: List[ParsedPage],
    now: int,
    names: Optional[List[str]] = None,
) -> ImportResult:
    """Store parsed pages for a player in one transaction; on any failure store nothing."""
    names = names or ["%d" % (number + 1) for number in range(len(pages))]
    # Pages that only know a play's minute are matched to stored plays: store the rest first.
    order = sorted(range(len(pages)), key=lambda number: has_inexact_plays(pages[number]))
    files: List[Optional[FileResult]] = [None] * len(pages)
    try:
        for number in order:
            files[number] = store_page(session, player.id, pages[number], now, names[number])
        link_plays(session, player.id)  # and brings the player's bests per chart in step
        bump_revision(session, player.id)
        store_days(session, player.id)  # the rating day by day, at the revision just made
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return ImportResult([result for result in files if result is not None])


def has_inexact_plays(page: ParsedPage) -> bool:
    """Tell whether a page shows a play without its exact time."""
    return any(not play.played_at_exact for play in page.plays)


def store_page(
    session: Session, player_id: int, page: ParsedPage, now: int, name: str
) -> FileResult:
    """Insert what one page shows, counting the new and the already known rows of each kind."""
    result = FileResult(name, page.page)
    exact = [play for play in page.plays if play.played_at_exact]
    offered, added = store_plays(session, player_id, exact, page.service, now)
    repaired = 0
    if page.page in REPAIRING_PAGES:
        repaired = repair_plays(session, player_id, exact, page.service)
    play_ids = find_play_ids(session, player_id, page.plays)
    if page.page in REPAIRING_PAGES:
        repaired += repair_details(session, page.details, play_ids)
    if page.page in OFFICIAL_SCORE_PAGES:
        repaired += drop_garbled_scores(session, player_id, page)
    if repaired:
        result.warnings.append(
            "本站存的 %d 条记录与这份页面显示的不同（之前导入的页面可能有损坏），"
            "已按这份页面改正。" % repaired
        )
    unmatched = sum(1 for play in page.plays if play.played_at not in play_ids)
    if unmatched:
        result.warnings.append(
            "%d 次游玩只显示到分钟，本站还没有对应的游玩记录，已跳过："
            "请先导入包含这次游玩的「最近游玩记录」页面。" % unmatched
        )
    matched = len(page.plays) - len(exact) - unmatched
    counts = {
        "plays": (offered + matched, added),
        "details": store_details(session, page.details, play_ids),
        "scores": store_scores(session, player_id, page, now),
        "snapshots": store_snapshot(session, player_id, page, now),
        "aliases": store_aliases(session, player_id, page.aliases, result.warnings),
    }
    for kind, (offered, added) in counts.items():
        result.new[kind], result.known[kind] = added, offered - added
    return result


#: How many played_at values one lookup binds.
LOOKUP_CHUNK = 500


def find_play_ids(session: Session, player_id: int, plays: List[PlayRecord]) -> Dict[int, int]:
    """Return the stored play id of each of a page's plays, by the played_at the page gives."""
    exact = sorted(play.played_at for play in plays if play.played_at_exact)
    found: Dict[int, int] = {}
    # In chunks: an archive brings thousands of plays, more than one statement should bind.
    for start in range(0, len(exact), LOOKUP_CHUNK):
        found.update(
            session.execute(
                select(Play.played_at, Play.id).where(
                    Play.player_id == player_id,
                    Play.played_at.in_(exact[start : start + LOOKUP_CHUNK]),
                )
            ).all()
        )
    for play in plays:
        if not play.played_at_exact:
            play_id = match_inexact(session, player_id, play)
            if play_id is not None:
                found[play.played_at] = play_id
    return found


def match_inexact(session: Session, player_id: int, play: PlayRecord) -> Optional[int]:
    """Return the stored play a minute-only play is, when exactly one fits its minute and score."""
    candidates = session.execute(
        select(Play.id)
        .where(
            Play.player_id == player_id,
            Play.played_at >= play.played_at,
            Play.played_at < play.played_at + 60,
            Play.title == play.title,
            Play.kind == play.kind,
            Play.difficulty == play.difficulty,
            Play.achievement == play.achievement,
            Play.dx_score == play.dx_score,
        )
        .limit(2)
    ).all()
    return candidates[0][0] if len(candidates) == 1 else None


def store_plays(
    session: Session, player_id: int, plays: List[PlayRecord], service: str, now: int
) -> Tuple[int, int]:
    """Insert plays, identified by (player, played_at); return how many were offered and new."""
    by_time = {play.played_at: play for play in plays}
    rows = [
        {
            "player_id": player_id,
            "played_at": play.played_at,
            "utc_offset": play.utc_offset,
            "ring_slot": play.ring_slot,
            "track": play.track,
            "title": play.title,
            "kind": play.kind,
            "difficulty": play.difficulty,
            "level": play.level,
            "achievement": play.achievement,
            "rank": play.rank,
            "dx_score": play.dx_score,
            "dx_score_max": play.dx_score_max,
            "dx_stars": play.dx_stars,
            "fc": play.fc,
            "fs": play.fs,
            "achievement_new_record": play.achievement_new_record,
            "dx_score_new_record": play.dx_score_new_record,
            "place": play.place,
            "jacket": play.jacket,
            "service": play.service or service,
            "imported_at": now if play.imported_at is None else play.imported_at,
        }
        # Sorted, so concurrent imports take the unique key's locks in the same order.
        for _, play in sorted(by_time.items())
    ]
    return len(rows), insert_ignore(session, Play.__table__, rows, ["player_id", "played_at"])


#: The official pages that show a play as the game recorded it: importing one again
#: corrects what an earlier, damaged copy may have stored for the same play.
REPAIRING_PAGES = ("record", "playlog_detail")
#: What such a page says about a play, column by column.
PLAY_FACTS = (
    "utc_offset",
    "ring_slot",
    "track",
    "title",
    "kind",
    "difficulty",
    "level",
    "achievement",
    "rank",
    "dx_score",
    "dx_score_max",
    "dx_stars",
    "fc",
    "fs",
    "achievement_new_record",
    "dx_score_new_record",
    "place",
    "jacket",
)
#: Changing any of these makes the play another chart: its link is made again.
CHART_FACTS = ("title", "kind", "difficulty")
DETAIL_FACTS = tuple(name for name in PlayDetail.__dataclass_fields__)


def repair_plays(session: Session, player_id: int, plays: List[PlayRecord], service: str) -> int:
    """Correct stored plays that differ from what an official page shows; return how many.

    A fact the page does not show (None) never erases a stored one.
    """
    by_time = {play.played_at: play for play in plays}
    times = sorted(by_time)
    columns = [getattr(Play, name) for name in PLAY_FACTS]
    repaired = 0
    for start in range(0, len(times), LOOKUP_CHUNK):
        stored = session.execute(
            select(Play.id, Play.played_at, Play.service, *columns).where(
                Play.player_id == player_id,
                Play.played_at.in_(times[start : start + LOOKUP_CHUNK]),
            )
        ).all()
        for row in stored:
            play = by_time[row.played_at]
            changes = {
                name: getattr(play, name)
                for name in PLAY_FACTS
                if getattr(play, name) is not None and getattr(play, name) != getattr(row, name)
            }
            if row.service != (play.service or service):
                changes["service"] = play.service or service
            if not changes:
                continue
            if any(name in changes for name in CHART_FACTS):
                changes["chart_id"] = None  # linked again to the chart it now names
            session.execute(update(Play).where(Play.id == row.id).values(**changes))
            repaired += 1
    return repaired


def repair_details(
    session: Session, details: Dict[int, PlayDetail], play_ids: Dict[int, int]
) -> int:
    """Correct stored details that differ from what a playlogDetail page shows."""
    wanted = {play_ids[at]: detail for at, detail in details.items() if at in play_ids}
    if not wanted:
        return 0
    columns = [getattr(PlayDetailRow, name) for name in DETAIL_FACTS]
    stored = session.execute(
        select(PlayDetailRow.play_id, *columns).where(PlayDetailRow.play_id.in_(sorted(wanted)))
    ).all()
    repaired = 0
    for row in stored:
        detail = wanted[row.play_id]
        changes = {
            name: getattr(detail, name)
            for name in DETAIL_FACTS
            if getattr(detail, name) not in (None, {}, [])
            and getattr(detail, name) != getattr(row, name)
        }
        if changes:
            session.execute(
                update(PlayDetailRow).where(PlayDetailRow.play_id == row.play_id).values(**changes)
            )
            repaired += 1
    return repaired


def store_details(
    session: Session, details: Dict[int, PlayDetail], play_ids: Dict[int, int]
) -> Tuple[int, int]:
    """Insert the details of stored plays, one per play."""
    rows = []
    for played_at, detail in sorted(details.items()):
        if played_at in play_ids:  # a detail whose play was skipped has nothing to attach to
            rows.append(dict(asdict(detail), play_id=play_ids[played_at]))
    return len(rows), insert_ignore(session, PlayDetailRow.__table__, rows, ["play_id"])


#: How UTF-8 text is garbled by being read with another encoding and saved again.
GARBLING_DECODINGS = ("gbk", "cp1252")


def garbled_titles(title: str) -> List[str]:
    """Return how a title looks in a copy whose UTF-8 was read with a wrong encoding."""
    encoded = title.encode("utf-8")
    variants = {encoded.decode(encoding, "replace") for encoding in GARBLING_DECODINGS}
    return sorted(variants - {title})


def drop_garbled_scores(session: Session, player_id: int, page: ParsedPage) -> int:
    """Delete readings a garbled copy of this page stored: the same reading, title garbled.

    A reading's title is part of its identity, so a good page cannot correct one in place;
    the garbled reading is dropped and the page's own reading stands.
    """
    readings = {}
    for score in page.scores:
        facts = (score.kind, score.difficulty, score.achievement, score.dx_score or 0)
        for variant in garbled_titles(score.title):  # none for ASCII titles
            readings[(variant,) + facts + (score.fc, score.fs)] = True
    titles = sorted({key[0] for key in readings})
    identity = [Score.title, Score.kind, Score.difficulty, Score.achievement, Score.dx_score]
    garbled = []
    for start in range(0, len(titles), LOOKUP_CHUNK):
        rows = session.execute(
            select(Score.id, *identity, Score.fc, Score.fs).where(
                Score.player_id == player_id,
                Score.title.in_(titles[start : start + LOOKUP_CHUNK]),
            )
        ).all()
        garbled += [row[0] for row in rows if tuple(row[1:]) in readings]
    for start in range(0, len(garbled), LOOKUP_CHUNK):
        session.execute(delete(Score).where(Score.id.in_(garbled[start : start + LOOKUP_CHUNK])))
    return len(garbled)


def store_scores(session: Session, player_id: int, page: ParsedPage, now: int) -> Tuple[int, int]:
    """Insert the page's score readings, one per distinct reading of a chart."""
    # A song page's readings are the same best scores a score list shows.
    default_source = "score_list" if page.page in OFFICIAL_SCORE_PAGES else "divingfish"
    rows = {}
    for score in page.scores:
        row = {
            "player_id": player_id,
            "title": score.title,
            "kind": score.kind,
            "difficulty": score.difficulty,
            "level": score.level,
            "achievement": score.achievement,
            "rank": score.rank or game.rank_for(score.achievement),
            "dx_score": score.dx_score or 0,
            "dx_score_max": score.dx_score_max,
            "fc": score.fc,
            "fs": score.fs,
            "source": score.source or default_source,
            "observed_at": now if score.observed_at is None else score.observed_at,
        }
        key = tuple(row[column] for column in SCORE_IDENTITY)
        rows.setdefault(key, row)
    ordered = [rows[key] for key in sorted(rows)]
    return len(ordered), insert_ignore(session, Score.__table__, ordered, SCORE_IDENTITY)


#: The official pages whose best scores are stored as score-list readings.
OFFICIAL_SCORE_PAGES = ("score_list", "music_detail")
#: The columns of uq_score_identity: one row per distinct reading of a chart.
SCORE_IDENTITY = ("player_id", "title", "kind", "difficulty", "achievement", "dx_score", "fc", "fs")


def store_snapshot(session: Session, player_id: int, page: ParsedPage, now: int) -> Tuple[int, int]:
    """Insert the page's profile, or an archive's snapshots, unless the archive holds them."""
    rows = [dict(snapshot_row(snapshot), player_id=player_id) for snapshot in page.snapshots]
    if page.profile is not None:
        fields = asdict(page.profile)
        row = dict(fields, player_id=player_id, observed_at=now, page=page.page)
        row["fingerprint"] = fingerprint(fields)
        rows.append(row)
    if not rows:
        return 0, 0
    rows.sort(key=lambda row: row["fingerprint"])  # the unique key's lock order
    added = insert_ignore(session, ProfileSnapshot.__table__, rows, ["player_id", "fingerprint"])
    return len(rows), added


#: The columns of the chart_alias unique key: one choice per player and shown chart.
ALIAS_IDENTITY = ("player_id", "title", "kind", "difficulty")


def store_aliases(
    session: Session, player_id: int, archived: List[ArchivedAlias], warnings: List[str]
) -> Tuple[int, int]:
    """Insert an archive's chart choices this catalog has, link their rows, warn of the rest.

    A choice applies here only when the chart it names (catalog song id and difficulty) is
    one of this catalog's candidates for the title. The others are skipped with a warning
    rather than refusing the file: the plays and scores stand without them, and the player
    can choose again on the unmatched page, or import the archive again once the catalog
    has the chart. A choice the player already made here stays as it is.
    """
    if not archived:
        return 0, 0
    rows = alias_rows(session, player_id, archived, warnings)
    rows.sort(key=lambda row: tuple(row[column] for column in ALIAS_IDENTITY))  # lock order
    added = insert_ignore(session, ChartAlias.__table__, rows, ALIAS_IDENTITY)
    link_chosen(session, player_id, held_choices(session, player_id, rows, warnings))
    return len(rows), added


def alias_rows(
    session: Session, player_id: int, archived: List[ArchivedAlias], warnings: List[str]
) -> List[Dict[str, Any]]:
    """Return the chart_alias rows of the choices whose chart this catalog has; warn of the rest."""
    candidates = chart_candidates(session, {alias.title for alias in archived})
    rows = []
    for alias in archived:
        key = (alias.title, alias.kind, alias.difficulty)
        chart_id = catalog_chart(candidates.get(key, []), alias)
        if chart_id is None:
            warnings.append(
                "谱面选择%s选的是%s，本站的曲目列表里没有这张谱面，已跳过：更新曲目列表后"
                "再导入这份存档即可补上，也可以在「未对应到谱面的曲目」页面重新选择。"
                % (shown_chart(key), chosen_text(alias))
            )
            continue
        row = dict(zip(ALIAS_IDENTITY, (player_id,) + key))
        rows.append(dict(row, chart_id=chart_id, created_at=alias.created_at))
    return rows


def held_choices(
    session: Session, player_id: int, rows: List[Dict[str, Any]], warnings: List[str]
) -> Dict[ChartKey, int]:
    """Return the chart the player now holds for each row's title; warn where it is another."""
    held = aliases(session, {player_id})
    choices = {}
    for row in rows:
        key = (row["title"], row["kind"], row["difficulty"])
        choices[key] = held[(player_id,) + key]
        if choices[key] != row["chart_id"]:
            warnings.append("谱面选择%s在本站已经选过另一首，保留了本站的选择。" % shown_chart(key))
    return choices


def catalog_chart(candidates: List[Candidate], alias: ArchivedAlias) -> Optional[int]:
    """Return the id of the candidate an archived choice names, or None when none is it."""
    if alias.chart.catalog_id is None:  # a song without an id cannot be named elsewhere
        return None
    wanted = (alias.chart.catalog_id, alias.chart.difficulty)
    for candidate in candidates:
        if (candidate.catalog_id, candidate.difficulty) == wanted:
            return candidate.chart_id
    return None


def shown_chart(key: ChartKey) -> str:
    """Name a shown title, kind and difficulty in Chinese: '「Link」（标准 MASTER）'."""
    title, kind, difficulty = key
    return "「%s」（%s %s）" % (title, game.KIND_LABELS[kind], game.DIFFICULTY_NAMES[difficulty])


def chosen_text(alias: ArchivedAlias) -> str:
    """Name the chart an archived choice chose: ' id 383「Link(CoF)」'."""
    chart = alias.chart
    return "%s「%s」" % (" id %s" % chart.catalog_id if chart.catalog_id else "", chart.title)


def snapshot_row(snapshot: ArchivedSnapshot) -> Dict[str, Any]:
    """Return an archived snapshot's row as it was first stored, but for the player."""
    return dict(
        asdict(snapshot.profile),
        observed_at=snapshot.observed_at,
        page=snapshot.page,
        fingerprint=snapshot.fingerprint,
    )


def fingerprint(fields: Dict[str, Any]) -> str:
    """Return the sha256 of a profile's fields, normalised: sorted keys, trimmed ASCII spaces."""
    normalised = {
        key: value.strip(" \t\r\n") if isinstance(value, str) else value
        for key, value in fields.items()
    }
    encoded = json.dumps(normalised, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()
