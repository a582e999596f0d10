"""Inactive through long-term sickness as % of the 16-64 population, by area, in three"""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure as Chart

from sim import published
from sim.aggregate import by_financial_year, spread
from sim.report.data import ALL, AREA_YEARS, NothingToDraw, Runs, ratio, select
from sim.report.drawing import (
    finish,
    model_text,
    new_chart,
)
from sim.report.published_points import publisher, sources_text
from sim.report.style import LABEL_SIZE, LEGEND_SIZE, SHARE, area_name

FILE = "inactivity_by_area.png"
NEEDS = ("inactive_long_term_sick", "population")
"""Metrics the chart draws; it is skipped when the data lack one."""


def draw(frame: pd.DataFrame, runs: Runs) -> Chart:
    """Inactive through long-term sickness as % of the 16-64 population, by area, in three
    financial years (median across runs, whiskers low-high)."""
    sick = by_financial_year(select(frame, "inactive_long_term_sick", area=None), "inactive_long_term_sick")
    people = by_financial_year(select(frame, "population", area=None), "population")
    bands = spread(ratio(sick, people), ["scenario", "area", "financial_year"])
    years = [year for year in AREA_YEARS if year in set(bands["financial_year"])]
    if not years:
        raise NothingToDraw(f"no complete financial year among {', '.join(AREA_YEARS)}")
    bands = bands[bands["financial_year"].isin(years)]
    first_year = bands[(bands["financial_year"] == years[0]) & (bands["area"] != ALL)]
    areas = [ALL] + list(first_year.groupby("area")["median"].median().sort_values(ascending=False).index)
    chart, axes = new_chart(1, len(runs.scenarios), sharex=True, sharey=True)
    palette = sns.color_palette("crest", len(years))
    height = 0.8 / max(len(years), 1)
    shares = published.figures_for("inactive_long_term_sick_share")
    line_styles = ("--", ":", "-.")
    for ax, scenario in zip(axes[0], runs.scenarios):
        part = bands[bands["scenario"] == scenario].set_index(["area", "financial_year"])
        for index, year in enumerate(years):
            rows = [part.loc[(area, year)] if (area, year) in part.index else None for area in areas]
            y = np.arange(len(areas)) + (index - (len(years) - 1) / 2) * height
            medians = np.array([row["median"] if row is not None else np.nan for row in rows]) * SHARE.factor
            lows = np.array([row["low"] if row is not None else np.nan for row in rows]) * SHARE.factor
            highs = np.array([row["high"] if row is not None else np.nan for row in rows]) * SHARE.factor
            ax.barh(y, medians, height=height, color=palette[index], label=year)
            ax.errorbar(medians, y, xerr=[medians - lows, highs - medians], fmt="none", ecolor="0.3",
                        elinewidth=1, capsize=2)
        for figure, style in zip(shares, line_styles):
            ax.axvline(figure.england_and_wales * SHARE.factor, color="black", linestyle=style, linewidth=1.4,
                       label=f"{publisher(figure)} UK {figure.period}: {SHARE.format(figure.england_and_wales)}")
        ax.set_yticks(np.arange(len(areas)), [area_name(area) for area in areas])
        ax.set_ylim(len(areas) - 0.5, -0.5)
        ax.set_xlabel(SHARE.axis_label, fontsize=LABEL_SIZE)
        ax.grid(axis="y", visible=False)
        if len(runs.scenarios) > 1:
            ax.set_title(scenario, fontsize=LABEL_SIZE + 1)
    axes[0, 0].get_yticklabels()[0].set_fontweight("bold")
    several = len(runs.scenarios) > 1
    top = 0.81 if several else 0.85
    handles, names = axes[0, 0].get_legend_handles_labels()
    chart.legend(handles, names, loc="lower left", bbox_to_anchor=(0.25, top + (0.05 if several else 0.005)),
                 ncol=len(names), fontsize=LEGEND_SIZE, frameon=False, handlelength=1.6, columnspacing=1.2)
    caption = " ".join((
        model_text(runs, median_as="bars by financial year", spread_as="whiskers"),
        "Share = mean inactive through long-term sickness over the April–March year ÷ mean 16-64 population.",
        sources_text(shares).replace("Published:", "Reference lines:"),
    ))
    return finish(chart, "Inactive through long-term sickness by area, England & Wales", caption,
                   top=top, left=0.25, axis_space=0.75)
