"""Employed as % of the 16-64 population, E&W, with ONS UK employment rates."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure as Chart

from sim import published
from sim.report.data import Runs, share_bands
from sim.report.drawing import (
    time_series_chart,
)
from sim.report.style import SHARE

FILE = "employment_rate.png"
NEEDS = ("employed", "population")
"""Metrics the chart draws; it is skipped when the data lack one."""


def draw(frame: pd.DataFrame, runs: Runs) -> Chart:
    """Employed as % of the 16-64 population, E&W, with ONS UK employment rates."""
    return time_series_chart(
        share_bands(frame, "employed"), runs, published.figures_for("employment_rate"),
        title="The employment rate at 16-64 in England & Wales {change}", unit=SHARE, zero=False, legend="upper right",
        extra="Employment rate = employed ÷ population aged 16-64 at month end.",
    )
