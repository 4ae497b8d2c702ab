"""Filters and keyset pagination over a player's plays, shared by the pages and the API."""

import datetime
import re
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, NamedTuple, Optional, Tuple
from urllib.parse import urlencode

from flask import abort, current_app, request, url_for
from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.sql import Select

from .. import db, game, tables
from ..web.navigation import unlinked_exists

if TYPE_CHECKING:  # pragma: no cover - the ORM is not imported by the pages that only read
    from sqlalchemy.orm import Session

#: The largest page a request may ask for; larger sizes are cut down to it.
MAX_PAGE_SIZE = 200
#: The longest title query accepted.
MAX_TITLE_QUERY = 100
#: Cursors are Unix times; beyond this they cannot be a play's time (and overflow BIGINT).
MAX_CURSOR = 10**11
#: Time zones reach from UTC-12 to UTC+14: bounds for searching local dates by UTC time.
EARLIEST_OFFSET = -12 * 3600
LATEST_OFFSET = 14 * 3600
DAY = 86400
EPOCH = datetime.date(1970, 1, 1)
#: A whole number as people type it; str.isdigit() would also take "²", which int() refuses.
WHOLE_NUMBER = re.compile(r"[0-9]{1,18}\Z")


class QueryError(ValueError):
    """A query parameter the archive cannot understand; the message is for the player."""


class PlayFilters(NamedTuple):
    """Which plays to show; the empty value of each field means "any"."""

    title: str = ""
    difficulties: Tuple[int, ...] = ()
    kind: str = ""
    date_from: Optional[datetime.date] = None
    date_to: Optional[datetime.date] = None
    rank: str = ""
    rank_exact: bool = False
    fc: int = game.FC_NONE
    fs: int = game.FS_NONE
    titles: Tuple[str, ...] = ()  # catalog titles a search for `title` found besides substrings

    def is_active(self) -> bool:
        """Tell whether any filter narrows the plays."""
        return self != PlayFilters()

    def query_args(self) -> Dict[str, Any]:
        """Return the filters as URL parameters, for links that keep them."""
        args = {}  # type: Dict[str, Any]
        if self.title:
            args["title"] = self.title
        if self.difficulties:
            args["difficulty"] = list(self.difficulties)
        if self.kind:
            args["kind"] = self.kind
        if self.date_from:
            args["from"] = self.date_from.isoformat()
        if self.date_to:
            args["to"] = self.date_to.isoformat()
        if self.rank:
            args["rank"] = self.rank
            if self.rank_exact:
                args["rank_mode"] = "exact"
        if self.fc:
            args["fc"] = game.FC_CODES[self.fc]
        if self.fs:
            args["fs"] = game.FS_CODES[self.fs]
        return args


class AppliedFilter(NamedTuple):
    """One filter in force, as a removable chip: its label and the query string without it."""

    label: str
    query_without: str  # "" when nothing is left


def applied_filters(
    filters: PlayFilters, kept: Optional[Mapping[str, Any]] = None
) -> List[AppliedFilter]:
    """Return each filter in force, in the form's order, with the query string that drops it.

    kept: other arguments of the page (not filters) that every link keeps.
    """
    chips = []  # type: List[AppliedFilter]

    def without(**changes: Any) -> str:
        args = filters._replace(**changes).query_args()
        args.update(kept or {})
        return urlencode(args, doseq=True)

    if filters.title:
        chips.append(AppliedFilter("曲名：" + filters.title, without(title="", titles=())))
    for difficulty in filters.difficulties:
        rest = tuple(value for value in filters.difficulties if value != difficulty)
        label = game.DIFFICULTY_NAMES.get(difficulty, str(difficulty))
        chips.append(AppliedFilter(label, without(difficulties=rest)))
    if filters.kind:
        label = game.KIND_LABELS.get(filters.kind, filters.kind) + " 谱面"
        chips.append(AppliedFilter(label, without(kind="")))
    if filters.date_from:
        chips.append(AppliedFilter("从 " + filters.date_from.isoformat(), without(date_from=None)))
    if filters.date_to:
        chips.append(AppliedFilter("到 " + filters.date_to.isoformat(), without(date_to=None)))
    if filters.rank:
        label = game.RANK_LABELS[filters.rank] + ("" if filters.rank_exact else " 及以上")
        chips.append(AppliedFilter("评级 " + label, without(rank="", rank_exact=False)))
    if filters.fc:
        label = game.FC_LABELS[filters.fc] + ("" if filters.fc == game.AP_PLUS else " 及以上")
        chips.append(AppliedFilter(label, without(fc=game.FC_NONE)))
    if filters.fs:
        label = game.FS_LABELS[filters.fs] + ("" if filters.fs == game.FDX_PLUS else " 及以上")
        chips.append(AppliedFilter(label, without(fs=game.FS_NONE)))
    return chips


