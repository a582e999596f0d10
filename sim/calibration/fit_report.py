"""The calibration's report: kept draws, the fit chart and a readable summary."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from sim.published import load_figures  # noqa: E402
from sim.results import save_figure  # noqa: E402
from sim.calibration.targets import Comparison  # noqa: E402

SERIES = (
    ("health_benefit_recipients", "On a health-related benefit"),
    ("incapacity_benefit_recipients", "Incapacity benefit caseload"),
    ("disability_benefit_recipients", "Disability benefit caseload"),
    ("inactive_long_term_sick", "Inactive through long-term sickness"),
)


def draws_table(trials, space: dict, study_name: str) -> pd.DataFrame:
    """The kept parameter draws, best first: fitted values, not published figures."""
    rows = []
    for draw, trial in enumerate(trials):
        rows.append({"draw": draw, "trial": trial.number, "loss": trial.value,
                     "worst_error_in_tolerances": trial.user_attrs.get("worst"),
                     **{key: trial.params[key] for key in space},
                     "source": f"model output: Optuna trial {trial.number} of study {study_name} (make calibrate), "
                               "fitted to the targets in configs/calibrate.yaml"})
    return pd.DataFrame(rows)


def write_fit_chart(totals: pd.DataFrame, comparisons: list[Comparison], path: Path) -> None:
    """Four stock series against their targets (with tolerance bars), and every target's
    error in units of its tolerance."""
    sns.set_theme(style="whitegrid", context="talk", font_scale=0.7)
    figure = plt.figure(figsize=(14, 10), dpi=130)
    grid = figure.add_gridspec(3, 2, height_ratios=[1, 1, 1.3])
    by_metric: dict[str, list[Comparison]] = {}
    for comparison in comparisons:
        by_metric.setdefault(comparison.target.metric, []).append(comparison)
    for index, (metric, title) in enumerate(SERIES):
        axis = figure.add_subplot(grid[index // 2, index % 2])
        axis.plot(totals.index, totals[metric] / 1e6, color="#1f77b4", label="model (best draw, seed mean)")
        for comparison in by_metric.get(metric, []):
            start, end = (pd.Timestamp(f"{m}-01") for m in comparison.target.window)
            middle = start + (end - start) / 2
            tolerance = comparison.published * comparison.target.tolerance / 1e6
            colour = "#2ca02c" if comparison.within else "#d62728"
            axis.errorbar([middle], [comparison.published / 1e6], yerr=[[tolerance], [tolerance]], fmt="o",
                          color=colour, capsize=5, label="published target (E&W) +/- tolerance")
        axis.set_title(title)
        axis.set_ylabel("people (millions)")
        axis.set_ylim(bottom=0)
        handles, labels = axis.get_legend_handles_labels()
        unique = dict(zip(labels, handles))
        axis.legend(unique.values(), unique.keys(), fontsize=8, loc="lower right")
    axis = figure.add_subplot(grid[2, :])
    names = [c.target.figure for c in comparisons]
    errors = np.array([c.normalised for c in comparisons])
    colours = ["#2ca02c" if c.within else "#d62728" for c in comparisons]
    axis.barh(names, errors, color=colours)
    axis.axvspan(-1, 1, color="#2ca02c", alpha=0.12, label="within tolerance")
    axis.axvline(0, color="black", linewidth=0.8)
    axis.set_xlabel("model error in units of the target's tolerance (3% for levels, 0.5 points for shares)")
    axis.invert_yaxis()
    axis.tick_params(axis="y", labelsize=8)
    axis.legend(loc="lower right", fontsize=8)
    figure.suptitle("Calibration fit, 2019-2024: model (best draw) against published figures, England & Wales",
                    fontsize=14, fontweight="bold")
    figure.text(0.01, 0.005, "Published figures scaled to E&W where GB or UK (sim/data/geography_scaling.csv); "
                "sources in fit_table.csv. Model: default population size, mean of the check seeds.",
                fontsize=8)
    figure.tight_layout(rect=(0, 0.02, 1, 0.97))
    save_figure(figure, path)


def _format_value(value: float, relative: bool) -> str:
    if not relative:
        return f"{value:.1%}"
    return f"£{value / 1e9:.1f}bn" if value > 1e9 else f"{value / 1e6:.3f}m"


def _markdown_table(table: pd.DataFrame) -> list[str]:
    lines = ["| target | window | published (E&W) | model | error | within |", "|---|---|---:|---:|---:|---|"]
    for row in table.itertuples(index=False):
        relative = row.error_unit == "relative"
        error = f"{row.error:+.1%}" if relative else f"{row.error * 100:+.2f} pts"
        published = ("at most " if row.bound == "upper" else "") + _format_value(row.published_ew, relative)
        lines.append(f"| {row.target} | {row.window} | {published} | "
                     f"{_format_value(row.model, relative)} | {error} | {'yes' if row.within_tolerance else 'NO'} |")
    return lines


def search_minutes(study) -> float | None:
    """Minutes from the first trial's start to the last trial's end (None if no timed trial)."""
    timed = [t for t in study.trials if t.datetime_start is not None and t.datetime_complete is not None]
    if not timed:
        return None
    start = min(t.datetime_start for t in timed)
    end = max(t.datetime_complete for t in timed)
    return (end - start).total_seconds() / 60


def summary_markdown(fit_table: pd.DataFrame, check_table: pd.DataFrame, kept, all_accepted: bool, settings,
                     scale: float, minutes: float, search_minutes: float | None = None) -> str:
    figures = load_figures()
    lines = ["# Calibration report", "",
             f"Fit at the default population size, mean of seeds {settings.check_seeds}; best of "
             f"{settings.trials} trials ({len(settings.seeds)} seeds x {settings.population_size:,} people each). "
             f"{int(fit_table['within_tolerance'].sum())} of {len(fit_table)} targets within tolerance "
             f"(3% for levels, 0.5 percentage points for shares).", "",
             *_markdown_table(fit_table), "",
             "## Checks (not fitted)", "", *_markdown_table(check_table), "",
             f"Spending scale factor (both benefits): {scale:.3f}, aligning 2019-20 with IFS "
             f"£{figures['ifs_spending_2019_20'].value / 1e9:.0f}bn GB "
             f"(£{figures['ifs_spending_2019_20'].england_and_wales / 1e9:.1f}bn E&W).", "",
             f"Parameter draws kept: {len(kept)} "
             f"({'every target within tolerance' if all_accepted else 'no trial met every tolerance; best by loss'}).",
             *([f"Search wall time (first trial start to last trial end, all invocations): "
                f"{search_minutes:.1f} minutes."] if search_minutes is not None else []),
             f"Wall time of this invocation (search if not already complete, check, decomposition, "
             f"report): {minutes:.1f} minutes.", ""]
    return "\n".join(lines)
