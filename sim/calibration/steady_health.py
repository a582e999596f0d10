"""The no-driver counterfactual with health held level: April 2019's onset rates scaled so
that, with every driver off, the share of 16-64s with each condition and with a limiting
condition is the same in 2023-24 as in 2019-20.

The configured onset rates were derived so that April 2019 is close to a steady state
(configs/health/default.yaml), but the calibration fits two recovery rates (mental health,
limiting conditions) and so moves the steady state: with every driver off, a fitted draw's
health drifts, and the claims that drift brings sit in the decomposition's no-driver part
unnamed. Running the no-driver case once more with health held level splits that part into
the health drift and the benefit flows' own (:mod:`sim.calibration.decomposition`).
"""

from __future__ import annotations

import math
import sys

import pandas as pd

from sim.aggregate import annual_totals
from sim.calibration.runner import run_totals

ONSETS = {
    "mental_health_condition": "mental_health_onset",
    "musculoskeletal_condition": "musculoskeletal_onset",
    "cardiometabolic_condition": "cardiometabolic_onset",
    "obesity": "obesity_onset",
    "limiting_condition": "limiting_onset",
}
"""Each health stock and the onset transition scaled to hold it level."""
START, END = "2019-20", "2023-24"
FIRST_ELASTICITY = 0.5
"""Assumed response of a share's change to a log change in its onset rate, for the first step
(later steps use the secant of the last two runs when it slopes the right way)."""
LARGEST_STEP = 0.5
"""Largest change of a log multiplier in one step: the shares are coupled (conditions raise
limiting onset and each other's), so a secant through two noisy runs can point far off."""


def share_changes(annual: pd.DataFrame) -> dict[str, float]:
    """Change in each health stock's share of the 16-64 population from START to END
    (fraction of the population, e.g. 0.01 is one percentage point)."""
    shares = annual[list(ONSETS)].div(annual["population"], axis=0)
    return {metric: float(shares.loc[END, metric] - shares.loc[START, metric]) for metric in ONSETS}


def with_onsets(raw: dict, multipliers: dict[str, float]) -> dict:
    """``raw`` with each health stock's onset ``base`` multiplied (raw must hold numbers there)."""
    transitions = dict(raw["health"]["transitions"])
    for metric, transition in ONSETS.items():
        base = transitions[transition]["base"]
        if not isinstance(base, (int, float)):
            raise TypeError(f"health.transitions.{transition}.base must be a number to hold health level, not {base!r}")
        transitions[transition] = {**transitions[transition], "base": base * multipliers[metric]}
    return {**raw, "health": {**raw["health"], "transitions": transitions}}


def held(raw: dict, values: dict[str, float], seeds: list[int], size: int, tolerance: float = 0.0005,
         iterations: int = 12) -> tuple[dict, dict[str, float], dict[str, float]]:
    """(raw with onsets scaled, the multipliers, each share's remaining change START to END:
    those of the last run)
    for a no-driver configuration ``raw`` (drivers already off) and fitted ``values``.

    Each multiplier is moved on its log by the secant through its last two runs until every
    share changes by less than ``tolerance`` (a fraction of the population) or ``iterations``
    runs are done."""
    logs = {metric: 0.0 for metric in ONSETS}
    previous: tuple[dict[str, float], dict[str, float]] | None = None
    multipliers: dict[str, float] = {}
    changes: dict[str, float] = {}
    for _ in range(iterations):
        multipliers = {metric: math.exp(value) for metric, value in logs.items()}
        totals = run_totals(with_onsets(raw, multipliers), dict(values), seeds, size, end=f"{END[:2]}{END[-2:]}-03")
        annual = annual_totals(totals[["population", *ONSETS]])
        changes = share_changes(annual)
        if all(abs(change) < tolerance for change in changes.values()):
            break
        steps = {}
        for metric, change in changes.items():
            slope = None
            if previous is not None:
                old_logs, old_changes = previous
                if logs[metric] != old_logs[metric] and change != old_changes[metric]:
                    slope = (change - old_changes[metric]) / (logs[metric] - old_logs[metric])
            share = float(annual.loc[START, metric] / annual.loc[START, "population"])
            if slope is None or slope < 0.1 * FIRST_ELASTICITY * share:
                slope = FIRST_ELASTICITY * share
            steps[metric] = max(-LARGEST_STEP, min(LARGEST_STEP, -change / slope))
        previous = (dict(logs), changes)
        logs = {metric: logs[metric] + steps[metric] for metric in logs}
    else:
        largest = max(changes.values(), key=abs)
        print(f"health held level: after {iterations} runs a share still changes by {largest * 100:+.3f} points "
              f"(tolerance {tolerance * 100:.3f})", file=sys.stderr)
    return with_onsets(raw, multipliers), multipliers, changes
