"""The numbers the briefing states: the headline table for one financial year, scenario
differences by year, programme costs per job and side effects, each with its interval.

Intervals are the median and the 5th-95th percentile across runs (or pairs of runs) from 20,
the minimum to maximum below that (sim/aggregate.py ``spread``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim import published
from sim.aggregate import by_financial_year, spread
from sim.appraisal.outcomes import BASELINE, PAIR_KEYS, monthly_frames, paired_differences
from sim.report.data import select

HEADLINE_YEAR = "2028-29"


@dataclass(frozen=True)
class Column:
    """A headline-table column: where its value comes from, how it is shown, its published beside."""

    label: str
    metric: str          # a model metric (sweep) or an appraisal outcome (comparison.csv)
    kind: str            # "people", "gbp_bn" or "gbp"
    published_measure: str = ""


HEADLINE_COLUMNS = (
    Column("Health-benefit recipients", "health_benefit_recipients", "people", "health_benefit_recipients"),
    Column("Inactive through long-term sickness", "inactive_long_term_sick", "people"),
    Column("Health-benefit spending (£ a year)", "health_benefit_spending_gbp", "gbp_bn",
           "health_benefit_spending_gbp_per_year"),
    Column("People in work", "employed", "people"),
    Column("Programme cost (£, present value)", "programme_cost_gbp", "gbp_bn"),
    Column("Cost per additional job-year", "cost_per_additional_job_year_gbp", "gbp"),
    Column("Net exchequer (£, present value)", "net_exchequer_npv_gbp", "gbp_bn"),
)
MODEL_COLUMNS = ("health_benefit_recipients", "inactive_long_term_sick", "health_benefit_spending_gbp", "employed")


def format_value(value: float, kind: str) -> str:
    if value is None or not np.isfinite(value):
        return "–"
    if value < 0 and kind != "people":
        return "−" + format_value(-value, kind)
    if kind == "people":
        return f"{value / 1e6:.2f}m" if abs(value) >= 1e6 else f"{value / 1e3:,.0f}k"
    if kind == "gbp_bn":
        return f"£{value / 1e9:,.2f}bn" if abs(value) >= 1e8 else f"£{value / 1e6:,.0f}m"
    return f"£{value:,.0f}"


def format_interval(median: float, low: float, high: float, kind: str, runs: int = 0) -> str:
    if median is None or not np.isfinite(median):
        return "–"
    if runs == 1 or not (np.isfinite(low) and np.isfinite(high)) or low == high:
        return format_value(median, kind)
    return f"{format_value(median, kind)} ({format_value(low, kind)} to {format_value(high, kind)})"


def headline_year(frame: pd.DataFrame) -> str:
    """``HEADLINE_YEAR`` when the runs cover it, else their last complete financial year."""
    years = by_financial_year(select(frame, "population"), "population")["financial_year"]
    if years.empty:
        raise ValueError("the runs hold no complete financial year (April to March)")
    return HEADLINE_YEAR if HEADLINE_YEAR in set(years) else str(years.max())


def headline_table(frame: pd.DataFrame, comparison: pd.DataFrame | None, year: str,
                   scenarios: list[str]) -> pd.DataFrame:
    """One row per scenario (and one of published figures for ``year``), one column per
    ``HEADLINE_COLUMNS`` entry, each cell text 'median (low to high)'."""
    model_bands = {}
    for metric in MODEL_COLUMNS:
        annual = by_financial_year(select(frame, metric), metric)
        model_bands[metric] = spread(annual[annual["financial_year"] == year], ["scenario"]).set_index("scenario")
    rows = []
    for scenario in scenarios:
        row = {"Scenario": scenario}
        for column in HEADLINE_COLUMNS:
            if column.metric in MODEL_COLUMNS:
                bands = model_bands[column.metric]
                row[column.label] = "–" if scenario not in bands.index else format_interval(
                    *bands.loc[scenario, ["median", "low", "high"]], column.kind, int(bands.loc[scenario, "runs"]))
            elif scenario == BASELINE or comparison is None or comparison.empty:
                row[column.label] = "–"
            else:
                found = comparison[(comparison["scenario"] == scenario) & (comparison["outcome"] == column.metric)]
                row[column.label] = "–" if found.empty else format_interval(
                    *found.iloc[0][["median", "low", "high"]], column.kind, int(found.iloc[0]["pairs"]))
        rows.append(row)
    published_row = {"Scenario": f"Published, {year} (E&W terms)"}
    for column in HEADLINE_COLUMNS:
        figures = [figure for figure in published.figures_for(column.published_measure)
                   if figure.period == year] if column.published_measure else []
        if not figures:
            published_row[column.label] = "–"
            continue
        values = sorted(figure.england_and_wales for figure in figures)
        central = next((f.england_and_wales for f in figures if "central" in f.figure_id), values[len(values) // 2])
        text = format_value(central, column.kind)
        if len(values) > 1:
            text += f" ({format_value(values[0], column.kind)} to {format_value(values[-1], column.kind)})"
        published_row[column.label] = f"{text} [{figures[0].source.split(',')[0]}]"
    if any(value != "–" for key, value in published_row.items() if key != "Scenario"):
        rows.append(published_row)
    return pd.DataFrame(rows)


DIFFERENCE_METRICS = {
    "health_benefit_recipients": ("Health-benefit recipients", "people", 1e3, "thousand people"),
    "inactive_long_term_sick": ("Inactive through long-term sickness", "people", 1e3, "thousand people"),
    "employed": ("People in work", "people", 1e3, "thousand people"),
    "health_benefit_spending_gbp": ("Health-benefit spending", "gbp", 1e6, "£m a year (2024-25 prices)"),
}


def paired_monthly(sweep: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(differences, programmes): scenario minus paired baseline by month, and programme
    metrics by run, programme and month (sim/appraisal/outcomes.py), central case only."""
    if "sensitivity" in sweep.columns:
        cases = set(sweep["sensitivity"])
        sweep = sweep[sweep["sensitivity"] == ("central" if "central" in cases else sorted(cases)[0])]
    else:
        sweep = sweep.assign(sensitivity="central")
    totals, programmes = monthly_frames(sweep)
    return paired_differences(totals), programmes


