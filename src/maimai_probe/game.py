"""The game's vocabulary: chart kinds, difficulties, ranks, combo and sync marks."""

from typing import Dict, Optional

#: Chart kinds, as the official pages and the Diving-Fish format name them.
DX = "DX"
STANDARD = "SD"
KINDS = (DX, STANDARD)
KIND_LABELS = {DX: "DX", STANDARD: "标准"}

#: Difficulties by their index in the Diving-Fish format; UTAGE stands apart.
BASIC, ADVANCED, EXPERT, MASTER, REMASTER, UTAGE = 0, 1, 2, 3, 4, 10
DIFFICULTIES = (BASIC, ADVANCED, EXPERT, MASTER, REMASTER, UTAGE)
DIFFICULTY_NAMES = {
    BASIC: "BASIC",
    ADVANCED: "ADVANCED",
    EXPERT: "EXPERT",
    MASTER: "MASTER",
    REMASTER: "Re:MASTER",
    UTAGE: "UTAGE",
}
#: Short names where a card lists every difficulty of a song side by side.
DIFFICULTY_SHORT = {
    BASIC: "BAS",
    ADVANCED: "ADV",
    EXPERT: "EXP",
    MASTER: "MAS",
    REMASTER: "ReM",
    UTAGE: "宴",
}
#: The slug used in the official image names (diff_master.png) and in our URLs.
DIFFICULTY_SLUGS = {
    BASIC: "basic",
    ADVANCED: "advanced",
    EXPERT: "expert",
    MASTER: "master",
    REMASTER: "remaster",
    UTAGE: "utage",
}
DIFFICULTY_BY_SLUG = {slug: index for index, slug in DIFFICULTY_SLUGS.items()}

#: Score ranks, best first, with the lowest achievement (in 1/10000 %) each needs.
RANKS = (
    ("sssp", "SSS+", 1005000),
    ("sss", "SSS", 1000000),
    ("ssp", "SS+", 995000),
    ("ss", "SS", 990000),
    ("sp", "S+", 980000),
    ("s", "S", 970000),
    ("aaa", "AAA", 940000),
    ("aa", "AA", 900000),
    ("a", "A", 800000),
    ("bbb", "BBB", 750000),
    ("bb", "BB", 700000),
    ("b", "B", 600000),
    ("c", "C", 500000),
    ("d", "D", 0),
)
#: The highest achievement a chart allows: 101%.
MAX_ACHIEVEMENT = 1010000
RANK_LABELS = {code: label for code, label, _ in RANKS}
RANK_ORDER = {code: position for position, (code, _, _) in enumerate(reversed(RANKS))}

#: Combo marks, ordered: a higher number is a better mark.
FC_NONE, FC, FC_PLUS, AP, AP_PLUS = 0, 1, 2, 3, 4
FC_CODES = {FC_NONE: "", FC: "fc", FC_PLUS: "fcp", AP: "ap", AP_PLUS: "app"}
FC_LABELS = {FC_NONE: "", FC: "FC", FC_PLUS: "FC+", AP: "AP", AP_PLUS: "AP+"}
FC_BY_CODE = {code: mark for mark, code in FC_CODES.items()}

#: Sync marks, ordered: a higher number is a better mark.
FS_NONE, SYNC, FS, FS_PLUS, FDX, FDX_PLUS = 0, 1, 2, 3, 4, 5
FS_CODES = {FS_NONE: "", SYNC: "sync", FS: "fs", FS_PLUS: "fsp", FDX: "fsd", FDX_PLUS: "fsdp"}
FS_LABELS = {FS_NONE: "", SYNC: "SYNC", FS: "FS", FS_PLUS: "FS+", FDX: "FDX", FDX_PLUS: "FDX+"}
FS_BY_CODE = {code: mark for mark, code in FS_CODES.items()}

#: Time zones of the two services, in minutes east of UTC.
#: The DX rating's colour bands, highest first: (lowest rating, code, name on the plate).
RATING_BANDS = (
    (15000, "rainbow", "彩"),
    (14500, "platinum", "白金"),
    (14000, "gold", "金"),
    (13000, "silver", "银"),
    (12000, "bronze", "铜"),
    (10000, "purple", "紫"),
    (7000, "red", "红"),
    (4000, "yellow", "黄"),
    (2000, "green", "绿"),
    (1000, "blue", "蓝"),
    (0, "white", "白"),
)

CHINA_UTC_OFFSET = 480
JAPAN_UTC_OFFSET = 540

#: Where each service's own pages take a jacket from: /maimai-mobile/img/Music/<name>.png.
#: The jackets command fetches them from there once; pages show the site's own copy.
JACKET_SITES = {"cn": "https://maimai.wahlap.com", "intl": "https://maimaidx-eng.com"}


#: The share of the highest DX score each star needs, in thousandths: 85 % for one star.
DX_STAR_STEPS = (850, 900, 930, 950, 970)


def dx_stars(dx_score: Optional[int], dx_score_max: Optional[int]) -> int:
    """Return the DX stars (0 to 5) a DX score earns out of the chart's highest."""
    if not dx_score or not dx_score_max:
        return 0
    share = dx_score * 1000 // dx_score_max
    return sum(1 for step in DX_STAR_STEPS if share >= step)


def rank_for(achievement: int) -> str:
    """Return the rank code an achievement (in 1/10000 %) earns."""
    for code, _, lowest in RANKS:
        if achievement >= lowest:
            return code
    return "d"


def achievement_text(achievement: Optional[int]) -> str:
    """Format an achievement in 1/10000 % as the game shows it: 98.6484%."""
    if achievement is None:
        return ""
    return "%d.%04d%%" % divmod(achievement, 10000)


def parse_achievement(text: str) -> int:
    """Read an achievement such as '98.6484%' or '100.5' into 1/10000 %."""
    cleaned = text.strip().rstrip("%").strip()
    whole, _, fraction = cleaned.partition(".")
    digits = "0123456789"
    if not whole or not all(c in digits for c in whole + fraction) or len(fraction) > 4:
        raise ValueError("not an achievement: %r" % text)
    return int(whole) * 10000 + int((fraction + "0000")[:4])


def difficulty_labels() -> Dict[int, str]:
    """Return the difficulties in the order the pages list them."""
    return dict(DIFFICULTY_NAMES)


def rating_band(rating: Optional[int]) -> str:
    """Return the code of the colour band a DX rating falls in ("gold" for 14000-14499)."""
    for lowest, code, _ in RATING_BANDS:
        if (rating or 0) >= lowest:
            return code
    return "white"
