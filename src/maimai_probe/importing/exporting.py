"""A player's whole archive as one JSON document, so they can leave with all their data."""

import json
import string
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import quote

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..catalog.linking import ChartKey
from ..models import Chart, ChartAlias, Play, PlayDetail, ProfileSnapshot, Score, Song
from ..parsing import archive as archive_format
from ..parsing.results import ScoreRecord

#: The marker an import recognises the archive by (parsing/archive.py reads it back).
ARCHIVE_FORMAT = archive_format.FORMAT
ARCHIVE_VERSION = archive_format.VERSION

SAFE_FILENAME = frozenset(string.ascii_letters + string.digits + "-_.")

#: Our own row numbers mean nothing outside this database.
INTERNAL_COLUMNS = frozenset(("id", "player_id", "play_id", "chart_id"))


def row_dict(row: Any) -> Dict[str, Any]:
    """Return every stored column of a row but our internal ids."""
    return {
        column.name: getattr(row, column.key)
        for column in row.__table__.columns
        if column.name not in INTERNAL_COLUMNS
    }


def exported_columns(table: Any) -> List[Any]:
    """Return a table's columns but our internal ids, in the table's order."""
    return [column for column in table.columns if column.name not in INTERNAL_COLUMNS]


def archive(session: Session, player: Any, now: int) -> Dict[str, Any]:
    """Return every play with its detail, score reading, profile snapshot and chart choice."""
    # Plain rows, not ORM objects: loading 18,000 plays as objects took most of a second.
    play_columns = exported_columns(Play.__table__)
    detail_columns = exported_columns(PlayDetail.__table__)
    detail_table = PlayDetail.__table__
    rows = session.execute(
        select(
            *play_columns,
            detail_table.c.play_id.label("detail_play_id"),
            *[column.label("detail_" + column.name) for column in detail_columns],
        )
        .select_from(
            Play.__table__.outerjoin(detail_table, detail_table.c.play_id == Play.__table__.c.id)
        )
        .where(Play.__table__.c.player_id == player.id)
        .order_by(Play.__table__.c.played_at)
    )
    play_names = [column.name for column in play_columns]
    detail_names = [column.name for column in detail_columns]
    count = len(play_names)
    plays: List[Dict[str, Any]] = []
    for row in rows:
        values = tuple(row)
        entry = dict(zip(play_names, values[:count]))
        has_detail = values[count] is not None
        entry["detail"] = dict(zip(detail_names, values[count + 1 :])) if has_detail else None
        plays.append(entry)
    scores = session.scalars(
        select(Score).where(Score.player_id == player.id).order_by(Score.observed_at, Score.id)
    )
    snapshots = session.scalars(
        select(ProfileSnapshot)
        .where(ProfileSnapshot.player_id == player.id)
        .order_by(ProfileSnapshot.observed_at, ProfileSnapshot.id)
    )
    return {
        "format": ARCHIVE_FORMAT,
        "version": ARCHIVE_VERSION,
        "exported_at": now,
        "player": {"name": player.name, "created_at": player.created_at},
        "plays": plays,
        "scores": [row_dict(score) for score in scores],
        "snapshots": [row_dict(snapshot) for snapshot in snapshots],
        "aliases": chart_aliases(session, player.id),
    }


def chart_aliases(session: Session, player_id: int) -> List[Dict[str, Any]]:
    """Return the player's chart choices, each chart named by its catalog song id and title."""
    rows = session.execute(
        select(ChartAlias, Song.catalog_id, Song.title, Song.kind, Chart.difficulty)
        .join(Chart, ChartAlias.chart_id == Chart.id)
        .join(Song, Chart.song_id == Song.id)
        .where(ChartAlias.player_id == player_id)
        .order_by(ChartAlias.title, ChartAlias.kind, ChartAlias.difficulty)
    )
    return [
        dict(
            row_dict(alias),
            chart={
                "catalog_id": catalog_id,
                "title": title,
                "kind": kind,
                "difficulty": difficulty,
            },
        )
        for alias, catalog_id, title, kind, difficulty in rows
    ]


def attachment(filename: str) -> str:
    """Return a Content-Disposition that downloads under a name, Chinese included."""
    fallback = "".join(c if c in SAFE_FILENAME else "_" for c in filename)
    return "attachment; filename=\"%s\"; filename*=UTF-8''%s" % (fallback, quote(filename))


def dumps(document: Dict[str, Any]) -> str:
    """Return a document as compact UTF-8 JSON, Chinese kept readable."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def filename(player_name: str, wanted: str) -> str:
    """Return the download name of an export: '舞萌玩家-archive.json'."""
    return "%s-%s.json" % (player_name, wanted)


def divingfish(session: Session, player: Any) -> Dict[str, Any]:
    """Return the player's best score per chart, from plays and score readings, for Diving-Fish."""
    from ..parsing.divingfish import export_divingfish

    bests: List[ScoreRecord] = []
    chart_ids: Dict[ChartKey, int] = {}
    for model in (Play, Score):
        for best, chart_id in best_per_chart(session, model, player.id):
            bests.append(best)
            if chart_id is not None:
                chart_ids[(best.title, best.kind, best.difficulty)] = chart_id
    profile = session.scalars(
        select(ProfileSnapshot)
        .where(ProfileSnapshot.player_id == player.id)
        .order_by(ProfileSnapshot.observed_at.desc(), ProfileSnapshot.id.desc())
        .limit(1)
    ).first()
    document = export_divingfish(
        bests,
        chart_facts=chart_facts(session, chart_ids),
        nickname=profile.name if profile else None,
        rating=profile.rating if profile else None,
    )
    return dict(username=player.name, **document)


def best_per_chart(
    session: Session, model: Any, player_id: int
) -> List[Tuple[ScoreRecord, Optional[int]]]:
    """Return each chart's best achievement, DX score and marks, each on its own, and its link."""
    rows = session.execute(
        select(
            model.title,
            model.kind,
            model.difficulty,
            func.max(model.achievement),
            func.max(model.dx_score),
            func.max(model.fc),
            func.max(model.fs),
            func.max(model.level),
            func.max(model.chart_id),
        )
        .where(model.player_id == player_id)
        .group_by(model.title, model.kind, model.difficulty)
    ).all()
    return [
        (
            ScoreRecord(
                title=title,
                kind=kind,
                difficulty=difficulty,
                achievement=achievement,
                dx_score=dx_score,
                fc=fc,
                fs=fs,
                level=level,
            ),
            chart_id,
        )
        for title, kind, difficulty, achievement, dx_score, fc, fs, level, chart_id in rows
    ]


def chart_facts(
    session: Session, chart_ids: Dict[ChartKey, int]
) -> Callable[[str, str, int], Optional[Dict[str, Any]]]:
    """Return a lookup of song id, constant and level of the charts the rows are linked to."""
    rows = session.execute(
        select(Chart.id, Song.catalog_id, Chart.constant_tenths, Chart.level)
        .join(Song, Chart.song_id == Song.id)
        .where(Chart.id.in_(sorted(set(chart_ids.values()))))
    ).all()
    by_id = {
        chart_id: {
            "song_id": int(catalog_id) if catalog_id and catalog_id.isdigit() else None,
            "ds": constant / 10 if constant is not None else None,
            "level": level,
        }
        for chart_id, catalog_id, constant, level in rows
    }

    def facts(title: str, kind: str, difficulty: int) -> Optional[Dict[str, Any]]:
        return by_id.get(chart_ids.get((title, kind, difficulty)))

    return facts
