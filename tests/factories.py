"""Rows for tests, written straight to the database with sensible defaults."""

from typing import Any

from sqlalchemy.orm import Session

from maimai_probe import game
from maimai_probe.models import Play, Player, ProfileSnapshot, Score

#: 2025-10-03 13:06 China time, the newest play of the real record page.
BASE_TIME = 1759467960


def add_player(session: Session, name: str = "alice", **fields: Any) -> Player:
    """Add a player and commit."""
    values = {"name": name, "created_at": BASE_TIME - 86400 * 365}
    values.update(fields)
    player = Player(**values)
    session.add(player)
    session.commit()
    return player


def add_play(session: Session, player: Player, commit: bool = True, **fields: Any) -> Play:
    """Add a play of Re:Unknown X MASTER (DX) at S+, unless the fields say otherwise."""
    achievement = fields.get("achievement", 986484)
    values = {
        "player_id": player.id,
        "played_at": BASE_TIME,
        "utc_offset": game.CHINA_UTC_OFFSET,
        "track": 4,
        "title": "Re:Unknown X",
        "kind": game.DX,
        "difficulty": game.MASTER,
        "level": "14",
        "achievement": achievement,
        "rank": game.rank_for(achievement),
        "dx_score": 3066,
        "dx_score_max": 3567,
        "dx_stars": 1,
        "fc": game.FC_NONE,
        "fs": game.SYNC,
        "achievement_new_record": False,
        "dx_score_new_record": False,
        "service": "cn",
        "imported_at": BASE_TIME + 600,
    }
    values.update(fields)
    play = Play(**values)
    session.add(play)
    if commit:
        session.commit()
    return play


def add_plays(session: Session, player: Player, count: int, start: int = BASE_TIME, **fields: Any):
    """Add plays a minute apart, oldest at start, each on its own chart title; return them."""
    plays = [
        add_play(
            session,
            player,
            commit=False,
            **dict({"played_at": start + 60 * number, "title": "Song %04d" % number}, **fields),
        )
        for number in range(count)
    ]
    session.commit()
    return plays


def add_score(session: Session, player: Player, **fields: Any) -> Score:
    """Add a best-score reading, as a score list shows it."""
    achievement = fields.get("achievement", 1000000)
    values = {
        "player_id": player.id,
        "title": "Re:Unknown X",
        "kind": game.DX,
        "difficulty": game.MASTER,
        "achievement": achievement,
        "rank": game.rank_for(achievement),
        "dx_score": 3200,
        "dx_score_max": 3567,
        "fc": game.FC_NONE,
        "fs": game.FS_NONE,
        "source": "score_list",
        "observed_at": BASE_TIME - 86400,
    }
    values.update(fields)
    score = Score(**values)
    session.add(score)
    session.commit()
    return score


def add_profile(session: Session, player: Player, **fields: Any) -> ProfileSnapshot:
    """Add a profile snapshot."""
    values = {
        "player_id": player.id,
        "observed_at": BASE_TIME,
        "page": "home",
        "name": player.name.upper(),
        "rating": 15321,
        "title": "かけだしマイマイ",
        "course_rank": "真皆伝",
        "class_rank": "LEGEND",
        "stars": 812,
        "play_count": 1234,
        "fingerprint": "f%d" % fields.get("observed_at", BASE_TIME),
    }
    values.update(fields)
    snapshot = ProfileSnapshot(**values)
    session.add(snapshot)
    session.commit()
    return snapshot
