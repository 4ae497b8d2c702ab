"""The song catalog, chart by chart: filters, sorting, pages and search; with a player's bests."""

import math
import re
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

from flask import Blueprint, abort, current_app, render_template, request
from sqlalchemy import case, func, literal, select, union_all
from sqlalchemy.orm import Session

from .. import db, game
from ..jackets.serving import show
from ..jackets.store import kept
from ..models import CatalogSync, Chart, Jacket, Play, Score, Song
from ..player import queries
from ..player.home import player_or_404
from ..player.lookup import player_page
from ..web import page_cache
from . import search

bp = Blueprint("songs", __name__, template_folder="templates")

#: The game's versions in release order; the catalog names them so (basic_info.from).
VERSION_ORDER = (
    "maimai",
    "maimai PLUS",
    "maimai GreeN",
    "maimai GreeN PLUS",
    "maimai ORANGE",
    "maimai ORANGE PLUS",
    "maimai PiNK",
    "maimai PiNK PLUS",
    "maimai MURASAKi",
    "maimai MURASAKi PLUS",
    "maimai MiLK",
    "MiLK PLUS",
    "maimai FiNALE",
    "maimai でらっくす",
    "maimai でらっくす Splash",
    "maimai でらっくす UNiVERSE",
    "maimai でらっくす FESTiVAL",
    "maimai でらっくす BUDDiES",
    "maimai でらっくす PRiSM",
)
SORTS = {
    "constant": "定数",
    "level": "等级",
    "title": "曲名",
    "achievement": "我的达成率",
    "plays": "游玩次数",
    "relevance": "相关度",
}
PLAYER_SORTS = ("achievement", "plays")
CONSTANT = re.compile(r"^\d{1,2}(\.\d)?$")
LOWEST_CONSTANT, HIGHEST_CONSTANT = 10, 150  # tenths
MAX_PAGE = 10000


class SongFilters(NamedTuple):
    """Which charts to list and in what order; empty values mean "any"."""

    query: str = ""
    version: str = ""
    genre: str = ""
    level: str = ""
    constant_min: Optional[int] = None  # tenths
    constant_max: Optional[int] = None
    kind: str = ""
    difficulties: Tuple[int, ...] = ()
    sort: str = ""
    order: str = ""  # "asc" or "desc"; empty: the sort's natural order
    page: int = 1

    @property
    def ascending(self) -> bool:
        """Tell whether the list runs from low to high (titles by default, numbers not)."""
        return self.order == "asc" if self.order else self.sort == "title"

    def query_args(self, **changes: Any) -> Dict[str, Any]:
        """Return the filters as URL parameters, with some changed, for links that keep them."""
        values = self._replace(**changes)
        args = {}  # type: Dict[str, Any]
        for name in ("query", "version", "genre", "level", "kind", "sort", "order"):
            if getattr(values, name):
                args["q" if name == "query" else name] = getattr(values, name)
        if values.constant_min is not None:
            args["min"] = "%.1f" % (values.constant_min / 10.0)
        if values.constant_max is not None:
            args["max"] = "%.1f" % (values.constant_max / 10.0)
        if values.difficulties:
            args["difficulty"] = [game.DIFFICULTY_SLUGS[d] for d in values.difficulties]
        if values.page > 1:
            args["page"] = values.page
        return args


class SongRow(NamedTuple):
    """One chart of the list, with the player's best on it when a player is shown."""

    title: str
    kind: str
    artist: Optional[str]
    genre: Optional[str]
    version: Optional[str]
    is_new: bool
    catalog_id: Optional[str]  # the Diving-Fish song id: the chart's link names it
    difficulty: int
    level: Optional[str]
    constant_tenths: Optional[int]
    achievement: Optional[int] = None
    dx_score: Optional[int] = None
    fc: Optional[int] = None
    fs: Optional[int] = None
    plays: Optional[int] = None