class Cursor(NamedTuple):
    """Where a page starts: plays older than `before`, or newer than `after`, or the newest."""

    before: Optional[int] = None
    after: Optional[int] = None


class PageRequest(NamedTuple):
    """A parsed request for one page of plays."""

    filters: PlayFilters
    cursor: Cursor
    size: int


class PlayPage(NamedTuple):
    """One page of rows, newest first, with the cursors of its neighbours (None: no page)."""

    rows: List[Any]
    newer: Optional[int]  # ?after= for the page of newer plays
    older: Optional[int]  # ?before= for the page of older plays


def _values(args: Any, name: str) -> List[str]:
    """Return the non-empty values of a parameter (an empty form field means "any")."""
    getlist = getattr(args, "getlist", None)
    raw = getlist(name) if getlist else [args[name]] if name in args else []
    return [value.strip() for value in raw if value.strip()]


def _single(args: Any, name: str) -> str:
    """Return the last non-empty value of a parameter, or ''."""
    values = _values(args, name)
    return values[-1] if values else ""


def _text(value: str, what: str) -> str:
    """Refuse text no database can hold (NUL) or too long to be a title."""
    if "\x00" in value:
        raise QueryError("%s里有无法识别的字符。" % what)
    if len(value) > MAX_TITLE_QUERY:
        raise QueryError("%s太长了（最多 %d 个字）。" % (what, MAX_TITLE_QUERY))
    return value


def parse_difficulty(value: str) -> int:
    """Read a difficulty given as its number (3) or its slug (master)."""
    lowered = value.strip().lower()
    if lowered in game.DIFFICULTY_BY_SLUG:
        return game.DIFFICULTY_BY_SLUG[lowered]
    if WHOLE_NUMBER.match(lowered) and int(lowered) in game.DIFFICULTIES:
        return int(lowered)
    raise QueryError("难度「%s」无法识别：可用 0–4、10 或 basic、master 等。" % value[:20])


def parse_kind(value: str) -> str:
    """Read a chart kind: DX or SD (标准)."""
    upper = value.strip().upper()
    if upper in game.KINDS:
        return upper
    if value.strip() == game.KIND_LABELS[game.STANDARD]:
        return game.STANDARD
    raise QueryError("谱面类型「%s」无法识别：可用 DX 或 SD（标准）。" % value[:20])


def parse_date(value: str, what: str) -> datetime.date:
    """Read a date written YYYY-MM-DD."""
    try:
        return datetime.datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise QueryError(
            "%s「%s」不是有效的日期（格式 2025-10-03）。" % (what, value[:20])
        ) from None


def _mark(value: str, by_code: Mapping[str, int], labels: Mapping[int, str], what: str) -> int:
    """Read a combo or sync mark given as its code (fcp) or its label (FC+)."""
    lowered = value.strip().lower()
    for code, mark in by_code.items():
        if mark and lowered in (code, labels[mark].lower()):
            return mark
    choices = "、".join(label for label in labels.values() if label)
    raise QueryError("%s「%s」无法识别：可用 %s。" % (what, value[:20], choices))


def parse_rank(value: str) -> str:
    """Read a rank given as its code (sp) or its label (S+)."""
    lowered = value.strip().lower()
    for code, label, _ in game.RANKS:
        if lowered in (code, label.lower()):
            return code
    raise QueryError("评级「%s」无法识别：可用 SSS+、SS、S+、A 等。" % value[:20])


