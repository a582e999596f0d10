"""Running the model for one set of fitted values: what the search, the fit check and the
decomposition share.

Starting populations are cached per (size, seed): fitted values change hazards, and what of
April 2019 depends on them (months on an LCW or LCWRA award, PIP's claims in progress and
award positions) is drawn by the model from its own streams for each run (sim/model.py).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd

from sim.core import states
from sim.core.calendar import month_starts
from sim.model import InactivityModel, seed_key, starting_population
from sim.params.compose import validate
from sim.population import StartingTables


def average_totals(runs: list[pd.DataFrame]) -> pd.DataFrame:
    """Mean of several runs' monthly totals (seeds averaged, as the targets are compared)."""
    return sum(runs) / len(runs) if runs else pd.DataFrame()


def with_values(raw: dict[str, Any], values: dict[str, float], **overrides: Any) -> dict[str, Any]:
    """A copy of the raw model config with ``values`` as its only calibration draw."""
    config = copy.deepcopy(raw)
    config["calibration"] = {**config.get("calibration", {}), "draws": [dict(values)], "draw": 0}
    for dotted, value in overrides.items():
        node = config
        parts = dotted.split("__")
        for part in parts[:-1]:
            node = node[part]
        node[parts[-1]] = value
    return config


_CACHE: dict[tuple, Any] = {}


def snapshot(people: np.ndarray, measure: str) -> float:
    """A measure read from the people at one month (sim/calibration/targets.py ``SNAPSHOTS``)."""
    occupied = people[people["in_population"] == 1]
    if measure == "incapacity_benefit_over_10_years_share":
        awarded = occupied[occupied["incapacity_benefit"] >= states.IB_LCW]
        weights = awarded["weight"].astype(float)
        return float(weights[awarded["months_in_incapacity_state"] >= 120].sum() / weights.sum())
    raise KeyError(measure)


def run_totals(raw: dict[str, Any], values: dict[str, float], seeds: list[int], size: int,
               end: str | None = None, snapshots: dict[str, tuple[str, ...]] | None = None) -> pd.DataFrame:
    """Seed-averaged monthly E&W totals, by age band too, for one set of values (starting
    populations cached); ``snapshots`` maps a snapshot measure to the months (YYYY-MM) it is
    read at, which become a column with values in those rows only."""
    overrides = {"population__size": size, "panel__size": 0}
    if end is not None:
        overrides["period__end"] = end
    config = validate(with_values(raw, values, **overrides))
    totals = []
    for seed in seeds:
        seeded = config.model_copy(update={"seed": seed})
        key = ("tables", size)
        if key not in _CACHE:
            _CACHE[key] = StartingTables(seeded)
        tables = _CACHE[key]
        people_key = ("people", size, seed)
        if people_key not in _CACHE:
            _CACHE[people_key] = starting_population(seeded, tables, seed_key(seed))
        model = InactivityModel(seeded, initial_people=_CACHE[people_key], tables=tables)
        labels = month_starts(config.period.start, model.months).strftime("%Y-%m")
        read = {measure: np.full(model.months, np.nan) for measure in snapshots or {}}
        while model.month < model.months:
            model.step()
            for measure, months in (snapshots or {}).items():
                if labels[model.month - 1] in months:
                    read[measure][model.month - 1] = snapshot(model.people, measure)
        frame = model.recorder.totals(config.period.start, by_band=True)
        for measure, values in read.items():
            frame[measure] = values
        totals.append(frame)
    return average_totals(totals)
