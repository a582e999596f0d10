"""The briefing's charts of scenario against baseline (paired runs): differences by year,
additional people in work, cost per job by programme, and GP time and early-return relapses
beside the job gains. The baseline's own charts come from sim/report/charts/."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure as Chart
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from sim.aggregate import spread
from sim.briefing.tables import DIFFERENCE_METRICS, format_value
from sim.report.data import NothingToDraw
from sim.report.drawing import finish, new_chart, time_axis
from sim.report.style import LABEL_SIZE, LEGEND_SIZE, NOTE_SIZE, scenario_colours

FIRST_PROGRAMME_YEAR = "2024-25"
PAIRS_TEXT = ("Each bar or line is the median of scenario − baseline across pairs of runs with the same seed and "
              "calibration draw (common random numbers, so what would have happened anyway is netted off); "
              "whiskers and bands: 5–95% across pairs from 20 pairs, the range below that.")
MODEL_SOURCE = "Source: sim model output (configs/ and scenarios/ in the run's commit)."


def programme_label(name: str) -> str:
    """A programme id as an axis label of at most two short lines."""
    return textwrap.fill(name.replace("_", " "), 24)


def _pairs(count: int) -> str:
    return f"{count} pair{'s' if count != 1 else ''} per scenario"


def _grouped_bars(ax, part: pd.DataFrame, categories: list[str], category: str, scenarios: list[str],
                  colours: dict, scale: float, horizontal: bool = False) -> None:
    width = 0.8 / max(len(scenarios), 1)
    for index, scenario in enumerate(scenarios):
        rows = part[part["scenario"] == scenario].set_index(category).reindex(categories)
        position = np.arange(len(categories)) + (index - (len(scenarios) - 1) / 2) * width
        middle = rows["median"].to_numpy() / scale
        error = [middle - rows["low"].to_numpy() / scale, rows["high"].to_numpy() / scale - middle]
        if horizontal:
            ax.barh(position, middle, height=width, color=colours[scenario], label=scenario)
            ax.errorbar(middle, position, xerr=error, fmt="none", ecolor="0.25", elinewidth=1, capsize=2)
        else:
            ax.bar(position, middle, width=width, color=colours[scenario], label=scenario)
            ax.errorbar(position, middle, yerr=error, fmt="none", ecolor="0.25", elinewidth=1, capsize=2)


def differences_chart(table: pd.DataFrame) -> Chart:
    """Four panels, one per ``DIFFERENCE_METRICS`` entry: scenario − baseline by financial year."""
    table = table[table["financial_year"] >= FIRST_PROGRAMME_YEAR]
    if table.empty:
        raise NothingToDraw("no scenario beside the baseline, or no financial year from 2024-25")
    scenarios = list(dict.fromkeys(table["scenario"]))
    colours = scenario_colours(scenarios)
    years = sorted(table["financial_year"].unique())
    chart, axes = new_chart(2, 2, sharex=True)
    for ax, (metric, (label, _, scale, unit)) in zip(axes.flat, DIFFERENCE_METRICS.items()):
        _grouped_bars(ax, table[table["metric"] == metric], years, "financial_year", scenarios, colours, scale)
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_title(label, fontsize=LABEL_SIZE + 1)
        ax.set_ylabel(unit, fontsize=LABEL_SIZE - 1)
        ax.set_xticks(np.arange(len(years)), years)
    axes[0, 0].legend(fontsize=LEGEND_SIZE, loc="best")
    last = table[(table["financial_year"] == years[-1]) & (table["metric"] == "employed")]
    top = last.sort_values("median").iloc[-1]
    finding = (f"By {years[-1]}, {top['scenario']} adds {format_value(top['median'], 'people')} people in work "
               f"against the baseline")
    caption = " ".join((PAIRS_TEXT, "Stocks: mean of the April–March months; spending: the year's sum, 2024-25 prices.",
                        _pairs(int(table["runs"].max())) + ".", MODEL_SOURCE))
    return finish(chart, finding, caption, top=0.86, hspace=0.35, wspace=0.25)


def employment_chart(differences: pd.DataFrame) -> Chart:
    """Additional people in work by month, median and band across pairs, per scenario."""
    if differences.empty:
        raise NothingToDraw("no scenario beside the baseline")
    monthly = differences["employed"].rename("value").reset_index()
    monthly = monthly[pd.to_datetime(monthly["month"]) >= pd.Timestamp("2024-01-01")]
    bands = spread(monthly, ["scenario", "month"])
    scenarios = list(dict.fromkeys(bands["scenario"]))
    colours = scenario_colours(scenarios)
    chart, axes = new_chart()
    ax = axes[0, 0]
    for scenario, part in bands.groupby("scenario", sort=False):
        ax.fill_between(part["month"], part["low"] / 1e3, part["high"] / 1e3, color=colours[scenario], alpha=0.25,
                        linewidth=0)
        ax.plot(part["month"], part["median"] / 1e3, color=colours[scenario], linewidth=2.4, label=scenario)
    ax.axhline(0, color="black", linewidth=0.8)
    time_axis(ax)
    ax.set_xlim(pd.Timestamp("2024-01-01"), pd.Timestamp("2029-07-01"))
    ax.set_ylabel("Additional people in work (thousands)", fontsize=LABEL_SIZE)
    ax.legend(fontsize=LEGEND_SIZE, loc="upper left")
    peak = bands.loc[bands["median"].idxmax()]
    finding = (f"Additional people in work peak at {format_value(peak['median'], 'people')} "
               f"({peak['scenario']}, {pd.Timestamp(peak['month']):%B %Y})")
    caption = " ".join((PAIRS_TEXT, _pairs(int(bands["runs"].max())) + ".", MODEL_SOURCE))
    return finish(chart, finding, caption)


def cost_per_job_chart(table: pd.DataFrame) -> Chart:
    """Cost per sustained additional job by programme, with the published cost per
    job its benchmark implies."""
    if table.empty:
        raise NothingToDraw("no programme with participants and a positive employment effect")
    scenarios = list(dict.fromkeys(table["scenario"]))
    colours = scenario_colours(scenarios)
    programmes = list(table.groupby("programme")["median"].median().sort_values().index)
    chart, axes = new_chart()
    ax = axes[0, 0]
    _grouped_bars(ax, table, programmes, "programme", scenarios, colours, 1e3, horizontal=True)
    entries = [Line2D([], [], color=colours[s], linewidth=8, label=f"Model, {s}") for s in scenarios]
    if "published_cost_per_job_gbp" in table.columns:
        marks = table.dropna(subset=["published_cost_per_job_gbp"]).groupby("programme")[
            "published_cost_per_job_gbp"].median()
        for programme, value in marks.items():
            ax.plot([value / 1e3], [programmes.index(programme)], marker="D", markersize=10, color="black",
                    linestyle="none", zorder=5)
        if len(marks):
            entries.append(Line2D([], [], marker="D", markersize=10, color="black", linestyle="none",
                                  label="Published evaluation: cost per participant ÷ effect"))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"£{value:,.0f}k"))
    ax.set_yticks(np.arange(len(programmes)), [programme_label(name) for name in programmes])
    ax.set_ylim(len(programmes) - 0.5, -0.5)
    ax.set_xlabel("£ per sustained additional job outcome, 2024-25 prices", fontsize=LABEL_SIZE)
    ax.grid(axis="y", visible=False)
    ax.legend(handles=entries, fontsize=LEGEND_SIZE, loc="lower right")
    middle = table.groupby("programme")["median"].median()
    finding = (f"Cost per additional sustained job ranges from {format_value(middle.min(), 'gbp')} "
               f"({middle.idxmin().replace('_', ' ')}) to {format_value(middle.max(), 'gbp')} "
               f"({middle.idxmax().replace('_', ' ')})")
    caption = " ".join((
        "Cost per job = cost per participant × 100 ÷ sustained additional job outcomes per 100 participants "
        "(moves into or kept in work that the paired baseline did not give, less those ending within six months).",
        "Bars: median across pairs; whiskers 5–95% (range with few pairs). Published: sim/data/programme_benchmarks.csv "
        "(each row's source; evaluations follow people for different lengths of time).", MODEL_SOURCE))
    return finish(chart, finding, caption, left=0.31)


SIDE_EFFECTS = {"additional_job_outcomes": "Additional job\noutcomes",
                "early_return_relapses": "Early-return relapses\n(out of work within 6 months)",
                "gp_appointments": "GP appointments\nused by referrals"}


def side_effects_chart(table: pd.DataFrame) -> Chart:
    """GP appointments and early-return relapses beside the job gains, per programme, to March 2029."""
    if table.empty:
        raise NothingToDraw("no programme metrics")
    scenarios = list(dict.fromkeys(table["scenario"]))
    colours = scenario_colours(scenarios)
    programmes = list(table[table["measure"] == "additional_job_outcomes"].groupby("programme")["median"]
                      .median().sort_values(ascending=False).index)
    chart, axes = new_chart(1, 3, sharey=True)
    for ax, (measure, label) in zip(axes[0], SIDE_EFFECTS.items()):
        _grouped_bars(ax, table[table["measure"] == measure], programmes, "programme", scenarios, colours, 1e3,
                      horizontal=True)
        ax.set_title(label, fontsize=NOTE_SIZE + 1)
        ax.set_xlabel("thousands, to March 2029", fontsize=LABEL_SIZE - 1)
        ax.grid(axis="y", visible=False)
    axes[0, 0].set_yticks(np.arange(len(programmes)), [programme_label(name) for name in programmes])
    axes[0, 0].set_ylim(len(programmes) - 0.5, -0.5)
    if len(scenarios) > 1:
        axes[0, 2].legend(fontsize=LEGEND_SIZE, loc="lower right")
    totals = table.groupby(["scenario", "measure"])["median"].sum().unstack()
    scenario = totals["additional_job_outcomes"].idxmax()
    row = totals.loc[scenario]
    finding = (f"{scenario}: {format_value(row['gp_appointments'], 'people')} GP appointments and "
               f"{format_value(row['early_return_relapses'], 'people')} early relapses for "
               f"{format_value(row['additional_job_outcomes'], 'people')} job outcomes")
    caption = " ".join((
        "The GPs' objection beside the gains: GP appointments are those the programmes' referrals use (configured per "
        "referral in configs/interventions/); relapses are exits from work within six months of a programme job start "
        "(their hazard raised by each programme's relapse ratio, an assumption after RCGP concerns about early returns).",
        "Bars: median across runs of the sums to March 2029; whiskers 5–95% (range with few runs).", MODEL_SOURCE))
    return finish(chart, finding, caption, top=0.82, left=0.31, wspace=0.12)
