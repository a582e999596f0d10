"""People aged 16-64 on at least one health-related benefit, E&W (millions)."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure as Chart

from sim import published
from sim.report.data import Runs, monthly_bands
from sim.report.drawing import (
    time_series_chart,
)
from sim.report.style import PEOPLE

FILE = "health_benefit_recipients.png"
NEEDS = ("health_benefit_recipients",)
"""Metrics the chart draws; it is skipped when the data lack one."""


def draw(frame: pd.DataFrame, runs: Runs) -> Chart:
    """People aged 16-64 on at least one health-related benefit, E&W (millions)."""
    return time_series_chart(
        monthly_bands(frame, "health_benefit_recipients"), runs,
        published.figures_for("health_benefit_recipients"),
        title="People aged 16-64 on a health-related benefit in England & Wales {change}",
        unit=PEOPLE, legend="lower right",
        extra="Health-related benefits: incapacity (ESA, UC health) or disability (PIP, DLA); counted at month end.",
    )
