"""How an import is told in Chinese: the kinds of page and the counts of what they held."""

from typing import Dict

PAGE_LABELS = {  # the kinds of page the importer tells apart
    "record": "最近游玩记录",
    "playlog_detail": "游玩详情",
    "score_list": "成绩列表",
    "music_detail": "乐曲详情",
    "profile": "玩家信息",
    "divingfish_json": "水鱼查分器 JSON",
    "archive": "本站导出的存档 JSON",
    "error_page": "官方错误页面",
    "friend_list": "好友页面",
    "friend_vs": "好友对战页面",
    "rating_target": "Rating 对象乐曲页面",
    "divingfish_page": "水鱼查分器网页",
    "official_page": "官方网站的其他页面",
    "unknown": "无法识别",
}
KIND_UNITS = (
    ("plays", "次游玩"),
    ("details", "条游玩详情"),
    ("scores", "条成绩"),
    ("snapshots", "份玩家信息"),
    ("aliases", "个谱面选择"),
)


def counts_text(counts: Dict[str, int]) -> str:
    """Say counts of each kind in Chinese: '50 次游玩、1 条成绩'; '0' when all are zero."""
    parts = ["%d %s" % (counts[kind], unit) for kind, unit in KIND_UNITS if counts.get(kind)]
    return "、".join(parts) or "0"
