"""The plates (名牌版) of maimai DX China: which versions, which charts, what each requires.

Pure rules, no database: a plate is a requirement (clear, FC, SSS, AP, FDX) met on every
chart of one group of versions. The groups and names follow the China server; the catalog
names versions as Diving-Fish's music_data does (`basic_info.from`). docs/progress.md has the
table a player can check.
"""

from typing import List, NamedTuple, Optional, Tuple

from .. import game

#: Requirements, in the order the pages list them, and what each needs of a chart's best.
CLEAR, FC, SSS, AP, FSD = "clear", "fc", "sss", "ap", "fsd"
REQUIREMENTS = (FC, SSS, AP, FSD, CLEAR)
REQUIREMENT_LABELS = {
    CLEAR: "全曲通关",
    FC: "全曲 FC",
    SSS: "全曲 SSS",
    AP: "全曲 AP",
    FSD: "全曲 FDX",
}
#: What a missing chart lacks, as the cards say it.
LACKS = {CLEAR: "通关", FC: "FC", SSS: "SSS", AP: "AP", FSD: "FDX"}
#: The plate's second half by requirement: 晓极, 晓将, 晓神, 晓舞舞.
SUFFIXES = {FC: "极", SSS: "将", AP: "神", FSD: "舞舞"}
#: The lowest achievement that clears a chart (rank A), and the one of SSS.
CLEAR_ACHIEVEMENT = 800000
SSS_ACHIEVEMENT = 1000000


class VersionGroup(NamedTuple):
    """The versions one series of plates covers."""

    series: Tuple[str, ...]  # plate heads, as the China server shows them: ("熊", "华")
    name: str  # what players call the group: "舞萌DX 2021", "maimai GreeN"
    versions: Tuple[str, ...]  # the catalog's version names (basic_info.from) it counts
    requirements: Tuple[str, ...]
    remaster: bool  # Re:MASTER charts count
    version: str  # as the API names it: a DX year by the one name the China catalog uses


OLD_VERSIONS = (
    ("真", "maimai · maimai PLUS", ("maimai", "maimai PLUS")),
    ("超", "maimai GreeN", ("maimai GreeN",)),
    ("檄", "maimai GreeN PLUS", ("maimai GreeN PLUS",)),
    ("橙", "maimai ORANGE", ("maimai ORANGE",)),
    ("晓", "maimai ORANGE PLUS", ("maimai ORANGE PLUS",)),
    ("桃", "maimai PiNK", ("maimai PiNK",)),
    ("樱", "maimai PiNK PLUS", ("maimai PiNK PLUS",)),
    ("紫", "maimai MURASAKi", ("maimai MURASAKi",)),
    ("堇", "maimai MURASAKi PLUS", ("maimai MURASAKi PLUS",)),
    ("白", "maimai MiLK", ("maimai MiLK",)),
    ("雪", "MiLK PLUS", ("MiLK PLUS",)),
    ("辉", "maimai FiNALE", ("maimai FiNALE",)),
)
#: The China server joins each Japanese version with its PLUS: one version a year, two plates.
DX_VERSIONS = (
    (("熊", "华"), "舞萌DX", ("maimai でらっくす", "maimai でらっくす PLUS")),
    (("爽", "煌"), "舞萌DX 2021", ("maimai でらっくす Splash", "maimai でらっくす Splash PLUS")),
    (
        ("宙", "星"),
        "舞萌DX 2022",
        ("maimai でらっくす UNiVERSE", "maimai でらっくす UNiVERSE PLUS"),
    ),
    (
        ("祭", "祝"),
        "舞萌DX 2023",
        ("maimai でらっくす FESTiVAL", "maimai でらっくす FESTiVAL PLUS"),
    ),
    (("双", "宴"), "舞萌DX 2024", ("maimai でらっくす BUDDiES", "maimai でらっくす BUDDiES PLUS")),
    (("镜", "彩"), "舞萌DX 2025", ("maimai でらっくす PRiSM", "maimai でらっくす PRiSM PLUS")),
)
#: 真 has no 将 plate: the game never had one.
SHIN_REQUIREMENTS = (FC, AP, FSD)
PLAIN_REQUIREMENTS = (FC, SSS, AP, FSD)


