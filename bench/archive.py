"""Fill a PostgreSQL database with the catalog and a large, believable archive of plays.

    .venv/bin/python -m bench.archive --url postgresql://user:pass@127.0.0.1/probe_bench \\
        [--plays 100000] [--players 10] [--seed 2025]

The database is migrated, then given the catalog (../shared/fixtures/diving-fish/music_data.json
when present, else the demo catalog) through sync.py, then the plays through COPY. Each
player has a skill that rises over the years and favourite charts (a heavy-tailed preference),
so a chart is played from once to dozens of times and the diff page's subqueries have history.
One play in ten has its playlogDetail; one in two hundred is of a title the catalog lacks.
The same seed gives the same rows. The database ends vacuumed and analysed, as autovacuum
leaves a live one, so the planner has statistics and index-only scans their visibility map.
"""

import argparse
import csv
import datetime
import hashlib
import io
import json
import math
import random
import time
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple

from bench import common
from maimai_probe import answer_deadline, config, db, game
from maimai_probe.catalog import sync
from maimai_probe.models import Chart, Player, ProfileSnapshot, Song

#: 2023-01-01 00:00 China time: the first player's first arcade day.
START = 1672502400
CHINA = datetime.timezone(datetime.timedelta(minutes=game.CHINA_UTC_OFFSET))
#: The history is cut into eras; within one the player's skill (and so their choice of
#: charts) stays the same, which lets each era's charts be drawn in one call.
ERAS = 12
DETAIL_SHARE = 0.10
UNKNOWN_SHARE = 0.005
UNKNOWN_TITLES = ["未収録曲 %d" % number for number in range(1, 21)]

PLAY_COLUMNS = (
    "id",
    "player_id",
    "played_at",
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
    "chart_id",
    "service",
    "imported_at",
)
DETAIL_COLUMNS = (
    "play_id",
    "judgements",
    "fast",
    "late",
    "max_combo",
    "max_combo_total",
    "max_sync",
    "max_sync_total",
    "rating",
    "rating_delta",
    "matching_players",
)
DX_STAR_STEPS = ((97, 5), (95, 4), (93, 3), (90, 2), (85, 1))


class PlayableChart(NamedTuple):
    """A chart players pick: its id and what a play of it shows."""

    chart_id: int
    title: str
    kind: str
    difficulty: int
    level: Optional[str]
    constant: float
    notes: int


class ArchiveSummary(NamedTuple):
    """What a generated archive holds and how long it took."""

    catalog: str
    songs: int
    charts: int
    players: int
    plays: int
    details: int
    distinct_charts: int
    most_plays_on_a_chart: int
    seconds: float


def catalog_path() -> str:
    """Return the catalog file: the shared real one when present, else the demo catalog."""
    if common.SHARED_CATALOG.exists():
        return str(common.SHARED_CATALOG)
    return str(common.DEMO_CATALOG)


def load_catalog(session: Any, path: str) -> sync.SyncResult:
    """Read a music_data file and store its songs and charts through sync.py."""
    result = sync.sync_catalog(session, sync.read_catalog(sync.load_file(path)))
    session.commit()
    return result


def playable_charts(session: Any) -> List[PlayableChart]:
    """Return the EXPERT, MASTER and Re:MASTER charts with a known constant."""
    from sqlalchemy import select

    rows = session.execute(
        select(
            Chart.id,
            Song.title,
            Song.kind,
            Chart.difficulty,
            Chart.level,
            Chart.constant_tenths,
            Chart.notes,
        )
        .join(Song, Chart.song_id == Song.id)
        .where(
            Chart.difficulty.in_((game.EXPERT, game.MASTER, game.REMASTER)),
            Chart.constant_tenths.isnot(None),
        )
        .order_by(Chart.id)
    ).all()
    return [
        PlayableChart(row[0], row[1], row[2], row[3], row[4], row[5] / 10.0, row[6] or 800)
        for row in rows
    ]


