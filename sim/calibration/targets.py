"""Calibration targets: published figures compared with a run's monthly totals.

A target names a published figure (sim/data/published_figures.csv, scaled to England &
Wales), the model metric and months it is compared with, how (``kind``), the age bands it
covers, and its ``uncertainty``: one standard deviation of the gap that observation error,
definitions and the model's own noise leave between the figure and a correct model, in the
error's unit. The comparison kinds:

* ``level``: mean of a stock over the window; relative error (model / published - 1);
* ``annual_flow``: sum of a flow over the window, scaled to 12 months; relative error;
* ``monthly_flow``: sum of a flow over the window per month; relative error;
* ``share``: mean of metric / sum of denominators over the window; error in share points;
* ``flow_share``: sum of metric / sum of the denominators' sums; error in share points;
* ``annual_change``: a stock's change a year, from the mean of the window's first three
  months to the mean of its last three; error in people a year.

The standardised error ``z = error / uncertainty`` is what the calibration works with: a
parameter set is plausible for a target when ``|z| <= 3`` (history matching's rule; a bound
such as "fewer than 1 in 100" is met anywhere below it). ``scale`` multiplies the published
value where the model measures a defined part of it (stated in ``scale_source``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sim.core import states
from sim.core.calendar import parse_month
from sim.published import Figure, load_figures
from sim.spec import ALL_METRICS

Kind = Literal["level", "annual_flow", "monthly_flow", "share", "flow_share", "annual_change"]
RELATIVE_KINDS = ("level", "annual_flow", "monthly_flow")
CHANGE_MONTHS = 3
"""An ``annual_change`` compares the means of this many months at each end of its window."""
BAND_SEPARATOR = "@"
"""A run's totals hold ``metric@band`` columns for the metric within one age band."""
PLAUSIBLE = 3.0
"""|z| at most this: the implausibility cut-off of history matching (Pukelsheim's three-sigma rule)."""
SNAPSHOTS: dict[str, str] = {
    "incapacity_benefit_over_10_years_share":
        "share of LCW and LCWRA recipients on their award for 120 months or more (months in the state)",
}
"""Measures read from the people at one month (sim/calibration/runner.py), not from a metric."""


class Target(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    figure: str
    metric: str
    kind: Kind
    window: tuple[str, str]
    uncertainty: float = Field(gt=0.0)
    uncertainty_source: str = ""
    denominator: tuple[str, ...] = ()
    bound: Literal["both", "upper"] = "both"
    age_bands: tuple[str, ...] = ()
    scale: float = Field(default=1.0, gt=0.0)
    scale_source: str = ""
    note: str = ""  # why a comparison reads as it does (shown in the report), e.g. a definition gap

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, metric: str) -> str:
        if metric not in ALL_METRICS and metric not in SNAPSHOTS:
            raise ValueError(f"{metric!r} is not a metric; allowed: {', '.join((*ALL_METRICS, *SNAPSHOTS))}")
        return metric

    @field_validator("window")
    @classmethod
    def _months(cls, window: tuple[str, str]) -> tuple[str, str]:
        for month in window:
            parse_month(month)
        return tuple(str(month) for month in window)

    @field_validator("age_bands")
    @classmethod
    def _known_bands(cls, bands: tuple[str, ...]) -> tuple[str, ...]:
        for band in bands:
            if band not in states.AGE_BANDS:
                raise ValueError(f"{band!r} is not an age band; allowed: {', '.join(states.AGE_BANDS)}")
        return tuple(bands)

    @model_validator(mode="after")
    def _scale_has_a_source(self) -> Target:
        if self.scale != 1.0 and len(self.scale_source) < 10:
            raise ValueError(f"{self.figure}: scale {self.scale} needs a scale_source saying where it comes from")
        return self

    @property
    def label(self) -> str:
        return self.figure + (f" ({'+'.join(self.age_bands)})" if self.age_bands else "")

    @property
    def relative(self) -> bool:
        return self.kind in RELATIVE_KINDS

    @property
    def error_unit(self) -> str:
        if self.relative:
            return "relative"
        return "people a year" if self.kind == "annual_change" else "share points"

    def column(self, metric: str) -> list[str]:
        """The totals columns that make up ``metric`` for this target's age bands."""
        if not self.age_bands or metric in SNAPSHOTS:
            return [metric]
        return [f"{metric}{BAND_SEPARATOR}{band}" for band in self.age_bands]