def _groups() -> Tuple[VersionGroup, ...]:
    """Return every version group, oldest first, the 舞 group after the old versions."""
    groups = []  # type: List[VersionGroup]
    for head, name, versions in OLD_VERSIONS:
        requirements = SHIN_REQUIREMENTS if head == "真" else PLAIN_REQUIREMENTS
        groups.append(
            VersionGroup((head,), name, versions, requirements, False, " / ".join(versions))
        )
    every_old = tuple(version for _, _, versions in OLD_VERSIONS for version in versions)
    everything = PLAIN_REQUIREMENTS + (CLEAR,)
    groups.append(
        VersionGroup(("舞",), "maimai ~ FiNALE", every_old, everything, True, " / ".join(every_old))
    )
    for heads, name, versions in DX_VERSIONS:
        groups.append(VersionGroup(heads, name, versions, PLAIN_REQUIREMENTS, False, versions[0]))
    return tuple(groups)


GROUPS = _groups()

#: Songs the catalog still lists but the China server's plates leave out: removed from the
#: game (licences ended) or seasonal (ジングルベル). Diving-Fish ids; the probers' plate tools
#: keep the same list. A sync cannot tell, so this list is kept by hand.
LEFT_OUT = frozenset(
    (
        "70",  # ジングルベル
        "146",  # 39
        "185",  # ＊ハロー、プラネット。
        "189",  # 弱虫モンブラン
        "190",  # モザイクロール
        "341",  # 二息歩行
        "419",  # ストリーミングハート
        "451",  # 頓珍漢の宴
        "455",  # Counselor
        "460",  # 閃鋼のブリューナク
        "524",  # Hand in Hand
        "687",  # 共感覚おばけ
        "688",  # 麒麟
        "712",  # ミラクル・ショッピング
        "731",  # 妄想感傷代償連盟
        "792",  # ヒバナ
        "853",  # 前前前世
        "10146",  # 39 (DX)
        "11213",  # Arty Party
        "11253",  # おジャ魔女カーニバル!!
        "11267",  # ディカディズム
    )
)


class Plate(NamedTuple):
    """One plate: a requirement over a group of versions."""

    name: str  # as the game shows it: 晓将, 舞舞舞, 霸者
    head: str  # 晓
    requirement: str
    group: VersionGroup

    @property
    def version(self) -> str:
        """Return the catalog's version name; " / " joins them for a plate over several."""
        return self.group.version

    @property
    def difficulties(self) -> Tuple[int, ...]:
        """Return the difficulties whose charts count."""
        last = game.REMASTER if self.group.remaster else game.MASTER
        return tuple(range(game.BASIC, last + 1))


def plate_name(head: str, requirement: str) -> str:
    """Return a plate's name: 晓将; the clear plate over the old versions is 霸者."""
    if requirement == CLEAR:
        return "霸者"
    return head + SUFFIXES[requirement]


def _plates() -> Tuple[Plate, ...]:
    """Return every plate, in version order, each version's requirements in order."""
    plates = []
    for group in GROUPS:
        for head in group.series:
            for requirement in group.requirements:
                plates.append(Plate(plate_name(head, requirement), head, requirement, group))
    return tuple(plates)


PLATES = _plates()
PLATES_BY_NAME = {plate.name: plate for plate in PLATES}
#: Other spellings players type: the Japanese forms and 舞舞 for 舞舞舞.
ALIASES = {"暁": "晓", "櫻": "樱", "菫": "堇", "輝": "辉", "華": "华", "鏡": "镜", "極": "极"}
#: Every catalog version some plate covers.
KNOWN_VERSIONS = frozenset(version for group in GROUPS for version in group.versions)


def find_plate(name: str) -> Optional[Plate]:
    """Return the plate of a name as players write it (晓将, 暁将, 舞舞舞, 覇者), or None."""
    spelled = "".join(ALIASES.get(character, character) for character in name.strip())
    spelled = spelled.replace("覇", "霸")
    return PLATES_BY_NAME.get(spelled)


def plates_of_version(version: str) -> List[Plate]:
    """Return the plates covering a version, named as the catalog, the group or its plate head."""
    wanted = version.strip()
    return [
        plate
        for plate in PLATES
        if wanted in plate.group.versions
        or wanted == plate.group.name
        or wanted == plate.version
        or wanted in plate.group.series
    ]


class Best(NamedTuple):
    """A player's best on one chart, each part its own best: the game keeps them apart."""

    achievement: int
    fc: int
    fs: int


def meets(requirement: str, best: Optional[Best]) -> bool:
    """Tell whether a chart's best meets a plate's requirement."""
    if best is None:
        return False
    if requirement == CLEAR:
        return best.achievement >= CLEAR_ACHIEVEMENT
    if requirement == SSS:
        return best.achievement >= SSS_ACHIEVEMENT
    if requirement == FC:
        return best.fc >= game.FC
    if requirement == AP:
        return best.fc >= game.AP
    return best.fs >= game.FDX