def differences_by_year(differences: pd.DataFrame) -> pd.DataFrame:
    """Median and band across pairs of scenario − baseline by financial year for
    ``DIFFERENCE_METRICS``: stocks the mean of the year's months, spending the year's sum."""
    if differences.empty:
        return pd.DataFrame(columns=["scenario", "metric", "financial_year", "median", "low", "high", "runs"])
    long = differences[list(DIFFERENCE_METRICS)].reset_index().melt(
        id_vars=["scenario", *PAIR_KEYS, "month"], var_name="metric", value_name="value")
    parts = []
    for metric, part in long.groupby("metric"):
        annual = by_financial_year(part.drop(columns="metric"), metric)
        parts.append(spread(annual, ["scenario", "financial_year"]).assign(metric=metric))
    return pd.concat(parts, ignore_index=True)


def programme_side_effects(programmes: pd.DataFrame, until: str = "2029-03") -> pd.DataFrame:
    """Per scenario and programme, to the end of ``until``: median and band across runs of
    additional job outcomes, early-return relapses (exits within six months) and GP
    appointments used by referrals."""
    if programmes.empty:
        return pd.DataFrame()
    frame = programmes.reset_index()
    frame = frame[pd.to_datetime(frame["month"]) <= pd.Timestamp(until)]
    summed = frame.groupby(["scenario", *PAIR_KEYS, "programme"])[
        ["additional_job_outcomes", "early_return_relapses", "gp_appointments"]].sum().reset_index()
    long = summed.melt(id_vars=["scenario", *PAIR_KEYS, "programme"], var_name="measure", value_name="value")
    return spread(long, ["scenario", "programme", "measure"])


def cost_per_job(programmes_table: pd.DataFrame, benchmarks: pd.DataFrame) -> pd.DataFrame:
    """Cost per sustained additional job outcome by programme (cost per participant × 100 ÷
    employment effect in points), median and band across pairs, beside the published cost per
    job that the benchmark's cost and effect imply."""
    if programmes_table is None or programmes_table.empty:
        return pd.DataFrame()
    table = programmes_table[programmes_table["participants"] > 0].copy()
    effect = table["employment_effect_pp"].where(table["employment_effect_pp"] > 0)
    table["value"] = table["cost_per_participant_gbp"] * 100 / effect
    table = table.dropna(subset=["value"])
    if table.empty:
        return pd.DataFrame()
    bands = spread(table, ["scenario", "programme"])
    if benchmarks is not None and not benchmarks.empty:
        published_cost = (pd.to_numeric(benchmarks["published_cost_per_participant_gbp"], errors="coerce") * 100
                          / pd.to_numeric(benchmarks["published_employment_effect_pp"], errors="coerce"))
        marks = benchmarks.assign(published_cost_per_job_gbp=published_cost).dropna(subset=["published_cost_per_job_gbp"])
        marks = marks.groupby(["scenario", "programme"]).agg(
            published_cost_per_job_gbp=("published_cost_per_job_gbp", "median"),
            benchmark=("benchmark", "first")).reset_index()
        bands = bands.merge(marks, on=["scenario", "programme"], how="left")
    return bands
