"""Tell which official service a page comes from: China or the international site."""

from .. import game
from .results import PageError

CN = "cn"
INTL = "intl"
HOSTS = {CN: "maimai.wahlap.com", INTL: "maimaidx-eng.com"}
UTC_OFFSETS = {CN: game.CHINA_UTC_OFFSET, INTL: game.JAPAN_UTC_OFFSET}
SERVICE_NAMES = {CN: "国服", INTL: "国际服"}
JAPAN_HOST = "maimaidx.jp"


def detect_service(text: str) -> str:
    """Return the service whose addresses or labels a page uses; CN when it shows none."""
    cn = text.count(HOSTS[CN])
    intl = text.count(HOSTS[INTL])
    if cn or intl:
        return INTL if intl > cn else CN
    if JAPAN_HOST in text:
        raise PageError(
            "这是日服（maimaidx.jp）的页面。本站只收国服（舞萌DX）和国际服（maimai DX "
            "International）的记录。"
        )
    # A page copied without its addresses still has the play labels.
    if "TRACK " in text and "曲目" not in text:
        return INTL
    return CN
