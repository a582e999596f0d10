"""People on at least one health-related benefit as % of the population, by age band."""

from __future__ import annotations

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.figure import Figure as Chart

from sim.core import states
from sim.report.data import ALL, Runs, share_bands
from sim.report.drawing import (
    add_legend,
    draw_model,
    finish,
    model_text,
    new_chart,
    time_axis,
    value_axis,
)
from sim.report.style import LABEL_SIZE, SHARE, scenario_colours

FILE = "health_benefit_recipients_by_age.png"
NEEDS = ("health_benefit_recipients", "population")
"""Metrics the chart draws; it is skipped when the data lack one."""


def draw(frame: pd.DataFrame, runs: Runs) -> Chart:
    """People on at least one health-related benefit as % of the population, by age band."""
    bands = share_bands(frame, "health_benefit_recipients", ["age_band"], area=ALL, age_band=None)
    ages = [band for band in states.AGE_BANDS if band in set(bands["age_band"])]
    chart, axes = new_chart(2, 2, sharex=True, sharey=True)
    colours = scenario_colours(runs.scenarios)
    entries: list[tuple[object, str]] = []
    for ax, age in zip(axes.flat, ages):
        entries = draw_model(ax, bands[bands["age_band"] == age], "month", colours, SHARE)
        ax.set_title(f"Aged {age}", fontsize=LABEL_SIZE + 1)
        time_axis(ax)
        ax.xaxis.set_major_locator(mdates.YearLocator(2))
    value_axis(axes[0, 0], SHARE, headroom=0.05)
    for ax in axes.flat[len(ages):]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel("% of age band", fontsize=LABEL_SIZE)
    add_legend(axes[0, 0], entries)
    caption = " ".join((model_text(runs),
                        "Share = recipients of at least one health-related benefit ÷ people in the age band, "
                        "England & Wales, at month end. No published figures by age band are compared."))
    return finish(chart, "On a health-related benefit by age band, England & Wales", caption,
                   top=0.86, hspace=0.3, wspace=0.06)