class SongPage(NamedTuple):
    """One page of the list and how many charts match in all."""

    rows: List[SongRow]
    total: int
    page: int
    pages: int


def text_arg(args: Any, name: str, what: str) -> str:
    """Return a parameter's text, refusing what no title or name can be (NUL, too long)."""
    value = args.get(name, "").strip()
    if "\x00" in value or len(value) > queries.MAX_TITLE_QUERY:
        raise queries.QueryError("%s无效或太长了。" % what)
    return value


def parse_constant(value: str, what: str) -> Optional[int]:
    """Read a chart constant such as 13.7 into tenths."""
    if not value:
        return None
    if not CONSTANT.match(value):
        raise queries.QueryError("%s「%s」不是有效的定数（例如 13.7）。" % (what, value[:20]))
    tenths = int(round(float(value) * 10))
    if not LOWEST_CONSTANT <= tenths <= HIGHEST_CONSTANT:
        raise queries.QueryError("%s应在 1.0 到 15.0 之间。" % what)
    return tenths


def parse_filters(args: Any, with_player: bool) -> SongFilters:
    """Read the list's filters from a query string."""
    kind = text_arg(args, "kind", "谱面类型")
    difficulties = {
        queries.parse_difficulty(value) for value in args.getlist("difficulty") if value.strip()
    }
    constant_min = parse_constant(text_arg(args, "min", "最低定数"), "最低定数")
    constant_max = parse_constant(text_arg(args, "max", "最高定数"), "最高定数")
    if constant_min is not None and constant_max is not None and constant_min > constant_max:
        raise queries.QueryError("最低定数高于最高定数。")
    sort = text_arg(args, "sort", "排序方式")
    allowed = [name for name in SORTS if with_player or name not in PLAYER_SORTS]
    if sort and sort not in allowed:
        raise queries.QueryError(
            "排序方式「%s」无法识别：可用 %s。" % (sort[:20], "、".join(allowed))
        )
    order = text_arg(args, "order", "顺序")
    if order not in ("", "asc", "desc"):
        raise queries.QueryError("顺序只能是 asc（升序）或 desc（降序）。")
    page = text_arg(args, "page", "页码") or "1"
    if not re.match(r"^[0-9]{1,5}$", page) or not 1 <= int(page) <= MAX_PAGE:
        raise queries.QueryError("页码 page=%s 无效。" % page[:20])
    return SongFilters(
        query=text_arg(args, "q", "搜索词"),
        version=text_arg(args, "version", "版本"),
        genre=text_arg(args, "genre", "分类"),
        level=text_arg(args, "level", "等级"),
        constant_min=constant_min,
        constant_max=constant_max,
        kind=queries.parse_kind(kind) if kind else "",
        difficulties=tuple(sorted(difficulties)),
        sort=sort,
        order=order,
        page=int(page),
    )


def best_scores(player_id: int) -> Any:
    """Return a subquery of a player's best per linked chart, from plays and score readings."""
    columns = ("chart_id", "achievement", "dx_score", "fc", "fs")
    plays = select(*(getattr(Play, name) for name in columns), literal(1).label("played"))
    scores = select(*(getattr(Score, name) for name in columns), literal(0).label("played"))
    both = union_all(
        plays.where(Play.player_id == player_id, Play.chart_id.isnot(None)),
        scores.where(Score.player_id == player_id, Score.chart_id.isnot(None)),
    ).subquery()
    return (
        select(
            both.c.chart_id,
            func.max(both.c.achievement).label("achievement"),
            func.max(both.c.dx_score).label("dx_score"),
            func.max(both.c.fc).label("fc"),
            func.max(both.c.fs).label("fs"),
            func.sum(both.c.played).label("plays"),
        )
        .group_by(both.c.chart_id)
        .subquery("best")
    )


def level_value(label: str) -> float:
    """Return a level label's place on the scale: 13 -> 13.0, 13+ -> 13.5; unknown last."""
    match = re.match(r"^(\d+)(\+?)", label or "")
    if not match:
        return 0.0
    return int(match.group(1)) + (0.5 if match.group(2) else 0.0)


