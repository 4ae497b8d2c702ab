"""Read the game's marks off the official pages' image names."""

import re
from typing import Optional

from .. import game

_PLACES = {"1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_DX_STARS = re.compile(r"^dxstar_([0-5])$")

# The record pages spell marks out ("fcplus", "fsdplus"); the score lists abbreviate them
# ("music_icon_fcp"), and the international site says "fdx" where the CN site says "fsd".
_FC_NAMES = {
    "fc": game.FC,
    "fcplus": game.FC_PLUS,
    "fcp": game.FC_PLUS,
    "ap": game.AP,
    "applus": game.AP_PLUS,
    "app": game.AP_PLUS,
}
_FS_NAMES = {
    "sync": game.SYNC,
    "fs": game.FS,
    "fsplus": game.FS_PLUS,
    "fsp": game.FS_PLUS,
    "fsd": game.FDX,
    "fdx": game.FDX,
    "fsdplus": game.FDX_PLUS,
    "fsdp": game.FDX_PLUS,
    "fdxplus": game.FDX_PLUS,
    "fdxp": game.FDX_PLUS,
}
_NO_FC = {"fc_dummy", "ap_dummy"}
_NO_FS = {"sync_dummy", "fs_dummy", "fsd_dummy", "fdx_dummy"}


def _bare(name: str) -> str:
    """Drop the score list's 'music_icon_' prefix from an icon name."""
    if name.startswith("music_icon_"):
        return name[len("music_icon_") :]
    return name


def difficulty_from_image(name: str) -> Optional[int]:
    """Read a difficulty from 'diff_master' (record pages) or 'master'."""
    if name.startswith("diff_"):
        name = name[len("diff_") :]
    return game.DIFFICULTY_BY_SLUG.get(name)


def kind_from_image(name: str) -> Optional[str]:
    """Read a chart kind from 'music_dx' or 'music_standard'."""
    if name == "music_dx":
        return game.DX
    if name == "music_standard":
        return game.STANDARD
    return None


def rank_from_image(name: str) -> Optional[str]:
    """Read a rank code from 'splus' (record pages) or 'music_icon_sp' (score lists)."""
    bare = _bare(name)
    if bare.endswith("plus"):
        bare = bare[: -len("plus")] + "p"
    return bare if bare in game.RANK_LABELS else None


def fc_from_image(name: str) -> Optional[int]:
    """Read a combo mark; game.FC_NONE for the empty slot, None when not a combo icon."""
    bare = _bare(name)
    if bare in _NO_FC:
        return game.FC_NONE
    return _FC_NAMES.get(bare)


def fs_from_image(name: str) -> Optional[int]:
    """Read a sync mark; game.FS_NONE for the empty slot, None when not a sync icon."""
    bare = _bare(name)
    if bare in _NO_FS:
        return game.FS_NONE
    return _FS_NAMES.get(bare)


def place_from_image(name: str) -> Optional[int]:
    """Read a multiplayer place from '1st' ... '4th'."""
    return _PLACES.get(name)


def dx_stars_from_image(name: str) -> Optional[int]:
    """Read the DX score stars from 'dxstar_3'."""
    match = _DX_STARS.match(name)
    return int(match.group(1)) if match else None
