"""People aged 16-64 economically inactive through long-term sickness, E&W (millions)."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure as Chart

from sim import published
from sim.report.data import Runs, monthly_bands
from sim.report.drawing import (
    time_series_chart,
)
from sim.report.style import PEOPLE

FILE = "inactive_long_term_sick.png"
NEEDS = ("inactive_long_term_sick",)
"""Metrics the chart draws; it is skipped when the data lack one."""


def draw(frame: pd.DataFrame, runs: Runs) -> Chart:
    """People aged 16-64 economically inactive through long-term sickness, E&W (millions)."""
    return time_series_chart(
        monthly_bands(frame, "inactive_long_term_sick"), runs,
        published.figures_for("inactive_long_term_sick"),
        title="Inactivity through long-term sickness at 16-64 in England & Wales {change}",
        unit=PEOPLE, legend="lower left",
    )
