"""A player's rating day by day, kept in the database and replayed once per archive revision.

Replaying a whole archive costs a read of every play (tens of milliseconds for ten thousand),
so pages read the kept days instead: one query that also tells whether they are current.
An import replays them in its own transaction; any other write bumps the player's revision
(a catalog sync, a chart choice), and the first page to find them stale replays and keeps
them again. Kept in the database, they outlive the process: a fresh serverless container
reads them as they are.
"""

import datetime
from typing import Any, Iterable, List, NamedTuple, Optional, Sequence

from flask import has_app_context
from sqlalchemy import and_, bindparam, delete, insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from .. import db
from ..models import Player, RatingDay, RatingTrend
from ..play_days import EPOCH
from .trend import TrendPoint, replay_trend


class DayRating(NamedTuple):
    """The rating at the end of a local day, and how that day moved it."""

    day: int  # local days since 1970-01-01
    rating: Optional[int]  # None before the first play
    official_rating: Optional[int]
    rating_change: Optional[int]  # since the last day with a rating; None without one

    @property
    def date(self) -> str:
        """Return the local date: "2025-10-03"."""
        return (EPOCH + datetime.timedelta(days=self.day)).isoformat()

    @property
    def point(self) -> TrendPoint:
        """Return the day as a point of the trend."""
        return TrendPoint(self.date, self.rating, self.official_rating)


def day_number(date: datetime.date) -> int:
    """Return a date's day number since 1970-01-01."""
    return (date - EPOCH).days


def day_ratings(points: Iterable[TrendPoint]) -> List[DayRating]:
    """Number the trend's days and give each day with a rating its change since the last one."""
    days = []  # type: List[DayRating]
    previous = None  # type: Optional[int]
    for point in points:
        change = None  # type: Optional[int]
        if point.rating:  # a rating of 0: no catalog chart played yet
            if previous is not None:
                change = point.rating - previous
            previous = point.rating
        number = day_number(datetime.date(*map(int, point.date.split("-"))))
        days.append(DayRating(number, point.rating, point.official_rating, change))
    return days


def store_days(session: Session, player_id: int) -> List[DayRating]:
    """Replay a player's archive and keep its days, in the session's transaction.

    The player's row is read FOR SHARE (PostgreSQL): a write that bumps the revision waits
    until these days are kept, so they are always the days of the revision they name.
    """
    revision = session.execute(
        select(Player.revision).where(Player.id == player_id).with_for_update(read=True)
    ).scalar_one()
    days = day_ratings(replay_trend(session, player_id))
    session.execute(delete(RatingDay).where(RatingDay.player_id == player_id))
    session.execute(delete(RatingTrend).where(RatingTrend.player_id == player_id))
    session.execute(insert(RatingTrend).values(player_id=player_id, revision=revision))
    if days:
        session.execute(
            insert(RatingDay), [dict(day._asdict(), player_id=player_id) for day in days]
        )
    return days


def _writer(session: Session) -> Session:
    """Open a session that writes, beside a request's (which only reads, in autocommit)."""
    if has_app_context():
        return db.database().session()
    return sessionmaker(bind=session.get_bind(), future=True)()


def replayed_days(session: Session, player_id: int) -> List[DayRating]:
    """Replay a player's days and keep them for the next pages; show them even if not kept."""
    writer = _writer(session)
    try:
        days = store_days(writer, player_id)
        writer.commit()
        return days
    except SQLAlchemyError:
        # Another page kept them first, or the database refused the write: show them anyway.
        writer.rollback()
        return day_ratings(replay_trend(session, player_id))
    finally:
        writer.close()


#: kept_days' statements by shape, built once: SQLAlchemy keeps a seen statement's cache key.
_SELECTS = {}  # type: Dict[str, Any]


def _kept_days_select(shape: str) -> Any:
    """Return the select of a player's revision, the kept one and days: all, some, newest, span."""
    statement = _SELECTS.get(shape)
    if statement is not None:
        return statement
    conditions = [RatingDay.player_id == Player.id]  # type: List[Any]
    if shape == "days":
        conditions.append(RatingDay.day.in_(bindparam("days", expanding=True)))
    if shape == "latest":
        conditions.append(RatingDay.rating > 0)
    if shape == "span":
        conditions.append(RatingDay.day.between(bindparam("first"), bindparam("last")))
    statement = (
        select(
            Player.revision,
            RatingTrend.revision,
            RatingDay.day,
            RatingDay.rating,
            RatingDay.official_rating,
            RatingDay.rating_change,
        )
        .select_from(Player)
        .outerjoin(RatingTrend, RatingTrend.player_id == Player.id)
        .outerjoin(RatingDay, and_(*conditions))
        .where(Player.id == bindparam("player_id"))
    )
    if shape == "latest":
        statement = statement.order_by(RatingDay.day.desc()).limit(bindparam("latest"))
    else:
        statement = statement.order_by(RatingDay.day)
    _SELECTS[shape] = statement
    return statement


def kept_days(
    session: Session,
    player_id: int,
    days: Optional[Sequence[int]] = None,
    latest: Optional[int] = None,
) -> List[DayRating]:
    """Return a player's days, oldest first, in one query while they are current.

    days: only these day numbers; latest: only the newest days with a rating, this many.
    """
    shape = "days" if days is not None else "latest" if latest is not None else "all"
    parameters = {"player_id": player_id}  # type: Dict[str, Any]
    if days is not None:
        parameters["days"] = sorted(set(days))
    if latest is not None:
        parameters["latest"] = latest
    rows = session.execute(_kept_days_select(shape), parameters).all()
    if rows and rows[0][0] == rows[0][1]:
        found = [DayRating(*row[2:]) for row in rows if row[2] is not None]
        return found[::-1] if latest is not None else found
    if not rows:
        return []  # no such player
    return window(replayed_days(session, player_id), days, latest)


def kept_day_span(player_id: int, first: int, last: int) -> Optional[List[DayRating]]:
    """Return the kept days from one day number to another, oldest first, by one raw read.

    None when they are not kept at the archive's revision (kept_days replays them then).
    """
    span = _kept_days_select("span")
    rows = db.database().read_rows(span, player_id=player_id, first=first, last=last)
    if not rows:
        return []  # no such player
    if rows[0][0] != rows[0][1]:
        return None
    return [DayRating(*row[2:]) for row in rows if row[2] is not None]


def window(
    all_days: List[DayRating], days: Optional[Sequence[int]], latest: Optional[int]
) -> List[DayRating]:
    """Keep the days kept_days would have read."""
    if days is not None:
        wanted = set(days)
        all_days = [day for day in all_days if day.day in wanted]
    if latest is not None:
        all_days = [day for day in all_days if day.rating][-latest:] if latest else []
    return all_days


def rating_trend(session: Session, player_id: int) -> List[TrendPoint]:
    """Return the player's rating after each day of play, beside the official ratings."""
    return [day.point for day in kept_days(session, player_id)]
