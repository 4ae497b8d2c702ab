"""The song catalog: read Diving-Fish music_data and keep songs and charts in step with it."""

import json
import math
import time
import urllib.error
import urllib.parse
import urllib.request
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Dict, List, NamedTuple, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .. import game
from ..models import CatalogSync, Chart, Song, bump_revision
from ..rating.bests import rate_bests
from . import search

#: The public Diving-Fish catalog (China server songs and constants).
DEFAULT_URL = "https://www.diving-fish.com/api/maimaidxprober/music_data"
#: Diving-Fish numbers UTAGE songs from here on.
UTAGE_FIRST_ID = 100000
#: UTAGE songs sit in this genre ("宴会場").
UTAGE_GENRE_MARK = "宴"
#: The largest catalog we accept, in bytes.
MAX_DOWNLOAD = 32 * 1024 * 1024
#: Column sizes the database enforces.
CATALOG_ID_LENGTH, LEVEL_LENGTH, RELEASE_DATE_LENGTH = 16, 8, 16


class CatalogError(ValueError):
    """Catalog data we cannot use, with the reason in Chinese."""


class CatalogChart(NamedTuple):
    """One chart of a catalog song."""

    difficulty: int
    level: Optional[str]
    constant_tenths: Optional[int]
    notes: Optional[int]
    charter: Optional[str]


class CatalogSong(NamedTuple):
    """One song of the catalog with its charts."""

    catalog_id: str
    title: str
    kind: str
    artist: Optional[str]
    genre: Optional[str]
    bpm: Optional[int]
    version: Optional[str]
    is_new: bool
    release_date: Optional[str]
    charts: List[CatalogChart]


class SyncResult(NamedTuple):
    """What a sync found and changed."""

    songs: int
    charts: int
    added: int  # songs new to the database
    updated: int  # songs whose details or charts changed