def level_labels(session: Session) -> List[str]:
    """Return the catalog's level labels without their "unconfirmed" mark, lowest first."""
    labels = session.execute(select(Chart.level).distinct()).scalars()
    return sorted({label.rstrip("?") for label in labels if label}, key=level_value)


def choices(session: Session) -> Dict[str, List[str]]:
    """Return the versions, genres and levels the filter form offers."""
    rows = session.execute(select(Song.version, Song.genre).distinct()).all()
    versions = {version for version, _ in rows if version}
    order = {name: number for number, name in enumerate(VERSION_ORDER)}
    return {
        "versions": sorted(versions, key=lambda name: (order.get(name, len(order)), name)),
        "genres": sorted({genre for _, genre in rows if genre}),
        "levels": level_labels(session),
    }


def check_choices(filters: SongFilters, offered: Dict[str, List[str]]) -> None:
    """Refuse a version, genre or level the catalog does not have, as the form offers none."""
    for value, names, what in (
        (filters.version, "versions", "版本"),
        (filters.genre, "genres", "分类"),
        (filters.level, "levels", "等级"),
    ):
        if value and value not in offered[names]:
            raise queries.QueryError("曲目列表里没有%s「%s」。" % (what, value[:40]))


def conditions(filters: SongFilters, titles: Optional[List[str]]) -> List[Any]:
    """Return the SQL conditions of the filters on songs and charts."""
    found = []  # type: List[Any]
    if titles is not None:
        found.append(Song.title.in_(titles))
    if filters.version:
        found.append(Song.version == filters.version)
    if filters.genre:
        found.append(Song.genre == filters.genre)
    if filters.level:
        found.append(Chart.level.in_((filters.level, filters.level + "?")))
    if filters.constant_min is not None:
        found.append(Chart.constant_tenths >= filters.constant_min)
    if filters.constant_max is not None:
        found.append(Chart.constant_tenths <= filters.constant_max)
    if filters.kind:
        found.append(Song.kind == filters.kind)
    if filters.difficulties:
        found.append(Chart.difficulty.in_(filters.difficulties))
    return found


def order_by(filters: SongFilters, sort: str, best: Any, levels: List[str]) -> List[Any]:
    """Return the ORDER BY of a sort: unknown values last, then a stable tie-break."""
    unknown = None  # type: Any
    if sort == "title":
        keys = [Song.title]
    elif sort == "level" and levels:
        scale = case(
            {label: level_value(label) for label in levels}, value=func.rtrim(Chart.level, "?")
        )
        unknown, keys = Chart.level.is_(None), [scale, Chart.constant_tenths]
    elif sort == "achievement":
        unknown, keys = best.c.achievement.is_(None), [best.c.achievement, Chart.constant_tenths]
    elif sort == "plays":
        unknown, keys = best.c.plays.is_(None), [best.c.plays, best.c.achievement]
    else:
        unknown, keys = Chart.constant_tenths.is_(None), [Chart.constant_tenths]
    ordered = [] if unknown is None else [unknown]
    ordered.extend(key if filters.ascending else key.desc() for key in keys)
    return ordered + [Song.title, Song.kind, Chart.difficulty]


#: The columns of a chart's row, before the player's best.
CHART_COLUMNS = (
    Song.title,
    Song.kind,
    Song.artist,
    Song.genre,
    Song.version,
    Song.is_new,
    Song.catalog_id,
    Chart.difficulty,
    Chart.level,
    Chart.constant_tenths,
)


def chart_rows(player_id: Optional[int]) -> Tuple[Any, Any]:
    """Return the SELECT of chart rows, with the player's best on each, and the best subquery."""
    statement = select(*CHART_COLUMNS).select_from(Chart).join(Song, Chart.song_id == Song.id)
    best = None
    if player_id is not None:
        best = best_scores(player_id)
        statement = statement.add_columns(
            best.c.achievement, best.c.dx_score, best.c.fc, best.c.fs, best.c.plays
        ).outerjoin(best, best.c.chart_id == Chart.id)
    return statement, best


