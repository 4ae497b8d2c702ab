"""Read the progress pages' filters from a query string, refusing what they cannot mean."""

import re
from typing import Any, Callable, Dict, List, NamedTuple, Optional, TypeVar

from .. import game
from ..player.queries import QueryError, parse_difficulty, parse_kind
from .planner import B15, B35

T = TypeVar("T")

#: A level label as the catalog writes it: "7", "13+", "15".
LEVEL = re.compile(r"\A(1[0-5]|[1-9])\+?\Z")
#: A page number in ASCII digits ("²".isdigit() is true too).
PAGE = re.compile(r"\A[0-9]{1,5}\Z")
PLATE_SORTS = ("level", "level_asc", "closest")
PLAN_SORTS = ("gain", "closest")


class FilterError(ValueError):
    """A filter value the pages cannot use, with the reason in Chinese."""


class PlateFilters(NamedTuple):
    """The filters of one plate's missing charts."""

    difficulties: List[int]
    level: Optional[str]
    kind: Optional[str]
    sort: str
    page: int


class PlanFilters(NamedTuple):
    """The filters of the rating plan."""

    difficulties: List[int]
    level: Optional[str]
    frame: Optional[str]
    sort: str


def difficulties(args: Any) -> List[int]:
    """Read difficulty=master&difficulty=remaster (or 0-4), BASIC to Re:MASTER only."""
    found = []
    for slug in args.getlist("difficulty"):
        if not slug.strip():
            continue
        try:
            index = parse_difficulty(slug)
        except QueryError:
            index = None
        if index is None or index == game.UTAGE:
            raise FilterError(
                "未知的难度「%s」：可选 basic、advanced、expert、master、remaster。" % slug[:20]
            )
        if index not in found:
            found.append(index)
    return sorted(found)


def kind(args: Any) -> Optional[str]:
    """Read kind=dx (or DX, sd, 标准)."""
    value = args.get("kind", "").strip()
    if not value:
        return None
    try:
        return parse_kind(value)
    except QueryError as error:
        raise FilterError(str(error)) from None


def level(args: Any) -> Optional[str]:
    """Read level=13+."""
    value = args.get("level", "").strip()
    if not value:
        return None
    if not LEVEL.match(value):
        raise FilterError("等级「%s」无效：应为 1 到 15 的数字，可带 +，例如 13+。" % value[:20])
    return value


def choice(args: Any, name: str, allowed: tuple, default: Optional[str]) -> Optional[str]:
    """Read a value that must be one of a few."""
    value = args.get(name, "").strip()
    if not value:
        return default
    if value not in allowed:
        raise FilterError("%s「%s」无效：可选 %s。" % (name, value[:20], "、".join(allowed)))
    return value


def page_number(args: Any) -> int:
    """Read page=2."""
    value = args.get("page", "1").strip() or "1"
    if not PAGE.match(value) or not 1 <= int(value) <= 10000:
        raise FilterError("页码「%s」无效。" % value[:20])
    return int(value)


def plate_filters(args: Any) -> PlateFilters:
    """Read the filters of a plate's missing charts."""
    return PlateFilters(
        difficulties(args),
        level(args),
        kind(args),
        choice(args, "sort", PLATE_SORTS, "level") or "level",
        page_number(args),
    )


def plan_filters(args: Any) -> PlanFilters:
    """Read the filters of the rating plan."""
    return PlanFilters(
        difficulties(args),
        level(args),
        choice(args, "frame", (B35, B15), None),
        choice(args, "sort", PLAN_SORTS, "gain") or "gain",
    )


def pager_args(chosen: PlateFilters, page: int) -> Dict[str, Any]:
    """Return the query of another page of the same filters: only values the filters read."""
    args = {"page": page}  # type: Dict[str, Any]
    if chosen.difficulties:
        args["difficulty"] = [game.DIFFICULTY_SLUGS[index] for index in chosen.difficulties]
    if chosen.level:
        args["level"] = chosen.level
    if chosen.kind:
        args["kind"] = chosen.kind.lower()
    if chosen.sort != "level":
        args["sort"] = chosen.sort
    return args


def keep(items: List[T], wanted: Callable[[T], bool]) -> List[T]:
    """Return the items a filter keeps."""
    return [item for item in items if wanted(item)]
