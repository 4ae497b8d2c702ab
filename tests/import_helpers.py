"""Helpers for the import tests: small parsed pages, players with tokens, row counts."""

import pathlib
from typing import Dict, Tuple

from sqlalchemy import func, select

from maimai_probe import game
from maimai_probe.importing import tokens
from maimai_probe.models import Base, Player
from maimai_probe.parsing.results import (
    ParsedPage,
    PlayDetail,
    PlayRecord,
    ProfileSnapshot,
    ScoreRecord,
)

PAGES = pathlib.Path(__file__).resolve().parent / "fixtures" / "pages"

#: The newest play of the shared record page, as its README lists it.
FIRST_PLAY = {
    "played_at": 1759467960,
    "utc_offset": 480,
    "ring_slot": 33,
    "track": 4,
    "title": "Re:Unknown X",
    "kind": game.DX,
    "difficulty": game.MASTER,
    "achievement": 986484,
    "rank": "sp",
    "dx_score": 3066,
    "dx_score_max": 3567,
    "dx_score_new_record": True,
    "fc": game.FC_NONE,
    "fs": game.SYNC,
    "place": 2,
    "service": "cn",
}


def play(played_at: int, **changes: object) -> PlayRecord:
    """Return a play of a made-up record page."""
    values = dict(
        played_at=played_at,
        utc_offset=game.CHINA_UTC_OFFSET,
        title="テスト曲 %d" % (played_at % 7),
        kind=game.DX,
        difficulty=game.MASTER,
        achievement=1000000 + played_at % 5000,
        rank="sss",
        dx_score=2000,
        dx_score_max=2400,
        track=1,
        ring_slot=played_at % 50,
    )
    values.update(changes)
    return PlayRecord(**values)


def record_page(*times: int) -> ParsedPage:
    """Return a made-up record page with plays at the given times."""
    return ParsedPage(page="record", service="cn", plays=[play(t) for t in times])


def detail_page(played_at: int, exact: bool = True) -> ParsedPage:
    """Return a made-up playlogDetail page of one play."""
    shown = played_at - played_at % 60 if not exact else played_at
    record = play(played_at)
    record.played_at = shown
    record.played_at_exact = exact
    detail = PlayDetail(
        judgements={"tap": [500, 20, 3, 0, 1]}, fast=10, late=12, max_combo=400, rating=15000
    )
    return ParsedPage(page="playlog_detail", service="cn", plays=[record], details={shown: detail})


def score_page(*achievements: int) -> ParsedPage:
    """Return a made-up Diving-Fish export: readings of one chart, one per achievement."""
    scores = [
        ScoreRecord(title="曲", kind=game.STANDARD, difficulty=game.EXPERT, achievement=value)
        for value in achievements
    ]
    return ParsedPage(page="divingfish_json", service="divingfish", scores=scores)


def profile_page(name: str = "ＭＡＩ", rating: int = 15000) -> ParsedPage:
    """Return a made-up home page with the player's profile."""
    profile = ProfileSnapshot(name=name, rating=rating, play_count=1234, friend_code="123")
    return ParsedPage(page="profile", service="cn", profile=profile)


def row_counts(session) -> Dict[str, int]:
    """Return how many rows each table holds."""
    return {
        table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in Base.metadata.sorted_tables
    }


def new_player(session, name: str = "舞萌玩家") -> Tuple[Player, str]:
    """Create a player; return it with its import token."""
    return tokens.create_player(session, name, now=1759000000)


def real_record_page() -> bytes:
    """Return the real record page of ../shared/fixtures, skipping where it is absent."""
    from conftest import shared_fixture

    return shared_fixture("maimai-mobile", "record.html").read_bytes()


def own_record_page() -> bytes:
    """Return our hand-made record page of four plays."""
    return (PAGES / "record_cn.html").read_bytes()


def corrupt_one_play(page: bytes) -> bytes:
    """Return a record page whose second play lost its achievement."""
    marker = b"playlog_achievement_txt"
    first = page.index(marker)
    second = page.index(marker, first + 1)
    end = page.index(b"</div>", second)
    return page[:second] + b'playlog_achievement_txt t_r">' + page[end:]


def assert_first_play(row) -> None:
    """Check a stored play against the newest play of the real record page."""
    for column, value in FIRST_PLAY.items():
        assert getattr(row, column) == value, column
