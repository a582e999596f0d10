"""Financial-year results and their spread across runs, for every report.

How a metric adds up over a financial year comes from the registry (sim/spec.py): stocks
are the mean of the year's months, flows, money and programme counts the sum. Only
complete April-March years are kept. The spread across runs is the median and a low-high
range: the 5th to 95th percentile from ``PERCENTILE_RUNS`` runs, the minimum to maximum
below that.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sim import spec
from sim.core.calendar import financial_year

MONTHS_IN_YEAR = 12
PERCENTILE_RUNS = 20
"""From this many runs the band is the 5th-95th percentile rather than min-max."""


def by_financial_year(values: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Monthly ``value``s (one row per month and whatever other key columns) added up over
    each complete financial year as the registry says ``metric`` adds up; a column
    ``financial_year`` replaces ``month``."""
    how = spec.aggregation(metric)
    keys = [column for column in values.columns if column not in ("month", "value")]
    values = values.assign(financial_year=financial_year(values["month"]).to_numpy())
    grouped = values.groupby([*keys, "financial_year"], sort=True)
    annual = grouped["value"].agg(how).to_frame("value")
    annual["months"] = grouped["month"].nunique()
    return annual[annual["months"] == MONTHS_IN_YEAR].drop(columns="months").reset_index()


def annual_totals(totals: pd.DataFrame) -> pd.DataFrame:
    """Monthly totals (index: first of the month; a column per metric) by complete financial
    year (index ``2019-20``...), each column added up as the registry says."""
    years = financial_year(totals.index).to_numpy()
    grouped = totals.groupby(years)
    complete = grouped.size() == MONTHS_IN_YEAR
    columns = {metric: grouped[metric].agg(spec.aggregation(metric)) for metric in totals.columns}
    return pd.DataFrame(columns)[complete]


def spread(values: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Median, low and high of ``value`` across runs within each group of ``keys``, and the
    number of runs."""
    grouped = values.groupby(list(keys), sort=True)["value"]
    out = grouped.agg(median="median", runs="count", minimum="min", maximum="max")
    out["p05"] = grouped.quantile(0.05)
    out["p95"] = grouped.quantile(0.95)
    wide = out["runs"] >= PERCENTILE_RUNS
    out["low"] = out["p05"].where(wide, out["minimum"])
    out["high"] = out["p95"].where(wide, out["maximum"])
    return out[["median", "low", "high", "runs"]].reset_index()
