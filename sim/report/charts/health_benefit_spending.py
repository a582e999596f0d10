"""Health-related benefit spending by April-March financial year, E&W (£bn, 2024-25 prices)."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure as Chart

from sim import published
from sim.aggregate import by_financial_year, spread
from sim.core.calendar import financial_year_middle
from sim.report.data import NothingToDraw, Runs, select
from sim.report.drawing import (
    time_series_chart,
)
from sim.report.style import SPENDING_PER_YEAR

FILE = "health_benefit_spending.png"
NEEDS = ("health_benefit_spending_gbp",)
"""Metrics the chart draws; it is skipped when the data lack one."""


def draw(frame: pd.DataFrame, runs: Runs) -> Chart:
    """Health-related benefit spending by April-March financial year, E&W (£bn, 2024-25 prices)."""
    annual = by_financial_year(select(frame, "health_benefit_spending_gbp"), "health_benefit_spending_gbp")
    if annual.empty:
        raise NothingToDraw("no complete April-March financial year")
    bands = spread(annual, ["scenario", "financial_year"])
    bands["middle"] = financial_year_middle(bands["financial_year"])
    return time_series_chart(
        bands, runs, published.figures_for("health_benefit_spending_gbp_per_year"),
        title="Health-related benefit spending on 16-64s in England & Wales {change}",
        unit=SPENDING_PER_YEAR, x="middle", markers=True, legend="lower right", left=0.1,
        extra="Model spending is the sum of its monthly spending over each April–March financial year, "
              "drawn at the middle of the year (1 October).",
    )
