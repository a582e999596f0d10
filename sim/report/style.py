"""How report charts look: sizes, units, colours and names, the same on every chart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import seaborn as sns

from sim.aggregate import PERCENTILE_RUNS
from sim.report.data import ALL

GEOGRAPHY_NAMES = {"great_britain": "GB", "united_kingdom": "UK", "england_and_wales": "E&W", "england": "England"}


AREA_NAMES = {
    ALL: "England & Wales",
    "north_east_north_cumbria": "North East & N. Cumbria",
    "yorkshire_humber_rest": "Rest of Yorkshire & Humber",
    "north_west_rest": "Rest of North West",
}


FIGSIZE = (10, 6)


DPI = 150


TITLE_SIZE = 16


TITLE_WIDTH = 68
"""Characters per title line at TITLE_SIZE (bold) on a 10-inch figure; longer titles wrap."""


LABEL_SIZE = 13


TICK_SIZE = 12


LEGEND_SIZE = 10.5


NOTE_SIZE = 10


CAPTION_SIZE = 9.5


CAPTION_WIDTH = 132
"""Characters per caption line at CAPTION_SIZE on a 10-inch figure."""


X_START = pd.Timestamp("2019-01-01")


X_END = pd.Timestamp("2029-07-01")


@dataclass(frozen=True)
class Unit:
    """How values are shown: multiplied by ``factor`` for the axis, formatted by ``text``."""

    factor: float
    axis_label: str
    tick: str
    text: str

    def format(self, value: float) -> str:
        return self.text.format(value * self.factor)


PEOPLE = Unit(1e-6, "People (millions)", "{:.1f}", "{:.2f}m")


SPENDING_PER_YEAR = Unit(1e-9, "£ billion a year, 2024-25 prices\n(April–March financial-year sums)",
                         "{:.0f}", "£{:.0f}bn")


SHARE = Unit(100.0, "% of people aged 16-64", "{:.1f}", "{:.1f}%")


PUBLISHED_STYLES = {
    "data": dict(marker="o", color="black", markerfacecolor="black", label="Published E&W figure"),
    "scaled": dict(marker="D", color="black", markerfacecolor="black", label="Published total, scaled to E&W"),
    "projection": dict(marker="s", color="0.2", markerfacecolor="white",
                       label="Published projection / forecast (not data), with range"),
}


SCENARIO_ORDER = ("baseline", "announced_2025", "national_rollout_2026", "obesity_at_scale", "combined")
"""Scenarios in the order they take the palette's colours, so each keeps its colour on every chart."""


def scenario_colours(scenarios: Sequence[str]) -> dict[str, tuple]:
    """One colour per scenario from seaborn's colour-blind-safe palette, the same on every
    chart: the scenarios of ``SCENARIO_ORDER`` have fixed places, any other follows them."""
    palette = sns.color_palette("colorblind", 10)
    others = [name for name in scenarios if name not in SCENARIO_ORDER]
    order = list(SCENARIO_ORDER) + others
    return {name: palette[order.index(name) % len(palette)] for name in scenarios}


def band_name(runs: int) -> str:
    return "5th–95th percentile" if runs >= PERCENTILE_RUNS else "min–max"


def area_name(area: str) -> str:
    return AREA_NAMES.get(area, area.replace("_", " ").title().replace(" Of ", " of "))