def parse_filters(args: Any) -> PlayFilters:
    """Read the filters of a request's query string."""
    title = _text(_single(args, "title"), "曲名")
    difficulties = sorted({parse_difficulty(value) for value in _values(args, "difficulty")})
    kind = parse_kind(_single(args, "kind")) if _single(args, "kind") else ""
    date_from = parse_date(_single(args, "from"), "开始日期") if _single(args, "from") else None
    date_to = parse_date(_single(args, "to"), "结束日期") if _single(args, "to") else None
    if date_from and date_to and date_from > date_to:
        raise QueryError("开始日期晚于结束日期。")
    rank = parse_rank(_single(args, "rank")) if _single(args, "rank") else ""
    mode = _single(args, "rank_mode") or "min"
    if mode not in ("min", "exact"):
        raise QueryError("评级筛选方式只能是 min（及以上）或 exact（恰好）。")
    fc_text, fs_text = _single(args, "fc"), _single(args, "fs")
    fc = _mark(fc_text, game.FC_BY_CODE, game.FC_LABELS, "FC 筛选") if fc_text else 0
    fs = _mark(fs_text, game.FS_BY_CODE, game.FS_LABELS, "FS 筛选") if fs_text else 0
    return PlayFilters(
        title=title,
        difficulties=tuple(difficulties),
        kind=kind,
        date_from=date_from,
        date_to=date_to,
        rank=rank,
        rank_exact=bool(rank) and mode == "exact",
        fc=fc,
        fs=fs,
    )


def _unix(value: str, name: str) -> int:
    """Read a cursor: a Unix time."""
    if not WHOLE_NUMBER.match(value) or int(value) > MAX_CURSOR:
        raise QueryError("翻页参数 %s=%s 无效：应为游玩时间（Unix 秒数）。" % (name, value[:20]))
    return int(value)


def parse_cursor(args: Any) -> Cursor:
    """Read the page cursor: ?before=<unix> or ?after=<unix>, not both."""
    before, after = _single(args, "before"), _single(args, "after")
    if before and after:
        raise QueryError("翻页参数 before 和 after 不能同时使用。")
    return Cursor(
        before=_unix(before, "before") if before else None,
        after=_unix(after, "after") if after else None,
    )


def parse_size(args: Any, default: int) -> int:
    """Read the page size, cut down to MAX_PAGE_SIZE."""
    value = _single(args, "size")
    if not value:
        return default
    if not WHOLE_NUMBER.match(value) or int(value) < 1:
        raise QueryError("每页条数 size=%s 无效：应为 1–%d 的整数。" % (value[:20], MAX_PAGE_SIZE))
    return min(int(value), MAX_PAGE_SIZE)


def parse_page_request(args: Any, default_size: int) -> PageRequest:
    """Read filters, cursor and page size from a query string."""
    default_size = max(1, min(default_size, MAX_PAGE_SIZE))
    return PageRequest(parse_filters(args), parse_cursor(args), parse_size(args, default_size))


def page_request() -> PageRequest:
    """Read this request's page parameters, answering 400 with the reason when they are bad."""
    try:
        wanted = parse_page_request(request.args, current_app.config["PAGE_SIZE"])
    except QueryError as error:
        abort(400, description=str(error))
    if not wanted.filters.title:
        return wanted
    titles = searched_titles(db.session(), wanted.filters.title)
    return wanted._replace(filters=wanted.filters._replace(titles=titles))


def searched_titles(session: "Session", query: str) -> Tuple[str, ...]:
    """Return the titles the plays show for the catalog songs a search finds (jieba)."""
    # Only a title filter needs the search and the catalog's title map: not a cold page.
    from ..catalog import search
    from ..catalog.linking import SHOWN_TITLES

    found = search.search_titles(session, query)
    return tuple(sorted({SHOWN_TITLES.get(title, title) for title in found}))


def escape_like(text: str) -> str:
    """Escape LIKE's wildcards with '/', which needs no quoting on any database."""
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def title_filter(
    query: str, column: Any = tables.play.c.title, titles: Tuple[str, ...] = ()
) -> Any:
    """Return the condition: the title contains the query, ignoring case, or a search found it."""
    contains = column.ilike("%" + escape_like(query) + "%", escape="/")
    return or_(contains, column.in_(titles)) if titles else contains


