"""What a chart draws: series over an axis, as the page's data island holds them."""

from typing import Any, Dict, List, NamedTuple, Optional

from .. import game


class Series(NamedTuple):
    """One line or set of bars: its label, colour and a value (or None) per x."""

    label: str
    values: List[Optional[int]]
    color: str


class ChartData(NamedTuple):
    """What a chart draws, as its data island holds it; `unit` says how to show the values."""

    title: str  # what the chart shows, read out in place of the picture
    kind: str  # "line" or "bars"
    axis: str  # "time" (wall-clock seconds), "day" (wall-clock midnights) or "category"
    x: List[Any]
    x_label: str
    series: List[Series]
    unit: str = "int"  # "int" or "achievement" (1/10000 %)
    y_label: str = ""
    zoom_from: int = 0  # the first x shown at first: the part that matters

    def island(self) -> Dict[str, Any]:
        """Return the chart as plain JSON data."""
        return {
            "title": self.title,
            "kind": self.kind,
            "axis": self.axis,
            "x": self.x,
            "unit": self.unit,
            "xLabel": self.x_label,
            "yLabel": self.y_label,
            "zoomFrom": self.zoom_from,
            "series": [entry._asdict() for entry in self.series],
        }


def wall_clock(unix_time: int, utc_offset: int = game.CHINA_UTC_OFFSET) -> int:
    """Return a time as seconds on the clock where it happened, for axes that need no zone."""
    return unix_time + utc_offset * 60
