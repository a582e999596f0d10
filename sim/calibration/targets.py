"""Calibration targets: published figures compared with a run's monthly totals.

A target names a published figure (sim/data/published_figures.csv, scaled to England &
Wales), the model metric and months it is compared with, how (``kind``) and a tolerance:

* ``level``: mean of a stock over the window; relative error (model / published - 1);
* ``annual_flow``: sum of a flow over the window, scaled to 12 months; relative error;
* ``share``: mean of metric / sum of denominators over the window; error in share points;
* ``flow_share``: sum of metric / sum of the denominators' sums; error in share points.

A target is met when ``|error| <= tolerance``; a figure that is only a bound (``bound:
upper``, e.g. "fewer than 1 in 100") is met when ``error <= tolerance``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from sim.core.calendar import parse_month
from sim.spec import ALL_METRICS
from sim.published import Figure, load_figures

Kind = Literal["level", "annual_flow", "share", "flow_share"]
RELATIVE_KINDS = ("level", "annual_flow")


class Target(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    figure: str
    metric: str
    kind: Kind
    window: tuple[str, str]
    tolerance: float = Field(gt=0.0)
    denominator: tuple[str, ...] = ()
    bound: Literal["both", "upper"] = "both"

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, metric: str) -> str:
        if metric not in ALL_METRICS:
            raise ValueError(f"{metric!r} is not a metric; allowed: {', '.join(ALL_METRICS)}")
        return metric

    @field_validator("window")
    @classmethod
    def _months(cls, window: tuple[str, str]) -> tuple[str, str]:
        for month in window:
            parse_month(month)
        return tuple(str(month) for month in window)

    @property
    def label(self) -> str:
        return self.figure

    @property
    def relative(self) -> bool:
        return self.kind in RELATIVE_KINDS


@dataclass(frozen=True)
class Comparison:
    target: Target
    published: float  # E&W terms: people, people a year, £ a year, or a share
    model: float
    error: float  # relative for levels and flows, share points for shares

    @property
    def within(self) -> bool:
        return self.normalised <= 1.0 if self.target.bound == "upper" else abs(self.normalised) <= 1.0

    @property
    def normalised(self) -> float:
        """Error in units of the tolerance (0 below an upper bound)."""
        error = max(self.error, 0.0) if self.target.bound == "upper" else self.error
        return error / self.target.tolerance


def model_value(target: Target, totals: pd.DataFrame) -> float:
    """The model's value for a target from monthly E&W totals (rows: first of the month)."""
    start, end = (pd.Timestamp(f"{month}-01") for month in target.window)
    window = totals.loc[(totals.index >= start) & (totals.index <= end)]
    if window.empty:
        raise ValueError(f"{target.figure}: the run has no months in {target.window[0]}..{target.window[1]}")
    values = window[target.metric]
    if target.kind == "level":
        return float(values.mean())
    if target.kind == "annual_flow":
        return float(values.sum() * 12 / len(values))
    denominator = window[list(target.denominator)].sum(axis=1)
    if target.kind == "share":
        return float((values / denominator).mean())
    return float(values.sum() / denominator.sum())


def compare(targets: list[Target], totals: pd.DataFrame, figures: dict[str, Figure] | None = None) -> list[Comparison]:
    figures = figures if figures is not None else load_figures()
    comparisons = []
    for target in targets:
        published = figures[target.figure].england_and_wales
        value = model_value(target, totals)
        error = value / published - 1.0 if target.relative else value - published
        comparisons.append(Comparison(target, published, value, error))
    return comparisons


def loss(comparisons: list[Comparison]) -> float:
    """Sum of squared errors in units of tolerance (what the calibration minimises)."""
    return float(sum(c.normalised ** 2 for c in comparisons))


def table(comparisons: list[Comparison]) -> pd.DataFrame:
    """The fit table: one row per target."""
    figures = load_figures()
    rows = []
    for c in comparisons:
        figure = figures[c.target.figure]
        rows.append({
            "target": c.target.figure,
            "metric": c.target.metric,
            "window": f"{c.target.window[0]} to {c.target.window[1]}",
            "published_ew": c.published,
            "model": c.model,
            "error": c.error,
            "error_unit": "relative" if c.target.relative else "share points",
            "tolerance": c.target.tolerance,
            "bound": c.target.bound,
            "within_tolerance": c.within,
            "published_as": f"{figure.value:g} {figure.unit}, {figure.geography}, {figure.period}",
            "scaling": figure.scaling_note,
            "source": figure.source,
        })
    return pd.DataFrame(rows)


def parse(entries: list[dict]) -> list[Target]:
    return [Target.model_validate(dict(entry)) for entry in entries]


def worst(comparisons: list[Comparison]) -> float:
    return float(np.max([abs(c.normalised) for c in comparisons])) if comparisons else 0.0