def achievement_for(rnd: random.Random, constant: float, skill: float, practice: int) -> int:
    """Return a believable achievement in 1/10000 %: lower on charts above the player's skill."""
    expected = 99.3 - 2.2 * max(0.0, constant - skill) + 0.6 * max(0.0, skill - constant)
    expected += min(practice, 8) * 0.12
    value = rnd.gauss(expected, 0.9)
    return max(600000, min(1010000, int(round(value * 10000))))


def combo_mark(rnd: random.Random, achievement: int) -> int:
    """Return the combo mark a play of this achievement plausibly earned."""
    roll = rnd.random()
    if achievement >= 1008000 and roll < 0.3:
        return game.AP_PLUS if roll < 0.05 else game.AP
    if achievement >= 1000000 and roll < 0.45:
        return game.FC_PLUS
    if achievement >= 990000 and roll < 0.35:
        return game.FC
    return game.FC_NONE


def stars_for(dx_score: int, dx_score_max: int) -> int:
    """Return the DX stars a DX score earns."""
    ratio = 100.0 * dx_score / dx_score_max
    for lowest, stars in DX_STAR_STEPS:
        if ratio >= lowest:
            return stars
    return 0


def play_times(rnd: random.Random, start: int, count: int) -> List[Tuple[int, int]]:
    """Return (Unix time, track) of count plays: credits of four tracks, sessions every few days."""
    times = []  # type: List[Tuple[int, int]]
    day = start
    while len(times) < count:
        moment = day + rnd.randint(11, 20) * 3600 + rnd.randint(0, 3599)
        for _credit in range(rnd.randint(2, 8)):
            for track in range(1, 5):
                times.append((moment, track))
                moment += rnd.randint(200, 330)
            moment += rnd.randint(60, 1500)
        day += 86400 * rnd.choice((1, 1, 1, 2, 2, 3, 5))
    return times[:count]


def chart_weights(
    charts: Sequence[PlayableChart], favourites: Sequence[float], skill: float
) -> List[float]:
    """Return cumulative weights of picking each chart at a skill: near it, and favourites."""
    total = 0.0
    cumulative = []
    for chart, favourite in zip(charts, favourites):
        distance = (chart.constant - skill - 0.3) / 0.8
        total += favourite * math.exp(-distance * distance)
        cumulative.append(total)
    return cumulative


