"""Seasonal usage: a day's usage relative to a typical day, summed over any
span of days."""

from __future__ import annotations

import math
from datetime import date


def _season(commodity: str, day_of_year: int) -> float:
    """A day's usage relative to a typical day: smooth, so that a month compares
    with the same month a year earlier whatever the bill periods around it."""
    summer = math.cos(2 * math.pi * (day_of_year - 196) / 365.25)
    winter = math.cos(2 * math.pi * (day_of_year - 15) / 365.25)
    if commodity == "ELECTRICITY":
        return 1 + 0.35 * max(0.0, summer) + 0.2 * max(0.0, winter)
    if commodity in ("WATER", "SEWER"):
        return 1 + 0.25 * summer
    if commodity == "DISTRICT_COOLING":
        return 0.25 + 1.6 * ((1 + summer) / 2) ** 2
    return 0.25 + 1.6 * ((1 + winter) / 2) ** 2


_SEASON_SHAPES: dict[str, str] = {
    "ELECTRICITY": "ELECTRICITY",
    "WATER": "WATER",
    "SEWER": "WATER",
    "DISTRICT_COOLING": "DISTRICT_COOLING",
}


class _Seasons:
    """Sums of the daily seasonal factor over any span of days, from prefix sums."""

    def __init__(self, first: date, last: date) -> None:
        self.base = first.toordinal()
        days = last.toordinal() - self.base + 1
        self.prefix: dict[str, list[float]] = {}
        for shape in {*_SEASON_SHAPES.values(), "HEAT"}:
            sums = [0.0]
            for offset in range(days):
                day = date.fromordinal(self.base + offset)
                sums.append(sums[-1] + _season(shape, day.timetuple().tm_yday))
            self.prefix[shape] = sums

    def total(self, commodity: str, start: date, end: date) -> float:
        """The sum of the daily factors from start to end, both included."""
        sums = self.prefix[_SEASON_SHAPES.get(commodity, "HEAT")]
        return (
            sums[end.toordinal() - self.base + 1] - sums[start.toordinal() - self.base]
        )
