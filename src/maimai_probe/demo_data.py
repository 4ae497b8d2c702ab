"""A demo player with a believable history on a small catalog written for the project."""

import datetime
import json
import os
import random
import time
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from . import db, game
from .importing import tokens
from .parsing.results import ParsedPage, PlayRecord, ProfileSnapshot

CATALOG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "demo_catalog.json")
DEMO_PLAYER = "demo"
CHINA = datetime.timezone(datetime.timedelta(minutes=game.CHINA_UTC_OFFSET))
FIRST_DAY = datetime.date(2025, 5, 3)
LAST_DAY = datetime.date(2025, 10, 31)

# (lowest DX score ratio in per cent, stars) as the official pages count them
DX_STAR_STEPS = ((97, 5), (95, 4), (93, 3), (90, 2), (85, 1))


def load_catalog() -> List[Dict[str, Any]]:
    """Return the demo catalog in the Diving-Fish music_data format."""
    with open(CATALOG, encoding="utf-8") as handle:
        return json.load(handle)


def playable_charts(catalog: List[Dict[str, Any]]) -> List[Tuple[str, str, int, float, int]]:
    """List (title, kind, difficulty, constant, total notes) of the charts a player picks."""
    charts = []
    for song in catalog:
        if int(song["id"]) >= 100000:
            continue  # UTAGE: played now and then, not part of the daily routine
        for difficulty, constant in enumerate(song["ds"]):
            if difficulty >= game.EXPERT:
                notes = sum(song["charts"][difficulty]["notes"])
                charts.append((song["title"], song["type"], difficulty, constant, notes))
    return charts


def skill_on(day: datetime.date) -> float:
    """Return the constant the demo player clears at about 99 % on a day: rising over months."""
    progress = (day - FIRST_DAY).days / float((LAST_DAY - FIRST_DAY).days)
    return 12.4 + 1.5 * progress


def play_result(rnd: random.Random, constant: float, skill: float, practice: int) -> int:
    """Return a believable achievement in 1/10000 % for one play."""
    expected = 99.3 - 2.2 * max(0.0, constant - skill) + 0.6 * max(0.0, skill - constant)
    expected += min(practice, 8) * 0.12
    achievement = rnd.gauss(expected, 0.9)
    return max(600000, min(game.MAX_ACHIEVEMENT, int(round(achievement * 10000))))


def combo_mark(rnd: random.Random, achievement: int) -> int:
    """Return the combo mark a play of this achievement plausibly earned."""
    roll = rnd.random()
    if achievement >= 1004000 and roll < 0.25:
        return game.AP
    if achievement >= 1000000 and roll < 0.45:
        return game.FC_PLUS
    if achievement >= 990000 and roll < 0.35:
        return game.FC
    return game.FC_NONE


def dx_stars(dx_score: int, dx_score_max: int) -> int:
    """Return the DX stars a DX score earns."""
    ratio = 100.0 * dx_score / dx_score_max
    for lowest, stars in DX_STAR_STEPS:
        if ratio >= lowest:
            return stars
    return 0


def play_days(rnd: random.Random) -> List[datetime.date]:
    """Return the days the demo player went to the arcade: two or three a week."""
    days = []
    day = FIRST_DAY
    while day <= LAST_DAY:
        if rnd.random() < (0.55 if day.weekday() >= 5 else 0.22):
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def demo_history(seed: int = 39) -> List[PlayRecord]:
    """Generate the demo player's plays, oldest first."""
    rnd = random.Random(seed)
    charts = playable_charts(load_catalog())
    plays = []  # type: List[PlayRecord]
    best = {}  # type: Dict[Tuple[str, str, int], Tuple[int, int]]
    practice = {}  # type: Dict[Tuple[str, str, int], int]
    for day in play_days(rnd):
        skill = skill_on(day)
        start = datetime.datetime(
            day.year, day.month, day.day, rnd.randint(12, 19), 0, tzinfo=CHINA
        )
        moment = start + datetime.timedelta(minutes=rnd.randint(0, 59))
        suitable = [chart for chart in charts if abs(chart[3] - skill) < 2.0]
        for _credit in range(rnd.choice((1, 2, 2, 3))):
            multiplayer = rnd.random() < 0.3
            for track in range(1, 5):
                title, kind, difficulty, constant, notes = rnd.choice(suitable)
                key = (title, kind, difficulty)
                achievement = play_result(rnd, constant, skill, practice.get(key, 0))
                practice[key] = practice.get(key, 0) + 1
                dx_score_max = notes * 3
                dx_ratio = min(1.0, 0.72 + 0.28 * max(0.0, achievement - 940000) / 65000.0)
                dx_score = int(dx_score_max * dx_ratio * rnd.uniform(0.97, 1.0))
                previous = best.get(key, (0, 0))
                best[key] = (max(previous[0], achievement), max(previous[1], dx_score))
                plays.append(
                    PlayRecord(
                        played_at=int(moment.timestamp()),
                        utc_offset=game.CHINA_UTC_OFFSET,
                        title=title,
                        kind=kind,
                        difficulty=difficulty,
                        achievement=achievement,
                        rank=game.rank_for(achievement),
                        dx_score=dx_score,
                        dx_score_max=dx_score_max,
                        fc=combo_mark(rnd, achievement),
                        fs=game.SYNC if multiplayer else game.FS_NONE,
                        dx_stars=dx_stars(dx_score, dx_score_max),
                        achievement_new_record=achievement > previous[0],
                        dx_score_new_record=dx_score > previous[1],
                        track=track,
                        place=rnd.randint(1, 2) if multiplayer else None,
                        ring_slot=len(plays) % 50,
                    )
                )
                moment += datetime.timedelta(minutes=rnd.randint(4, 6))
            moment += datetime.timedelta(minutes=rnd.randint(5, 40))
    return plays