def judgements_for(rnd: random.Random, notes: int, achievement: int) -> Dict[str, List[int]]:
    """Return made-up judgement counts of a play, per note type."""
    shares = (("tap", 0.62), ("hold", 0.12), ("slide", 0.14), ("touch", 0.06), ("break", 0.06))
    misses = max(0, int((1010000 - achievement) / 4000))
    found = {}
    for name, share in shares:
        total = max(1, int(notes * share))
        miss = min(total, rnd.randint(0, misses))
        good = min(total - miss, rnd.randint(0, misses))
        great = min(total - miss - good, rnd.randint(0, misses * 3))
        perfect = min(total - miss - good - great, rnd.randint(0, total // 3))
        critical = total - miss - good - great - perfect
        found[name] = [critical, perfect, great, good, miss]
    return found


def player_rows(
    rnd: random.Random,
    player_id: int,
    charts: Sequence[PlayableChart],
    count: int,
    first_id: int,
) -> Tuple[List[Sequence[Any]], List[Sequence[Any]], List[Dict[str, Any]]]:
    """Return one player's plays, details and monthly profile snapshots."""
    times = play_times(rnd, START + (player_id - 1) * 9 * 86400, count)
    favourites = [min(rnd.paretovariate(1.2), 25.0) for _ in charts]
    first_skill = 11.5 + 0.25 * (player_id - 1) + rnd.uniform(-0.2, 0.2)
    plays = []  # type: List[Sequence[Any]]
    details = []  # type: List[Sequence[Any]]
    best = {}  # type: Dict[int, Tuple[int, int]]
    practice = {}  # type: Dict[int, int]
    era_size = int(math.ceil(count / float(ERAS)))
    picks = []  # type: List[PlayableChart]
    for era in range(ERAS):
        skill = first_skill + 1.2 * era / (ERAS - 1)
        cumulative = chart_weights(charts, favourites, skill)
        picks.extend(rnd.choices(charts, cum_weights=cumulative, k=era_size))
    rating = 11000 + 300 * player_id
    for number, ((played_at, track), chart) in enumerate(zip(times, picks)):
        play_id = first_id + number
        skill = first_skill + 1.2 * number / float(count)
        achievement = achievement_for(rnd, chart.constant, skill, practice.get(chart.chart_id, 0))
        practice[chart.chart_id] = practice.get(chart.chart_id, 0) + 1
        dx_score_max = chart.notes * 3
        dx_ratio = min(1.0, 0.72 + 0.28 * max(0.0, achievement - 940000) / 65000.0)
        dx_score = int(dx_score_max * dx_ratio * rnd.uniform(0.97, 1.0))
        previous = best.get(chart.chart_id, (0, 0))
        best[chart.chart_id] = (max(previous[0], achievement), max(previous[1], dx_score))
        multiplayer = rnd.random() < 0.3
        title, chart_id = chart.title, chart.chart_id
        if rnd.random() < UNKNOWN_SHARE:
            title, chart_id = rnd.choice(UNKNOWN_TITLES), None
        local = datetime.datetime.fromtimestamp(played_at, CHINA)
        day_end = played_at + (24 - local.hour) * 3600
        plays.append(
            (
                play_id,
                player_id,
                played_at,
                game.CHINA_UTC_OFFSET,
                number % 50,
                track,
                title,
                chart.kind,
                chart.difficulty,
                chart.level,
                achievement,
                game.rank_for(achievement),
                dx_score,
                dx_score_max,
                stars_for(dx_score, dx_score_max),
                combo_mark(rnd, achievement),
                game.SYNC if multiplayer else game.FS_NONE,
                achievement > previous[0],
                dx_score > previous[1],
                rnd.randint(1, 2) if multiplayer else None,
                "%016x.png" % (chart.chart_id * 2654435761 % (1 << 64)),
                chart_id,
                "cn",
                day_end + 3600,
            )
        )
        if rnd.random() < DETAIL_SHARE:
            delta = rnd.choice((0, 0, 0, 1, 3, 7, 12))
            rating += delta
            combo = chart.notes - rnd.randint(0, max(1, (1010000 - achievement) // 2000))
            details.append(
                (
                    play_id,
                    json.dumps(judgements_for(rnd, chart.notes, achievement)),
                    rnd.randint(0, 120),
                    rnd.randint(0, 120),
                    max(1, combo),
                    chart.notes,
                    rnd.randint(0, chart.notes) if multiplayer else 0,
                    chart.notes * 2 if multiplayer else 0,
                    rating,
                    delta,
                    json.dumps(["ＰＬＡＹＥＲ%d" % rnd.randint(1, 999)]) if multiplayer else None,
                )
            )
    profiles = monthly_profiles(player_id, times, rating)
    return plays, details, profiles


def monthly_profiles(player_id: int, times: Sequence[Tuple[int, int]], rating: int) -> List[Any]:
    """Return one profile snapshot at the end of each month the player played."""
    last_of_month = {}  # type: Dict[Tuple[int, int], int]
    for played_at, _ in times:
        local = datetime.datetime.fromtimestamp(played_at, CHINA)
        last_of_month[(local.year, local.month)] = played_at
    profiles = []
    months = sorted(last_of_month)
    for number, month in enumerate(months):
        observed_at = last_of_month[month] + 3600
        profiles.append(
            {
                "player_id": player_id,
                "observed_at": observed_at,
                "page": "home",
                "name": "ＰＬＡＹＥＲ%02d" % player_id,
                "rating": rating - 40 * (len(months) - number),
                "title": "舞萌DX 查分器",
                "course_rank": "初段",
                "class_rank": "B1",
                "stars": 100 + number * 9,
                "play_count": (number + 1) * 300,
                "fingerprint": hashlib.sha256(b"%d-%d" % (player_id, observed_at)).hexdigest(),
            }
        )
    return profiles


def copy_rows(connection: Any, table: str, columns: Sequence[str], rows: Sequence[Any]) -> None:
    """Send rows to a table with PostgreSQL's COPY, as CSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow(["t" if v is True else "f" if v is False else v for v in row])
    buffer.seek(0)
    cursor = connection.cursor()
    try:
        with answer_deadline.waiting_as_libpq():
            cursor.copy_expert(
                "COPY %s (%s) FROM STDIN WITH (FORMAT csv)" % (table, ", ".join(columns)), buffer
            )
    finally:
        cursor.close()


def build(url: str, plays: int = 100000, players: int = 10, seed: int = 2025) -> ArchiveSummary:
    """Migrate an empty database and fill it with the catalog and the players' plays."""
    from sqlalchemy import func, insert, select, text

    from maimai_probe.models import Play
    from maimai_probe.rating.bests import refresh_bests

    started = time.perf_counter()
    database = db.Database(config.normalise_database_url(url))
    try:
        database.migrate()
        session = database.session()
        path = catalog_path()
        synced = load_catalog(session, path)
        charts = playable_charts(session)
        session.execute(
            insert(Player),
            [
                {"id": number, "name": "player%02d" % number, "created_at": START}
                for number in range(1, players + 1)
            ],
        )
        session.commit()
        raw = database.engine.raw_connection()
        next_id = 1
        all_details = 0
        try:
            for player_id in range(1, players + 1):
                share = plays // players + (1 if player_id <= plays % players else 0)
                rnd = random.Random("%d-%d" % (seed, player_id))
                rows, details, profiles = player_rows(rnd, player_id, charts, share, next_id)
                next_id += len(rows)
                all_details += len(details)
                copy_rows(raw, "play", PLAY_COLUMNS, rows)
                copy_rows(raw, "play_detail", DETAIL_COLUMNS, details)
                raw.commit()
                session.execute(insert(ProfileSnapshot), profiles)
                session.commit()
        finally:
            raw.close()
        for table in ("player", "play"):  # the bench's own table names, not input
            last = "(SELECT max(id) FROM %s)" % table  # noqa: S608
            session.execute(
                text("SELECT setval(pg_get_serial_sequence(:table, 'id'), %s)" % last),
                {"table": table},
            )
        refresh_bests(session)  # as imports keep them: the plays were copied in linked
        session.commit()
        with database.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("VACUUM ANALYZE")
            )
        per_chart = (
            select(func.count().label("plays"))
            .select_from(Play)
            .group_by(Play.player_id, Play.chart_id)
            .subquery()
        )
        distinct, most = session.execute(
            select(func.count(), func.max(per_chart.c.plays)).select_from(per_chart)
        ).one()
        session.close()
    finally:
        database.dispose()
    return ArchiveSummary(
        catalog=path,
        songs=synced.songs,
        charts=synced.charts,
        players=players,
        plays=plays,
        details=all_details,
        distinct_charts=distinct,
        most_plays_on_a_chart=most,
        seconds=time.perf_counter() - started,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="an empty PostgreSQL database")
    parser.add_argument("--plays", type=int, default=100000)
    parser.add_argument("--players", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2025)
    options = parser.parse_args()
    summary = build(options.url, options.plays, options.players, options.seed)
    for name, value in summary._asdict().items():
        print("%-22s %s" % (name, common.cell(value)))


if __name__ == "__main__":
    main()
