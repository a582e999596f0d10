"""The no-driver counterfactual with health held level: April 2019's onset rates scaled so
that, with every driver off, the age-standardised share of 16-64s with each condition and
with a limiting condition is the same in 2023-24 as in 2019-20.

The configured onset rates were derived so that April 2019 is close to a steady state
(configs/health/default.yaml), but the calibration fits two recovery rates (mental health,
limiting conditions) and so moves the steady state: with every driver off, a fitted draw's
health drifts, and the claims that drift brings sit in the decomposition's no-driver part
unnamed. Running the no-driver case once more with health held level splits that part into
the health drift and the benefit flows' own (:mod:`sim.calibration.decomposition`). Shares
are standardised to the first year's age mix so that the change ageing brings stays in the
decomposition's age-mix part.
"""

from __future__ import annotations

import math
import sys

import pandas as pd

from sim.aggregate import annual_totals
from sim.calibration.runner import run_totals
from sim.core import states

ONSETS = {
    "mental_health_condition": "mental_health_onset",
    "musculoskeletal_condition": "musculoskeletal_onset",
    "cardiometabolic_condition": "cardiometabolic_onset",
    "obesity": "obesity_onset",
    "limiting_condition": "limiting_onset",
}
"""Each health stock and the onset transition scaled to hold it level."""
START, END = "2019-20", "2023-24"
END_MONTH = "2024-03"
"""The last month of END: the runs that hold health level stop there."""
FIRST_ELASTICITY = 0.5
"""Assumed slope of a share's change against the log of its onset multiplier, per unit of the
share (a share of 0.2 changes by 0.1 for a log change of 1): for the first step, and
whenever the secant of the last two runs does not slope the right way."""
LARGEST_STEP = 0.5
"""Largest change of a log multiplier in one step: the shares are coupled (conditions raise
limiting onset and each other's), so a secant through two noisy runs can point far off."""


def standardised_share(annual: pd.DataFrame, metric: str, year: str) -> float:
    """``metric``'s share of the 16-64 population in ``year`` at START's mix of the broad age
    bands (a fraction)."""
    weights = {band: annual.loc[START, f"population@{band}"] / annual.loc[START, "population"]
               for band in states.AGE_BANDS}
    return float(sum(annual.loc[year, f"{metric}@{band}"] / annual.loc[year, f"population@{band}"] * weight
                     for band, weight in weights.items()))


def share_changes(annual: pd.DataFrame) -> dict[str, float]:
    """Change in each health stock's age-standardised share from START to END (a fraction of
    the population: 0.01 is one percentage point)."""
    return {metric: standardised_share(annual, metric, END) - standardised_share(annual, metric, START)
            for metric in ONSETS}


def with_onsets(raw: dict, multipliers: dict[str, float]) -> dict:
    """``raw`` with each health stock's onset ``base`` multiplied (raw must hold numbers there)."""
    transitions = dict(raw["health"]["transitions"])
    for metric, transition in ONSETS.items():
        base = transitions[transition]["base"]
        if not isinstance(base, (int, float)):
            raise TypeError(f"health.transitions.{transition}.base must be a number to hold health level, not {base!r}")
        transitions[transition] = {**transitions[transition], "base": base * multipliers[metric]}
    return {**raw, "health": {**raw["health"], "transitions": transitions}}


def _run(raw: dict, values: dict[str, float], multipliers: dict[str, float], seeds: list[int],
         size: int) -> pd.DataFrame:
    banded = [f"{name}@{band}" for name in ("population", *ONSETS) for band in states.AGE_BANDS]
    totals = run_totals(with_onsets(raw, multipliers), dict(values), seeds, size, end=END_MONTH)
    return annual_totals(totals[["population", *ONSETS, *banded]])


def hold_health_level(raw: dict, values: dict[str, float], seeds: list[int], size: int,
                      start: dict[str, float] | None = None, tolerance: float = 0.0005, iterations: int = 12,
                      run=_run) -> tuple[dict, dict[str, float], dict[str, float]]:
    """(raw with onsets scaled, the multipliers, each share's remaining change START to END)
    for a no-driver configuration ``raw`` (drivers already off) and fitted ``values``: those
    of the run, among those made, whose largest remaining change is smallest.

    From ``start`` (multipliers, default 1), each log multiplier moves by the secant through
    its last two runs (clipped to LARGEST_STEP) until every share changes by less than
    ``tolerance`` (a fraction of the population) or ``iterations`` runs are done. ``run`` is
    the model run (annual totals), replaceable in tests."""
    logs = {metric: math.log((start or {}).get(metric, 1.0)) for metric in ONSETS}
    previous: tuple[dict[str, float], dict[str, float]] | None = None
    best: tuple[float, dict[str, float], dict[str, float]] | None = None
    for _ in range(iterations):
        multipliers = {metric: math.exp(value) for metric, value in logs.items()}
        annual = run(raw, values, multipliers, seeds, size)
        changes = share_changes(annual)
        largest = max(abs(change) for change in changes.values())
        if best is None or largest < best[0]:
            best = (largest, multipliers, changes)
        if largest < tolerance:
            break
        steps = {}
        for metric, change in changes.items():
            share = standardised_share(annual, metric, START)
            slope = FIRST_ELASTICITY * share
            if previous is not None:
                old_logs, old_changes = previous
                if logs[metric] != old_logs[metric]:
                    secant = (change - old_changes[metric]) / (logs[metric] - old_logs[metric])
                    if secant >= 0.1 * FIRST_ELASTICITY * share:
                        slope = secant
            steps[metric] = max(-LARGEST_STEP, min(LARGEST_STEP, -change / slope))
        previous = (dict(logs), changes)
        logs = {metric: logs[metric] + steps[metric] for metric in logs}
    assert best is not None
    largest, multipliers, changes = best
    if largest >= tolerance:
        print(f"health held level: after {iterations} runs a share still changes by {largest * 100:.3f} points "
              f"(tolerance {tolerance * 100:.3f})", file=sys.stderr)
    return with_onsets(raw, multipliers), multipliers, changes
