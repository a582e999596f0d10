"""Inactive through long-term sickness in the three health and growth accelerator
(trailblazer) areas against the rest of England & Wales, over time: small multiples."""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure as Chart

from sim.aggregate import spread
from sim.core import states
from sim.report.data import NothingToDraw, Runs, select
from sim.report.drawing import add_legend, draw_model, finish, model_text, new_chart, time_axis, value_axis
from sim.report.style import LABEL_SIZE, SHARE, area_name, scenario_colours

FILE = "trailblazer_areas.png"
NEEDS = ("inactive_long_term_sick", "population")
"""Metrics the chart draws; it is skipped when the data lack one."""

REST = "rest_of_england_and_wales"


def area_shares(frame: pd.DataFrame) -> pd.DataFrame:
    """Inactive long-term sick ÷ population (16-64) per run, month and area, with every area
    outside the trailblazers added up into ``REST`` before dividing."""
    keys = ["scenario", "run", "month", "group"]
    parts = []
    for metric in NEEDS:
        values = select(frame, metric, area=None)
        values = values[values["area"] != "all"]
        values = values.assign(group=values["area"].where(values["area"].isin(states.TRAILBLAZER_AREAS), REST))
        parts.append(values.groupby(keys)["value"].sum().rename(metric))
    joined = pd.concat(parts, axis=1).reset_index()
    return joined.assign(value=joined["inactive_long_term_sick"] / joined["population"])[keys + ["value"]]


def draw(frame: pd.DataFrame, runs: Runs) -> Chart:
    """One panel per trailblazer area and one for the rest of E&W: median and band per scenario."""
    shares = area_shares(frame)
    groups = [area for area in states.TRAILBLAZER_AREAS if area in set(shares["group"])]
    if not groups or REST not in set(shares["group"]):
        raise NothingToDraw("the runs do not cover the trailblazer areas and the rest of England & Wales")
    groups.append(REST)
    bands = spread(shares, ["scenario", "group", "month"])
    chart, axes = new_chart(2, 2, sharex=True, sharey=True)
    colours = scenario_colours(runs.scenarios)
    entries: list[tuple[object, str]] = []
    for ax, group in zip(axes.flat, groups):
        entries = draw_model(ax, bands[bands["group"] == group], "month", colours, SHARE)
        ax.set_title("Rest of England & Wales" if group == REST else area_name(group), fontsize=LABEL_SIZE + 1)
        time_axis(ax)
        ax.xaxis.set_major_locator(mdates.YearLocator(2))
    value_axis(axes[0, 0], SHARE, headroom=0.05)
    for ax in axes[:, 0]:
        ax.set_ylabel("% of 16-64s", fontsize=LABEL_SIZE)
    add_legend(axes[1, 1], entries, loc="lower right")
    last = bands["month"].max()
    final = bands[(bands["month"] == last) & (bands["scenario"] == runs.scenarios[0])].set_index("group")["median"]
    gap = (np.mean([final[group] for group in groups[:-1]]) - final[REST]) * SHARE.factor
    finding = (f"Long-term sickness in the trailblazer areas runs {abs(gap):.1f} points "
               f"{'above' if gap >= 0 else 'below'} the rest of England & Wales ({last:%B %Y})")
    caption = " ".join((model_text(runs),
                        "Share = people inactive through long-term sickness ÷ people aged 16-64 in the area, at month end; "
                        "the rest of England & Wales adds up every other area before dividing. Trailblazers: the NHS "
                        "health and growth accelerators of 2025-26 (DWP/DHSC, 2025)."))
    return finish(chart, finding, caption, top=0.86, hspace=0.3, wspace=0.06)