def constant_tenths(value: Any) -> int:
    """Return a chart constant in tenths, rounding half up from its decimal text: 13.7 -> 137."""
    tenths = Decimal(str(value)) * 10
    return int(tenths.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _is_number(value: Any) -> bool:
    """Tell whether a JSON value is a finite number (true and false are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return math.isfinite(value)


def _text(value: Any, limit: Optional[int] = None) -> Optional[str]:
    """Return a JSON value as text, None for null or empty; never strip a title's spaces."""
    if value is None or value == "":
        return None
    text = value if isinstance(value, str) else str(value)
    return text[:limit] if limit else text


def _describe(position: int, raw: Any) -> str:
    """Name a song for an error message: its place in the list, id and title where known."""
    parts = []
    if isinstance(raw, dict):
        if raw.get("id") not in (None, ""):
            parts.append("id %s" % raw["id"])
        if isinstance(raw.get("title"), str) and raw["title"]:
            parts.append("「%s」" % raw["title"])
    return "第 %d 首%s" % (position, "（%s）" % " ".join(parts) if parts else "")


def read_catalog(data: Any) -> List[CatalogSong]:
    """Check and read a music_data list; the first problem raises CatalogError naming the song."""
    if not isinstance(data, list):
        raise CatalogError(
            "曲目数据应当是一个列表（Diving-Fish music_data 格式），读到的是 %s。"
            % type(data).__name__
        )
    songs = []
    seen: Dict[str, int] = {}
    for position, raw in enumerate(data, start=1):
        song = read_song(position, raw)
        if song.catalog_id in seen:
            raise CatalogError(
                "%s：id %s 与第 %d 首重复。"
                % (_describe(position, raw), song.catalog_id, seen[song.catalog_id])
            )
        seen[song.catalog_id] = position
        songs.append(song)
    return songs


def read_song(position: int, raw: Any) -> CatalogSong:
    """Check and read one song of a music_data list."""
    where = _describe(position, raw)

    def fail(reason: str) -> CatalogError:
        return CatalogError("%s：%s" % (where, reason))

    if not isinstance(raw, dict):
        raise fail("不是一个对象。")
    catalog_id = raw.get("id")
    if isinstance(catalog_id, int) and not isinstance(catalog_id, bool):
        catalog_id = str(catalog_id)
    if not isinstance(catalog_id, str) or not catalog_id.isdigit():
        raise fail("没有有效的 id（应为数字）。")
    if len(catalog_id) > CATALOG_ID_LENGTH:
        raise fail("id 太长。")
    title = raw.get("title")
    if not isinstance(title, str) or not title:
        raise fail("没有曲名（title）。")
    kind = raw.get("type")
    if kind not in game.KINDS:
        raise fail("谱面类型（type）应为 SD 或 DX，读到的是 %r。" % (kind,))
    info = raw.get("basic_info") or {}
    if not isinstance(info, dict):
        raise fail("basic_info 不是一个对象。")
    genre = _text(info.get("genre"))
    utage = int(catalog_id) >= UTAGE_FIRST_ID or UTAGE_GENRE_MARK in (genre or "")
    charts = read_charts(raw, utage, fail)
    bpm = info.get("bpm")
    if bpm is not None and not _is_number(bpm):
        raise fail("BPM 不是数字：%r。" % (bpm,))
    is_new = info.get("is_new", False)
    if not isinstance(is_new, bool):
        raise fail("is_new 应为 true 或 false，读到的是 %r。" % (is_new,))
    return CatalogSong(
        catalog_id=catalog_id,
        title=title,
        kind=kind,
        artist=_text(info.get("artist")),
        genre=genre,
        bpm=None if bpm is None else int(round(bpm)),
        version=_text(info.get("from")),
        is_new=is_new,
        release_date=_text(info.get("release_date"), RELEASE_DATE_LENGTH),
        charts=charts,
    )


def read_charts(raw: Dict[str, Any], utage: bool, fail: Any) -> List[CatalogChart]:
    """Read a song's charts from its ds, level and charts lists."""
    constants = raw.get("ds")
    if not isinstance(constants, list) or not constants:
        raise fail("定数（ds）应为一个非空的数字列表。")
    for value in constants:
        if not _is_number(value) or value < 0:
            raise fail("定数（ds）里有不是数字的值：%r。" % (value,))
    if not utage and len(constants) > len(game.DIFFICULTIES) - 1:
        raise fail("定数（ds）有 %d 个，最多 5 个（BASIC 到 Re:MASTER）。" % len(constants))
    levels = raw.get("level") or [None] * len(constants)
    if not isinstance(levels, list) or len(levels) != len(constants):
        raise fail("等级（level）的个数与定数（ds）不一致。")
    for label in levels:
        if label is not None and (not isinstance(label, str) or len(label) > LEVEL_LENGTH):
            raise fail("等级（level）里有无效的值：%r。" % (label,))
    details = raw.get("charts") or []
    if not isinstance(details, list):
        raise fail("charts 不是一个列表。")
    charts = []
    for index, constant in enumerate(constants):
        detail = details[index] if index < len(details) else {}
        if not isinstance(detail, dict):
            raise fail("charts 第 %d 项不是一个对象。" % (index + 1))
        notes = detail.get("notes")
        if notes is not None and (
            not isinstance(notes, list) or not all(_is_number(count) for count in notes)
        ):
            raise fail("charts 第 %d 项的物量（notes）不是数字列表。" % (index + 1))
        charts.append(
            CatalogChart(
                difficulty=game.UTAGE if utage else index,
                level=levels[index],
                constant_tenths=constant_tenths(constant),
                notes=None if notes is None else int(sum(notes)),
                charter=_text(detail.get("charter")),
            )
        )
        if utage:
            break  # one UTAGE chart per song; a two-player song's second side is not kept
    return charts


def sync_catalog(session: Session, songs: List[CatalogSong]) -> SyncResult:
    """Add new songs and charts and update changed ones, in the caller's transaction."""
    existing = {
        song.catalog_id: song
        for song in session.scalars(select(Song).options(selectinload(Song.charts)))
    }
    added = updated = 0
    rerated = []  # type: List[int]  # charts whose constant or version changes: their bests'
    for entry in songs:
        song = existing.get(entry.catalog_id)
        if song is None:
            song = Song(catalog_id=entry.catalog_id, **song_fields(entry))
            song.charts = [Chart(**chart._asdict()) for chart in entry.charts]
            session.add(song)
            added += 1
            continue
        moved = song.is_new != entry.is_new
        changed = assign(song, song_fields(entry))
        held = {chart.difficulty: chart for chart in song.charts}
        for chart in entry.charts:
            if chart.difficulty in held:
                row = held[chart.difficulty]
                if moved or row.constant_tenths != chart.constant_tenths:
                    rerated.append(row.id)
                changed = assign(row, chart._asdict()) or changed
            else:
                song.charts.append(Chart(**chart._asdict()))
                changed = True
        updated += int(changed)
    bump_revision(session)  # constants and titles show on every player's pages
    record = CatalogSync(synced_at=int(time.time()), songs=len(songs), added=added, updated=updated)
    session.add(record)
    session.flush()
    rate_bests(session, rerated)
    # Segmented once here, so that no process has to load jieba's dictionary to search.
    record.search_terms = search.stored_terms(search.SearchIndex(search.catalog_songs(session)))
    session.flush()
    return SyncResult(len(songs), sum(len(entry.charts) for entry in songs), added, updated)


def song_fields(entry: CatalogSong) -> Dict[str, Any]:
    """Return the song columns a catalog entry sets."""
    fields = entry._asdict()
    del fields["catalog_id"], fields["charts"]
    return fields


def assign(row: Any, fields: Dict[str, Any]) -> bool:
    """Set the fields that differ on a row; tell whether any did."""
    changed = False
    for name, value in fields.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def load_file(path: str) -> Any:
    """Read a music_data JSON file."""
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as error:
        raise CatalogError("无法读取曲目文件 %s：%s" % (path, error.strerror or error)) from None
    except ValueError as error:
        raise CatalogError("曲目文件 %s 不是有效的 JSON：%s" % (path, error)) from None


def fetch(url: str = DEFAULT_URL, timeout: float = 20) -> Any:
    """Download a music_data list over HTTP(S)."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise CatalogError("曲目数据的地址应以 http:// 或 https:// 开头：%s" % url)
    headers = {"User-Agent": "maimai-probe catalog sync", "Accept": "application/json"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - http(s) only
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only
            body = response.read(MAX_DOWNLOAD + 1)
    except urllib.error.HTTPError as error:
        raise CatalogError("无法下载曲目数据 %s：HTTP %d" % (url, error.code)) from None
    except urllib.error.URLError as error:
        raise CatalogError("无法下载曲目数据 %s：%s" % (url, error.reason)) from None
    except OSError as error:  # a timeout while reading, a reset connection
        raise CatalogError("无法下载曲目数据 %s：%s" % (url, error)) from None
    if len(body) > MAX_DOWNLOAD:
        raise CatalogError("曲目数据 %s 超过 %d MB，不像是曲目列表。" % (url, MAX_DOWNLOAD >> 20))
    try:
        return json.loads(body.decode("utf-8"))
    except ValueError as error:
        raise CatalogError("曲目数据 %s 不是有效的 JSON：%s" % (url, error)) from None