@dataclass(frozen=True)
class Comparison:
    target: Target
    published: float  # E&W terms (times the target's scale): people, people a year, £ a year, or a share
    model: float
    error: float  # relative for levels and flows, share points for shares

    @property
    def z(self) -> float:
        """Error in units of the target's uncertainty (0 below an upper bound)."""
        error = max(self.error, 0.0) if self.target.bound == "upper" else self.error
        return error / self.target.uncertainty

    def plausible(self, cut: float = PLAUSIBLE) -> bool:
        return abs(self.z) <= cut

    @property
    def within(self) -> bool:
        """Within one standard deviation of the published figure."""
        return self.plausible(1.0)


def model_value(target: Target, totals: pd.DataFrame) -> float:
    """The model's value for a target from monthly E&W totals (rows: first of the month)."""
    start, end = (pd.Timestamp(f"{month}-01") for month in target.window)
    window = totals.loc[(totals.index >= start) & (totals.index <= end)]
    if window.empty:
        raise ValueError(f"{target.figure}: the run has no months in {target.window[0]}..{target.window[1]}")
    values = window[target.column(target.metric)].sum(axis=1)
    if target.metric in SNAPSHOTS:
        return float(window[target.metric].dropna().mean())
    if target.kind == "level":
        return float(values.mean())
    if target.kind == "annual_flow":
        return float(values.sum() * 12 / len(values))
    if target.kind == "monthly_flow":
        return float(values.sum() / len(values))
    if target.kind == "annual_change":
        if len(values) < 2 * CHANGE_MONTHS:
            raise ValueError(f"{target.figure}: an annual change needs at least {2 * CHANGE_MONTHS} months")
        months_apart = len(values) - CHANGE_MONTHS
        return float((values.iloc[-CHANGE_MONTHS:].mean() - values.iloc[:CHANGE_MONTHS].mean()) * 12 / months_apart)
    denominator = window[[column for metric in target.denominator for column in target.column(metric)]].sum(axis=1)
    if target.kind == "share":
        return float((values / denominator).mean())
    return float(values.sum() / denominator.sum())


def compare(targets: list[Target], totals: pd.DataFrame, figures: dict[str, Figure] | None = None) -> list[Comparison]:
    figures = figures if figures is not None else load_figures()
    comparisons = []
    for target in targets:
        published = figures[target.figure].england_and_wales * target.scale
        value = model_value(target, totals)
        error = value / published - 1.0 if target.relative else value - published
        comparisons.append(Comparison(target, published, value, error))
    return comparisons


def snapshots(targets: list[Target]) -> dict[str, tuple[str, str]]:
    """Snapshot measure -> the window it is read in, for ``run_totals(..., snapshots=)``."""
    return {target.metric: target.window for target in targets if target.metric in SNAPSHOTS}


def implausibility(comparisons: list[Comparison]) -> float:
    """The largest |z| over the targets: a parameter set is plausible when it is at most PLAUSIBLE."""
    return float(np.max([abs(c.z) for c in comparisons])) if comparisons else 0.0


def loss(comparisons: list[Comparison]) -> float:
    """Sum of squared standardised errors (what the search minimises)."""
    return float(sum(c.z ** 2 for c in comparisons))


def table(comparisons: list[Comparison]) -> pd.DataFrame:
    """The fit table: one row per target."""
    figures = load_figures()
    rows = []
    for c in comparisons:
        figure = figures[c.target.figure]
        rows.append({
            "target": c.target.label,
            "figure": c.target.figure,
            "metric": c.target.metric,
            "age_bands": "+".join(c.target.age_bands) or "16-64",
            "window": f"{c.target.window[0]} to {c.target.window[1]}",
            "published_ew": c.published,
            "model": c.model,
            "error": c.error,
            "error_unit": c.target.error_unit,
            "uncertainty": c.target.uncertainty,
            "z": c.z,
            "bound": c.target.bound,
            "within_one_sd": c.within,
            "plausible": c.plausible(),
            "published_as": f"{figure.value:g} {figure.unit}, {figure.geography}, {figure.period}",
            "scaling": figure.scaling_note + (f"; x {c.target.scale:g}: {c.target.scale_source}"
                                              if c.target.scale != 1.0 else ""),
            "uncertainty_source": c.target.uncertainty_source,
            "note": c.target.note,
            "source": figure.source,
        })
    return pd.DataFrame(rows)


def parse(entries: list[dict]) -> list[Target]:
    return [Target.model_validate(dict(entry)) for entry in entries]