def list_charts(
    session: Session, filters: SongFilters, player_id: Optional[int], page_size: int
) -> SongPage:
    """Return one page of the catalog's charts that pass the filters."""
    titles = None  # type: Optional[List[str]]
    if filters.query:
        titles = search.search_titles(session, filters.query)
        if not titles:
            return SongPage([], 0, 1, 1)
    statement, best = chart_rows(player_id)
    statement = statement.where(*conditions(filters, titles))
    sort = filters.sort or "relevance"
    if sort == "relevance" and titles:
        return relevance_page(session, statement, titles or [], filters.page, page_size)
    total = session.execute(
        select(func.count()).select_from(statement.order_by(None).subquery())
    ).scalar_one()
    pages = max(1, math.ceil(total / float(page_size)))
    page = min(filters.page, pages)
    levels = level_labels(session) if sort == "level" else []
    rows = session.execute(
        statement.order_by(*order_by(filters, sort, best, levels))
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return SongPage([SongRow(*row) for row in rows], total, page, pages)


def relevance_page(
    session: Session, statement: Any, titles: List[str], page: int, page_size: int
) -> SongPage:
    """Order the search's charts by how well their titles match, then by kind and difficulty."""
    place = {title: number for number, title in enumerate(titles)}
    rows = sorted(
        (SongRow(*row) for row in session.execute(statement)),
        key=lambda row: (place[row.title], row.kind != game.DX, row.difficulty),
    )
    pages = max(1, math.ceil(len(rows) / float(page_size)))
    page = min(page, pages)
    start = (page - 1) * page_size
    return SongPage(rows[start : start + page_size], len(rows), page, pages)


def render_list(player: Any = None) -> str:
    """Parse the request, list the charts and render the page."""
    session = db.session()
    offered = choices(session)
    try:
        filters = parse_filters(request.args, player is not None)
        check_choices(filters, offered)
    except queries.QueryError as error:
        abort(400, description=str(error))
    from .song_cards import list_songs  # it builds on this module's queries

    page_size = current_app.config["PAGE_SIZE"]
    found = list_songs(session, filters, player.id if player else None, page_size)
    show(kept(session, songs=[card.song_id for card in found.cards]))
    return render_template(
        "songs/list.html",
        player=player,
        filters=filters,
        found=found,
        choices=offered,
        sorts=[
            (name, label) for name, label in SORTS.items() if player or name not in PLAYER_SORTS
        ],
        endpoint=request.endpoint,
    )


#: The catalog's version: the newest sync and the newest kept jacket. Read without a session
#: before a kept page is sought.
CATALOG_VERSION = select(func.max(CatalogSync.id), select(func.max(Jacket.id)).scalar_subquery())


def catalog_version(**_view_args: Any) -> Optional[Tuple[str, int, int]]:
    """Return the catalog's version by one light read, or None when it cannot tell.

    None renders the page without keeping it. Read before the view, the version is never
    newer than what the page shows, so a sync committed meanwhile costs a rendering, no more.
    """
    row = db.database().read_row(CATALOG_VERSION)
    return None if row is None else ("catalog", row[0] or 0, row[1] or 0)


def catalog_page(view: Any) -> Any:
    """Keep a catalog page, finding a kept copy by the newest sync before the view runs."""
    return page_cache.cached(view, version=catalog_version)


@bp.route("/songs")
@catalog_page
def catalog() -> str:
    """List every chart of the catalog."""
    return render_list()


@bp.route("/players/<name>/songs", endpoint="list")
@player_page
def player_songs(name: str) -> str:
    """List the catalog's charts with a player's best on each."""
    return render_list(player_or_404(name))
