"""Incapacity and disability benefit recipients aged 16-64, E&W (millions), two panels."""

from __future__ import annotations

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.figure import Figure as Chart

from sim import published
from sim.report.data import Runs, monthly_bands
from sim.report.drawing import (
    Label,
    add_legend,
    draw_model,
    draw_published,
    finish,
    model_text,
    new_chart,
    place_labels,
    time_axis,
    value_axis,
)
from sim.report.published_points import published_points, sources_text
from sim.report.style import LABEL_SIZE, LEGEND_SIZE, PEOPLE, scenario_colours

FILE = "benefit_caseloads.png"
NEEDS = ("incapacity_benefit_recipients", "disability_benefit_recipients")
"""Metrics the chart draws; it is skipped when the data lack one."""


def draw(frame: pd.DataFrame, runs: Runs) -> Chart:
    """Incapacity and disability benefit recipients aged 16-64, E&W (millions), two panels."""
    chart, axes = new_chart(1, 2, sharey=True)
    colours = scenario_colours(runs.scenarios)
    panels = (("incapacity_benefit_recipients", "Incapacity benefits (ESA, UC health)"),
              ("disability_benefit_recipients", "Disability benefits (PIP, DLA)"))
    shown: list[published.Figure] = []
    model_entries: list[tuple[object, str]] = []
    marker_entries: list[tuple[object, str]] = []
    labels: list[list[Label]] = []
    for ax, (metric, name) in zip(axes[0], panels):
        figures = published.figures_for(metric)
        shown += figures
        model_entries = draw_model(ax, monthly_bands(frame, metric), "month", colours, PEOPLE)
        markers, panel_labels = draw_published(ax, published_points(figures, PEOPLE), PEOPLE)
        labels.append(panel_labels)
        marker_entries += [entry for entry in markers if entry[1] not in {label for _, label in marker_entries}]
        ax.set_title(name, fontsize=LABEL_SIZE + 1)
        time_axis(ax)
        ax.xaxis.set_major_locator(mdates.YearLocator(2))
    value_axis(axes[0, 0], PEOPLE)
    axes[0, 0].set_ylabel(PEOPLE.axis_label, fontsize=LABEL_SIZE)
    add_legend(axes[0, 0], model_entries, "lower left", size=LEGEND_SIZE - 1.5)
    add_legend(axes[0, 1], marker_entries, "lower right", size=LEGEND_SIZE - 1.5)
    caption = " ".join((model_text(runs), "Recipients counted at month end.", sources_text(shown)))
    finish(chart, "Benefit caseloads, England & Wales, 16-64", caption, top=0.86, wspace=0.06)
    for ax, panel_labels in zip(axes[0], labels):
        place_labels(ax, panel_labels)
    return chart
