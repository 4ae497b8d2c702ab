"""What the parsers read off a page: plain data, no database and no Flask."""

from dataclasses import dataclass, field
from typing import Dict, List, Optional


@dataclass
class PlayRecord:
    """One play as an official record or playlogDetail page shows it."""

    played_at: int  # Unix time from the page's idx ("33,1759467960")
    utc_offset: int  # minutes east of UTC of the service (480 China, 540 Japan)
    title: str  # exactly as shown, unusual spaces kept
    kind: str  # game.DX or game.STANDARD
    difficulty: int  # game.BASIC ... game.REMASTER, game.UTAGE
    achievement: int  # 1/10000 %: 98.6484 % -> 986484
    rank: str  # game.RANKS code: "sp" for S+
    dx_score: int
    dx_score_max: int
    fc: int = 0  # game.FC_* mark
    fs: int = 0  # game.FS_* mark
    dx_stars: int = 0  # 0..5
    achievement_new_record: bool = False
    dx_score_new_record: bool = False
    track: Optional[int] = None  # 1..4, "曲目 04" -> 4
    place: Optional[int] = None  # multiplayer place 1..4, None when played alone
    ring_slot: Optional[int] = None  # the first part of idx
    jacket: Optional[str] = None  # image name of the jacket: "0847c38d2a623e99"
    level: Optional[str] = None  # the level label when the page shows one (utage: "14+")
    # False when the page showed no idx and played_at is only the shown minute
    # (a playlogDetail page saved without its address): match it to a play, do not key on it.
    played_at_exact: bool = True
    utage_kind: Optional[str] = None  # the UTAGE chart's mark as shown: "宴", "協", "は"
    # Set only by an archive import, which keeps what the first import recorded:
    service: Optional[str] = None  # None: the page's service
    imported_at: Optional[int] = None  # None: now


@dataclass
class PlayDetail:
    """What a playlogDetail page adds to its play."""

    judgements: Dict[str, List[int]] = field(default_factory=dict)  # tap/hold/slide/touch/break
    fast: Optional[int] = None
    late: Optional[int] = None
    max_combo: Optional[int] = None
    max_combo_total: Optional[int] = None
    max_sync: Optional[int] = None
    max_sync_total: Optional[int] = None
    rating: Optional[int] = None  # the player's rating after this play
    rating_delta: Optional[int] = None
    matching_players: List[str] = field(default_factory=list)


@dataclass
class ScoreRecord:
    """A best score per chart, from a score-list page or a Diving-Fish record."""

    title: str
    kind: str
    difficulty: int
    achievement: int
    dx_score: Optional[int] = None
    dx_score_max: Optional[int] = None
    fc: int = 0
    fs: int = 0
    rank: Optional[str] = None
    level: Optional[str] = None
    song_id: Optional[int] = None  # the Diving-Fish song id, when the source names one
    # Set only by an archive import, which keeps where and when the reading was made:
    source: Optional[str] = None  # None: the page's kind decides
    observed_at: Optional[int] = None  # None: now


@dataclass
class ProfileSnapshot:
    """A player's profile as the home, playerData or friend-code page shows it."""

    name: str
    rating: Optional[int] = None
    title: Optional[str] = None  # the player's title plate (称号)
    course_rank: Optional[str] = None  # 段位, from the course_rank image
    class_rank: Optional[str] = None  # class, from the class_rank image
    stars: Optional[int] = None
    play_count: Optional[int] = None
    friend_code: Optional[str] = None
    icon: Optional[str] = None


@dataclass
class ArchivedSnapshot:
    """A profile snapshot read back from an archive export, with when and where it was seen."""

    profile: ProfileSnapshot
    observed_at: int
    page: str
    fingerprint: str  # kept as exported: it is the snapshot's identity across archives


@dataclass
class ChosenChart:
    """A catalog chart named as every copy of the catalog names it, not by our row ids."""

    catalog_id: Optional[str]  # the Diving-Fish song id: "383"
    title: str  # the catalog's title, which may differ from the shown one: "Link(CoF)"
    kind: str
    difficulty: int


@dataclass
class ArchivedAlias:
    """A player's choice of chart for a shown title, read back from an archive export."""

    title: str  # as the official pages show it
    kind: str
    difficulty: int
    chart: ChosenChart
    created_at: int


@dataclass
class ParsedPage:
    """Everything one page yielded, with what kind of page it was."""

    page: str  # "record", "playlog_detail", "score_list", "profile", "divingfish_json", "archive"
    # "cn" (maimai.wahlap.com), "intl" (maimaidx-eng.com), "divingfish", or "archive" (each
    # play then carries its own)
    service: str
    plays: List[PlayRecord] = field(default_factory=list)
    details: Dict[int, PlayDetail] = field(default_factory=dict)  # by played_at
    scores: List[ScoreRecord] = field(default_factory=list)
    profile: Optional[ProfileSnapshot] = None
    snapshots: List[ArchivedSnapshot] = field(default_factory=list)  # archive imports only
    aliases: List[ArchivedAlias] = field(default_factory=list)  # archive imports only


class PageError(ValueError):
    """A page we cannot import: an official error page or one we do not understand."""

    def __init__(self, message: str, recognised: str = "unknown") -> None:
        super().__init__(message)
        self.message = message
        self.recognised = recognised