def rating_after(plays: List[PlayRecord], catalog: List[Dict[str, Any]]) -> int:
    """Return the best-50 rating these plays earn on the catalog, as the game would show it."""
    from .catalog.sync import constant_tenths
    from .rating.formula import ChartBest, best50

    charts = {}  # type: Dict[Tuple[str, str, int], Tuple[int, bool]]
    ambiguous = set()
    for song in catalog:
        for difficulty, constant in enumerate(song["ds"]):
            key = (song["title"], song["type"], difficulty)
            if key in charts:
                ambiguous.add(key)  # two songs share the title: the archive will not guess
            charts[key] = (constant_tenths(constant), bool(song["basic_info"]["is_new"]))
    for key in ambiguous:
        del charts[key]
    best = {}  # type: Dict[Tuple[str, str, int], int]
    for play in plays:
        key = (play.title, play.kind, play.difficulty)
        best[key] = max(best.get(key, 0), play.achievement)
    return best50(
        ChartBest(number, key[0], key[1], key[2], None, charts[key][0], achievement, charts[key][1])
        for number, (key, achievement) in enumerate(sorted(best.items()))
        if key in charts
    ).total


def monthly_pages(plays: List[PlayRecord]) -> List[Tuple[int, ParsedPage]]:
    """Group plays into one import a month, each with the profile snapshot of its end."""
    catalog = load_catalog()
    by_month = {}  # type: Dict[Tuple[int, int], List[PlayRecord]]
    for play in plays:
        moment = datetime.datetime.fromtimestamp(play.played_at, CHINA)
        by_month.setdefault((moment.year, moment.month), []).append(play)
    pages = []
    so_far = []  # type: List[PlayRecord]
    for month in sorted(by_month):
        month_plays = by_month[month]
        so_far.extend(month_plays)
        observed_at = month_plays[-1].played_at + 3600
        profile = ProfileSnapshot(
            name="ＤＥＭＯ",
            title="舞萌DX 查分器 演示",
            rating=rating_after(so_far, catalog),
            course_rank="初段" if month < (2025, 8) else "二段",
            class_rank="B3" if month < (2025, 9) else "B1",
            stars=len(so_far) // 9,
            play_count=len(so_far) + 212,
        )
        pages.append((observed_at, ParsedPage(page="record", service="cn", plays=month_plays)))
        pages.append((observed_at, ParsedPage(page="profile", service="cn", profile=profile)))
    return pages


class SeedResult(NamedTuple):
    """What seeding the demo added."""

    player: str
    token: Optional[str]  # a fresh import token when the demo player was created now
    plays: int
    new_plays: int
    snapshots: int
    rating: int


def seed(session: Session, now: int) -> SeedResult:
    """Load the demo catalog and the demo player's history; a second run adds nothing."""
    from .catalog.sync import read_catalog, sync_catalog
    from .importing.store import import_pages
    from .rating.best50 import player_rating

    sync_catalog(session, read_catalog(load_catalog()))
    session.commit()
    player = tokens.find_player(session, DEMO_PLAYER)
    token = None
    if player is None:
        player, token = tokens.create_player(session, DEMO_PLAYER, now)
    plays = new_plays = snapshots = 0
    for observed_at, page in monthly_pages(demo_history()):
        result = import_pages(session, player, [page], observed_at)
        plays += result.files[0].new["plays"] + result.files[0].known["plays"]
        new_plays += result.files[0].new["plays"]
        snapshots += result.files[0].new["snapshots"]
    rating = player_rating(session, player.id).best50.total
    return SeedResult(player.name, token, plays, new_plays, snapshots, rating)


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the demo catalog and a demo player with months of plays (safe to run again)."""
    with db.database().session() as session:
        result = seed(session, int(time.time()))
    click.echo(
        "示例玩家 %s：%d 次游玩（新增 %d），新增 %d 份玩家信息，Rating %d"
        % (result.player, result.plays, result.new_plays, result.snapshots, result.rating)
    )
    if result.token:
        click.echo("%s 的导入令牌（只显示这一次）：" % result.player)
        click.echo(result.token)


def init_app(app: Flask) -> None:
    """Add the seed-demo command."""
    app.cli.add_command(seed_demo_command)
