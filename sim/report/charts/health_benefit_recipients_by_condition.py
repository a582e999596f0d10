"""Health-benefit recipients and the long-term sick by the conditions they have, in the last
complete financial year of the runs: what the caseload is made of."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure as Chart

from sim.aggregate import by_financial_year, spread
from sim.core import states
from sim.report.data import NothingToDraw, Runs, select
from sim.report.drawing import finish, model_text, new_chart
from sim.report.style import LABEL_SIZE, LEGEND_SIZE, PEOPLE, scenario_colours

FILE = "health_benefit_recipients_by_condition.png"
GROUPS = {"health_benefit_recipients": "On a health-related benefit",
          "inactive_long_term_sick": "Inactive through long-term sickness"}
NEEDS = tuple(f"{group}_with_{condition}" for group in GROUPS for condition in states.CONDITIONS)
"""Metrics the chart draws; it is skipped when the data lack one."""


def condition_name(condition: str) -> str:
    return {"mental_health": "Mental health", "musculoskeletal": "Musculoskeletal",
            "cardiometabolic": "Cardiometabolic", "obesity": "Obesity"}.get(condition, condition)


def draw(frame: pd.DataFrame, runs: Runs) -> Chart:
    """Bars: median people with each condition (mean of the year's months), whiskers the band."""
    parts = []
    for group in GROUPS:
        for condition in states.CONDITIONS:
            metric = f"{group}_with_{condition}"
            annual = by_financial_year(select(frame, metric), metric)
            parts.append(annual.assign(group=group, condition=condition))
    annual = pd.concat(parts, ignore_index=True)
    if annual.empty:
        raise NothingToDraw("no complete financial year")
    year = annual["financial_year"].max()
    bands = spread(annual[annual["financial_year"] == year], ["scenario", "group", "condition"])
    chart, axes = new_chart(1, 2, sharex=True)
    colours = scenario_colours(runs.scenarios)
    height = 0.8 / max(len(runs.scenarios), 1)
    positions = np.arange(len(states.CONDITIONS))
    for ax, (group, title) in zip(axes[0], GROUPS.items()):
        for index, scenario in enumerate(runs.scenarios):
            part = bands[(bands["group"] == group) & (bands["scenario"] == scenario)].set_index("condition")
            part = part.reindex(list(states.CONDITIONS))
            y = positions + (index - (len(runs.scenarios) - 1) / 2) * height
            middle = part["median"].to_numpy() * PEOPLE.factor
            ax.barh(y, middle, height=height, color=colours[scenario], label=scenario)
            ax.errorbar(middle, y, xerr=[middle - part["low"].to_numpy() * PEOPLE.factor,
                                         part["high"].to_numpy() * PEOPLE.factor - middle],
                        fmt="none", ecolor="0.3", elinewidth=1, capsize=2)
        ax.set_yticks(positions, [condition_name(condition) for condition in states.CONDITIONS])
        ax.set_ylim(len(positions) - 0.5, -0.5)
        ax.set_title(title, fontsize=LABEL_SIZE + 1)
        ax.set_xlabel(f"{PEOPLE.axis_label}, mean of {year}", fontsize=LABEL_SIZE)
        ax.grid(axis="y", visible=False)
    axes[0, 1].tick_params(labelleft=False)
    if len(runs.scenarios) > 1:
        axes[0, 1].legend(fontsize=LEGEND_SIZE, loc="lower right", frameon=True)
    baseline = bands[(bands["scenario"] == runs.scenarios[0]) & (bands["group"] == "health_benefit_recipients")]
    top = baseline.sort_values("median").iloc[-1]
    finding = (f"{condition_name(top['condition'])} conditions are the most common among health-benefit "
               f"recipients in {year}: {PEOPLE.format(top['median'])}")
    caption = " ".join((model_text(runs, median_as="bar", spread_as="whisker"),
                        "People can have several conditions, so the bars add up to more than the caseload. Conditions "
                        "as the model defines them (sim/core/states.py): common mental health conditions, "
                        "musculoskeletal, cardiometabolic, obesity (BMI 30+)."))
    return finish(chart, finding, caption, top=0.86, left=0.16, wspace=0.08)
