"""Keep each player's best per chart (best_score) in step with their plays and score readings.

Every page that rates or counts charts reads the best per chart; worked out from the whole
archive it was the largest part of those pages. So the writes that link, add or change a play
or a reading bring the player's rows of best_score up to date in their own transaction:
a failed import leaves them as they were. Only rows that change are written: an import of
pages the archive holds already writes none.

The player's row is locked first (as bump_revision does), so two imports of one player
bring the rows up to date one after the other, the second seeing the first one's plays.

Each row also keeps its chart's constant, the frame it counts in (is_new) and the rating
they give, so the best 50 reads each frame's best in order from an index. A catalog sync
that changes a chart's constant or its song's version re-rates that chart's rows
(rate_bests), in the sync's transaction.
"""

from typing import Any, Iterable, Optional

from sqlalchemy import BigInteger, case, cast, exists, func, null, or_, select, union_all
from sqlalchemy.orm import Session

from .. import game
from ..models import BestScore, Chart, Play, Player, Score, Song
from .formula import ACHIEVEMENT_CAP, FACTORS, RATING_DIVISOR

#: What best_score keeps of each reading: the highest of each column.
KEPT = ("achievement", "dx_score", "dx_score_max", "fc", "fs")
#: What it keeps of the chart, for the best 50 to read its frames in order: the constant,
#: the frame (is_new) and the rating.
RATED = ("constant_tenths", "is_new", "rating")


def rating_of(constant_tenths: Any, achievement: Any) -> Any:
    """Return formula.chart_rating as SQL: the same exact integers, floor division included."""
    # Above the cap every step is met: the steps may test the achievement as it is.
    factor = case(
        *[(achievement >= lowest, factor) for lowest, factor in FACTORS if lowest], else_=0
    )
    capped = case(
        (achievement > ACHIEVEMENT_CAP, ACHIEVEMENT_CAP), (achievement < 0, 0), else_=achievement
    )
    product = cast(constant_tenths, BigInteger) * factor * capped
    # The SQL "/" of two integers, which divides them whole on PostgreSQL and SQLite alike.
    return product.op("/", return_type=BigInteger())(RATING_DIVISOR)


def readings_best(player_id: Optional[int] = None) -> Any:
    """Select each linked chart's best over plays and score readings, per player."""
    parts = []
    for model in (Play, Score):
        columns = [model.player_id, model.chart_id] + [getattr(model, name) for name in KEPT]
        part = select(*columns).where(model.chart_id.isnot(None))
        if player_id is not None:
            part = part.where(model.player_id == player_id)
        parts.append(part)
    readings = union_all(*parts).subquery()
    return select(
        readings.c.player_id,
        readings.c.chart_id,
        *[func.max(readings.c[name]).label(name) for name in KEPT],
    ).group_by(readings.c.player_id, readings.c.chart_id)


def frame_of(difficulty: Any, is_new: Any) -> Any:
    """Return best_score.is_new as SQL: the song's version, or NULL for a UTAGE chart."""
    return case((difficulty == game.UTAGE, null()), else_=is_new)


def rated_bests(best: Any) -> Any:
    """Select readings_best's rows with their chart's constant, version and rating."""
    best = best.subquery()
    return (
        select(
            *list(best.c),
            Chart.constant_tenths,
            frame_of(Chart.difficulty, Song.is_new).label("is_new"),
            rating_of(Chart.constant_tenths, best.c.achievement).label("rating"),
        )
        .join_from(best, Chart, Chart.id == best.c.chart_id)
        .join(Song, Song.id == Chart.song_id)
    )


def refresh_bests(session: Session, player_id: Optional[int] = None) -> None:
    """Bring one player's best_score rows (or every player's) in step with the archive."""
    # The lock bump_revision's UPDATE takes (FOR NO KEY UPDATE): the plays an import adds
    # hold a key-share lock on their player, which FOR UPDATE would wait on: a deadlock.
    locked = select(Player.id).order_by(Player.id).with_for_update(key_share=True)
    if player_id is not None:
        locked = locked.where(Player.id == player_id)
    session.execute(locked).all()  # PostgreSQL; SQLite writes one transaction at a time
    table = BestScore.__table__
    stale = table.delete().where(
        ~exists().where(Play.player_id == table.c.player_id, Play.chart_id == table.c.chart_id),
        ~exists().where(Score.player_id == table.c.player_id, Score.chart_id == table.c.chart_id),
    )
    if player_id is not None:
        stale = stale.where(table.c.player_id == player_id)
    session.execute(stale)
    session.execute(_upsert(session, rated_bests(readings_best(player_id))))


def rate_bests(session: Session, chart_ids: Iterable[int]) -> None:
    """Bring the constant, version and rating of every best on these charts in step."""
    chart_ids = sorted(chart_ids)
    if not chart_ids:
        return
    table = BestScore.__table__
    chart = Chart.__table__
    constant = (
        select(chart.c.constant_tenths).where(chart.c.id == table.c.chart_id).scalar_subquery()
    )
    is_new = (
        select(frame_of(chart.c.difficulty, Song.is_new))
        .join_from(chart, Song.__table__, Song.id == chart.c.song_id)
        .where(chart.c.id == table.c.chart_id)
        .scalar_subquery()
    )
    session.execute(
        table.update()
        .where(table.c.chart_id.in_(chart_ids))
        .values(
            constant_tenths=constant,
            is_new=is_new,
            rating=rating_of(constant, table.c.achievement),
        )
    )


def _upsert(session: Session, best: Any) -> Any:
    """Return an INSERT of the bests that updates the rows that differ, and only those."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - only the two supported databases
        raise RuntimeError("best_score is not kept on %s" % dialect)
    table = BestScore.__table__
    written = KEPT + RATED
    statement = insert(table).from_select(["player_id", "chart_id"] + list(written), best)
    return statement.on_conflict_do_update(
        index_elements=["player_id", "chart_id"],
        set_={name: statement.excluded[name] for name in written},
        where=or_(*[table.c[name].is_distinct_from(statement.excluded[name]) for name in written]),
    )


def kept_bests(player_id: Any) -> Any:
    """Return a subquery of a player's kept bests (id or bound parameter) by chart_id."""
    table = BestScore.__table__
    return (
        select(table.c.chart_id, *[table.c[name] for name in KEPT])
        .where(table.c.player_id == player_id)
        .subquery()
    )