def chart_conditions(filters: PlayFilters, entity: Any = tables.play.c) -> List[Any]:
    """Return the conditions on title, kind and difficulty, for plays and best scores alike."""
    conditions = []  # type: List[Any]
    if filters.title:
        conditions.append(title_filter(filters.title, entity.title, filters.titles))
    if filters.difficulties:
        conditions.append(entity.difficulty.in_(filters.difficulties))
    if filters.kind:
        conditions.append(entity.kind == filters.kind)
    return conditions


def local_day_start(day: datetime.date) -> int:
    """Return a date's midnight as seconds since the epoch on a clock without time zone."""
    return (day - EPOCH).days * DAY


def filter_conditions(filters: PlayFilters) -> List[Any]:
    """Return the SQL conditions of the filters on plays."""
    conditions = chart_conditions(filters)
    local_time = tables.play.c.played_at + tables.play.c.utc_offset * 60
    if filters.date_from:
        start = local_day_start(filters.date_from)
        # The first bound lets the (player_id, played_at) index narrow the scan.
        conditions.append(tables.play.c.played_at >= start - LATEST_OFFSET)
        conditions.append(local_time >= start)
    if filters.date_to:
        end = local_day_start(filters.date_to) + DAY
        conditions.append(tables.play.c.played_at < end - EARLIEST_OFFSET)
        conditions.append(local_time < end)
    if filters.rank:
        if filters.rank_exact:
            conditions.append(tables.play.c.rank == filters.rank)
        else:
            least = game.RANK_ORDER[filters.rank]
            codes = [code for code, order in game.RANK_ORDER.items() if order >= least]
            conditions.append(tables.play.c.rank.in_(codes))
    if filters.fc:
        conditions.append(tables.play.c.fc >= filters.fc)
    if filters.fs:
        conditions.append(tables.play.c.fs >= filters.fs)
    return conditions


def player_plays(statement: Select, player_id: int, filters: PlayFilters) -> Select:
    """Narrow a select over Play to one player's plays that pass the filters."""
    return statement.where(and_(tables.play.c.player_id == player_id, *filter_conditions(filters)))


def fetch_page(
    session: Optional["Session"],
    statement: Select,
    player_id: int,
    filters: PlayFilters,
    cursor: Cursor,
    size: int,
) -> PlayPage:
    """Run one page of a select over Play, newest first, in one query (two on the last page).

    The select's first column must be the Play entity or its played_at. Keyset pagination on
    the unique (player_id, played_at) index: a page stays the same while newer plays arrive.
    Without a session a page reads its rows raw (db.Database.read_rows) when it has no
    filters, its select then being built once; a filtered one reads through this request's.
    """
    if session is None and not filters.is_active():
        database = db.database()

        def read(query: Tuple[Select, Dict[str, Any]]) -> List[Any]:
            return database.read_rows(query[0], **query[1])

    else:
        session = session or db.session()

        def read(query: Tuple[Select, Dict[str, Any]]) -> List[Any]:
            return session.execute(*query).all()

    if cursor.after is not None:
        rows = read(page_query(statement, player_id, filters, size, "after", cursor.after))
        if len(rows) > size:
            rows = rows[:size]
            rows.reverse()
            return PlayPage(rows, newer=played_at(rows[0]), older=played_at(rows[-1]))
        # Nothing newer beyond this page: show the newest page, so it is always full.
        cursor = Cursor()
    if cursor.before is not None:
        query = page_query(statement, player_id, filters, size, "before", cursor.before)
    else:
        query = page_query(statement, player_id, filters, size, "newest")
    rows = read(query)
    more = len(rows) > size
    rows = rows[:size]
    if not rows:
        return PlayPage(rows, newer=None, older=None)
    return PlayPage(
        rows,
        # A page reached by ?before= came from newer plays; the newest page has none.
        newer=played_at(rows[0]) if cursor.before is not None else None,
        older=played_at(rows[-1]) if more else None,
    )


#: Pages without filters, the most asked for, by (select, direction): each built once, with
#: the player, cursor and size as parameters. A statement SQLAlchemy has seen keeps its
#: cache key; building one anew per request cost more than running it.
_UNFILTERED = {}  # type: Dict[Tuple[int, str], Tuple[Select, Select]]


def page_query(
    statement: Select,
    player_id: int,
    filters: PlayFilters,
    size: int,
    direction: str,
    cursor: Optional[int] = None,
) -> Tuple[Select, Dict[str, Any]]:
    """Return one page's select and its parameters: newest first, "before" or "after" a time."""
    parameters = {"player_id": player_id, "cursor": cursor, "rows": size + 1}
    if filters.is_active():
        narrowed = player_plays(statement, player_id, filters)
        # The player's id goes in as a parameter too, for columns that name it (total_column).
        return _paged(narrowed, direction, cursor, size + 1), {"player_id": player_id}
    built = _UNFILTERED.get((id(statement), direction))
    if built is None or built[0] is not statement:
        if len(_UNFILTERED) > 64:  # selects built per request (the API's) come and go
            _UNFILTERED.clear()
        narrowed = statement.where(tables.play.c.player_id == bindparam("player_id"))
        paged = _paged(narrowed, direction, bindparam("cursor"), bindparam("rows"))
        built = _UNFILTERED[id(statement), direction] = (statement, paged)
    if cursor is None:
        del parameters["cursor"]
    return built[1], parameters


def _paged(statement: Select, direction: str, cursor: Any, rows: Any) -> Select:
    """Order and limit a select over Play for a page in one direction."""
    if direction == "after":
        return (
            statement.where(tables.play.c.played_at > cursor)
            .order_by(tables.play.c.played_at.asc())
            .limit(rows)
        )
    if direction == "before":
        statement = statement.where(tables.play.c.played_at < cursor)
    return statement.order_by(tables.play.c.played_at.desc()).limit(rows)


#: A player's plays counted, for pages without filters.
COUNT_ALL = (
    select(func.count())
    .select_from(tables.play)
    .where(tables.play.c.player_id == bindparam("player_id"))
)


def total_column(filters: PlayFilters) -> Any:
    """Return, as a column of a page's select, how many of the player's plays pass the filters.

    The page's select reads it with its rows: one query fewer than count_plays. Its player
    is the parameter player_id.
    """
    if not filters.is_active():
        return TOTAL_ALL
    statement = player_plays(select(func.count()).select_from(tables.play), PLAYER_ID, filters)
    return statement.correlate(None).scalar_subquery().label("total")


#: The player's id, as the parameter of the columns a page's select reads with its rows.
PLAYER_ID = bindparam("player_id")
#: How many plays the player has, for a page without filters (see total_column).
TOTAL_ALL = COUNT_ALL.correlate(None).scalar_subquery().label("total")
#: Whether any of the player's plays has no chart linked (the tabs' 未对应), as a column.
UNLINKED = unlinked_exists().correlate(None).label("unlinked")


def played_at(row: Any) -> int:
    """Return the play time of a row whose first column is a Play or its played_at."""
    first = row[0]
    return first if isinstance(first, int) else first.played_at


def count_plays(session: Optional["Session"], player_id: int, filters: PlayFilters) -> int:
    """Count a player's plays that pass the filters; without a session as fetch_page reads."""
    # count(*) counts rows from the index alone; count(play.id) reads each row's id too.
    if not filters.is_active():
        if session is None:
            return db.database().read_rows(COUNT_ALL, player_id=player_id)[0][0]
        return session.execute(COUNT_ALL, {"player_id": player_id}).scalar_one()
    session = session or db.session()
    statement = player_plays(select(func.count()).select_from(tables.play), player_id, filters)
    return session.execute(statement).scalar_one()


def page_args(request_: PageRequest, default_size: int, **cursor: int) -> Dict[str, Any]:
    """Return the URL parameters of a neighbouring page: the filters, size and a cursor."""
    args = request_.filters.query_args()
    if request_.size != default_size:
        args["size"] = request_.size
    args.update(cursor)
    return args


def pager_links(
    endpoint: str, wanted: PageRequest, page: PlayPage, **view_args: Any
) -> Dict[str, Optional[str]]:
    """Return the URLs of the newer, older and newest pages (None where there is none)."""
    default_size = current_app.config["PAGE_SIZE"]

    def link(**cursor: int) -> str:
        return url_for(endpoint, **dict(view_args, **page_args(wanted, default_size, **cursor)))

    return {
        "newer": link(after=page.newer) if page.newer is not None else None,
        "older": link(before=page.older) if page.older is not None else None,
        "newest": link() if page.newer is not None else None,
    }
